import { describe, expect, it } from 'vitest';
import { nextFire, nextFires } from '../../engine/schedule/cron.js';
import { formatInZone } from '../../engine/schedule/tz.js';
import { decideDue } from '../../engine/schedule/due.js';

const fires = (cron: string, tz: string, from: string, n: number) =>
  nextFires(cron, tz, Date.parse(from), n).map((t) => `${new Date(t).toISOString().slice(0, 16)}Z ${formatInZone(t, tz).slice(0, 16)}${formatInZone(t, tz).slice(19)}`);

// Golden fire times across the 2026 DST changes. Rules (engine/schedule/cron.ts): a time in the
// spring-forward gap fires once at the first valid instant after it (the end of the gap); a time
// in the repeated fall-back hour fires once, at its first occurrence.
describe('cron fire times across 2026 DST changes', () => {
  it('Europe/Prague: 29 March 02:00→03:00, 25 October 03:00→02:00', () => {
    expect(fires('30 2 * * *', 'Europe/Prague', '2026-03-28T00:00:00Z', 3)).toEqual([
      '2026-03-28T01:30Z 2026-03-28 02:30 +01:00',
      '2026-03-29T01:00Z 2026-03-29 03:00 +02:00', // 02:30 does not exist: fires at 03:00
      '2026-03-30T00:30Z 2026-03-30 02:30 +02:00',
    ]);
    expect(fires('*/30 * * * *', 'Europe/Prague', '2026-03-29T00:10:00Z', 4)).toEqual([
      '2026-03-29T00:30Z 2026-03-29 01:30 +01:00',
      '2026-03-29T01:00Z 2026-03-29 03:00 +02:00', // 02:00 and 02:30 merge into one fire at 03:00
      '2026-03-29T01:30Z 2026-03-29 03:30 +02:00',
      '2026-03-29T02:00Z 2026-03-29 04:00 +02:00',
    ]);
    expect(fires('30 2 * * *', 'Europe/Prague', '2026-10-24T12:00:00Z', 2)).toEqual([
      '2026-10-25T00:30Z 2026-10-25 02:30 +02:00', // 02:30 happens twice: fires at the first
      '2026-10-26T01:30Z 2026-10-26 02:30 +01:00',
    ]);
    expect(fires('0 * * * *', 'Europe/Prague', '2026-10-24T23:30:00Z', 4)).toEqual([
      '2026-10-25T00:00Z 2026-10-25 02:00 +02:00',
      '2026-10-25T02:00Z 2026-10-25 03:00 +01:00', // no second 02:00 (01:00Z)
      '2026-10-25T03:00Z 2026-10-25 04:00 +01:00',
      '2026-10-25T04:00Z 2026-10-25 05:00 +01:00',
    ]);
    expect(fires('0 7 1 * *', 'Europe/Prague', '2026-02-15T00:00:00Z', 3)).toEqual([
      '2026-03-01T06:00Z 2026-03-01 07:00 +01:00',
      '2026-04-01T05:00Z 2026-04-01 07:00 +02:00',
      '2026-05-01T05:00Z 2026-05-01 07:00 +02:00',
    ]);
  });

  it('America/New_York: 8 March 02:00→03:00, 1 November 02:00→01:00', () => {
    expect(fires('30 2 * * *', 'America/New_York', '2026-03-07T12:00:00Z', 3)).toEqual([
      '2026-03-08T07:00Z 2026-03-08 03:00 -04:00',
      '2026-03-09T06:30Z 2026-03-09 02:30 -04:00',
      '2026-03-10T06:30Z 2026-03-10 02:30 -04:00',
    ]);
    expect(fires('30 1 * * *', 'America/New_York', '2026-10-31T12:00:00Z', 2)).toEqual(['2026-11-01T05:30Z 2026-11-01 01:30 -04:00', '2026-11-02T06:30Z 2026-11-02 01:30 -05:00']);
    expect(fires('*/20 1 * * *', 'America/New_York', '2026-11-01T05:30:00Z', 3)).toEqual([
      '2026-11-01T05:40Z 2026-11-01 01:40 -04:00',
      '2026-11-02T06:00Z 2026-11-02 01:00 -05:00', // the second pass of 01:xx does not fire again
      '2026-11-02T06:20Z 2026-11-02 01:20 -05:00',
    ]);
    // Asked from inside the second pass of the repeated hour: the next fire is after it.
    expect(fires('0 * * * *', 'America/New_York', '2026-11-01T06:10:00Z', 1)).toEqual(['2026-11-01T07:00Z 2026-11-01 02:00 -05:00']);
  });

  it('Australia/Lord_Howe (30-minute DST): 5 April 02:00→01:30, 4 October 02:00→02:30', () => {
    expect(fires('45 1 * * *', 'Australia/Lord_Howe', '2026-04-03T00:00:00Z', 3)).toEqual([
      '2026-04-03T14:45Z 2026-04-04 01:45 +11:00',
      '2026-04-04T14:45Z 2026-04-05 01:45 +11:00', // 01:45 happens twice: first one
      '2026-04-05T15:15Z 2026-04-06 01:45 +10:30',
    ]);
    expect(fires('*/15 * * * *', 'Australia/Lord_Howe', '2026-04-04T14:00:00Z', 5)).toEqual([
      '2026-04-04T14:15Z 2026-04-05 01:15 +11:00',
      '2026-04-04T14:30Z 2026-04-05 01:30 +11:00',
      '2026-04-04T14:45Z 2026-04-05 01:45 +11:00',
      '2026-04-04T15:30Z 2026-04-05 02:00 +10:30', // 01:30 and 01:45 (+10:30) are not repeated
      '2026-04-04T15:45Z 2026-04-05 02:15 +10:30',
    ]);
    expect(fires('15 2 * * *', 'Australia/Lord_Howe', '2026-10-02T00:00:00Z', 3)).toEqual([
      '2026-10-02T15:45Z 2026-10-03 02:15 +10:30',
      '2026-10-03T15:30Z 2026-10-04 02:30 +11:00', // 02:15 does not exist: fires at 02:30
      '2026-10-04T15:15Z 2026-10-05 02:15 +11:00',
    ]);
    expect(fires('*/15 * * * *', 'Australia/Lord_Howe', '2026-10-03T14:50:00Z', 3)).toEqual([
      '2026-10-03T15:00Z 2026-10-04 01:30 +10:30',
      '2026-10-03T15:15Z 2026-10-04 01:45 +10:30',
      '2026-10-03T15:30Z 2026-10-04 02:30 +11:00', // 02:00, 02:15 and 02:30 fire once, at 02:30
    ]);
  });

  it('the next fire is never undefined and never in the past, asked at every minute around each change', () => {
    const changes: [string, string[]][] = [
      ['Europe/Prague', ['2026-03-29T01:00:00Z', '2026-10-25T01:00:00Z']],
      ['America/New_York', ['2026-03-08T07:00:00Z', '2026-11-01T06:00:00Z']],
      ['Australia/Lord_Howe', ['2026-04-04T15:00:00Z', '2026-10-03T15:30:00Z']],
    ];
    for (const [tz, at] of changes) {
      for (const change of at) {
        for (const cron of ['*/15 * * * *', '30 2 * * *', '0 * * * *', '7 1,2,3 * * *', '*/20 * * * * *']) {
          let last = 0;
          for (let t = Date.parse(change) - 3 * 3_600_000; t < Date.parse(change) + 3 * 3_600_000; t += 60_000 + 7_000) {
            const n = nextFire(cron, tz, t);
            expect(n).toBeGreaterThan(t);
            expect(n).toBeGreaterThanOrEqual(last); // monotonic: never a time that was already passed
            last = n;
          }
        }
      }
    }
  });

  it('missed policy: all / once / skip over a downtime, with a cap', () => {
    const from = Date.parse('2026-03-01T00:00:00Z');
    const now = Date.parse('2026-03-01T05:10:00Z'); // ticks at 00:00 … 05:00 are due; 05:00 is 10 min late
    const opts = { graceMs: 60_000, cap: 100 };
    const all = decideDue('0 * * * *', 'UTC', 'all', from, now, opts)!;
    expect(all.run.map((t) => new Date(t).getUTCHours())).toEqual([0, 1, 2, 3, 4, 5]);
    expect(all.missed).toBe(6);
    expect(all.nextDue).toBe(Date.parse('2026-03-01T06:00:00Z'));
    expect(decideDue('0 * * * *', 'UTC', 'once', from, now, opts)!.run).toEqual([Date.parse('2026-03-01T05:00:00Z')]);
    expect(decideDue('0 * * * *', 'UTC', 'skip', from, now, opts)!.run).toEqual([]);
    // An on-time tick runs even under skip; older ones are the missed ones.
    const onTime = decideDue('0 * * * *', 'UTC', 'skip', from, Date.parse('2026-03-01T05:00:20Z'), opts)!;
    expect(onTime.run).toEqual([Date.parse('2026-03-01T05:00:00Z')]);
    expect(onTime.missed).toBe(5);
    const capped = decideDue('* * * * * *', 'UTC', 'all', from, from + 500_000, opts)!;
    expect(capped.run).toHaveLength(100);
    expect(capped.run.at(-1)).toBe(from + 500_000);
    expect(capped.dropped).toBe(401);
    expect(decideDue('0 * * * *', 'UTC', 'all', from + 3_600_000, from + 2, opts)).toBeNull();
  });
});
