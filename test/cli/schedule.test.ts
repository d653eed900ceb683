import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { cpSync } from 'node:fs';
import { FIXTURES } from '../helpers/paths.js';
import { fixtureProject, quire } from '../helpers/cli.js';

describe('quire validate and quire schedule list', () => {
  it('validate rejects bad cron expressions, unknown timezones, params and gates, naming the schedule', () => {
    const dir = fixtureProject('schedule-bad');
    const r = quire(['validate', 'notebook.yaml'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/notebook\.yaml:10:11: error\[E_CRON\]: schedule 'typo-cron': invalid cron expression '0 25 \* \* \*'/);
    expect(r.stderr).toMatch(/error\[E_CRON\]: schedule 'four-fields': invalid cron expression '0 7 1 \*': cron expressions have 5 fields/);
    expect(r.stderr).toMatch(/notebook\.yaml:15:15: error\[E_TIMEZONE\]: schedule 'bad-zone': unknown timezone 'Europe\/Praha' — did you mean 'Europe\/Prague'\?/);
    expect(r.stderr).toMatch(/error\[E_PARAM_UNKNOWN\]: schedule 'bad-param': /);
    expect(r.stderr).toMatch(/error\[E_SCHEDULE_ATTACH\]: schedule 'gate' attaches pdf but does not export it/);
    expect(r.stderr).toMatch(/error\[E_SEND_IF\]: schedule 'gate': send_if reads 'nope'/);
    expect(r.stderr).toMatch(/error\[E_SEND_IF_OWNER\]/);
  });

  it("schedule list shows the next fire times in the schedule's zone and in UTC", () => {
    const dir = fixtureProject('deliver');
    const r = quire(['schedule', 'list', '.', '--from', '2026-03-15T00:00:00Z'], dir, { QUIRE_SMTP_URL: 'smtp://127.0.0.1:1' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('monthly.yaml#monthly  cron "0 7 1 * *"  Europe/Prague');
    expect(r.stdout).toContain('2026-04-01 07:00:00 +02:00   2026-04-01T05:00:00.000Z');
    expect(r.stdout).toContain('2026-06-01 07:00:00 +02:00   2026-06-01T05:00:00.000Z');
    const json = JSON.parse(quire(['schedule', 'list', join(dir), '--json', '-n', '1', '--from', '2026-10-20T00:00:00Z'], dir, { QUIRE_SMTP_URL: 'x' }).stdout);
    expect(json.schedules[0].next).toEqual([{ local: '2026-11-01 07:00:00 +01:00', utc: '2026-11-01T06:00:00.000Z' }]);
  });

  it('schedule list at a project root does not enter nested projects (folders with their own quire.yaml)', () => {
    const dir = fixtureProject('deliver');
    cpSync(join(FIXTURES, 'schedule-bad'), join(dir, 'nested'), { recursive: true });
    const r = quire(['schedule', 'list', '.', '--from', '2026-03-15T00:00:00Z'], dir, { QUIRE_SMTP_URL: 'smtp://127.0.0.1:1' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('monthly.yaml#monthly');
    expect(r.stdout).not.toContain('nested');
  });

  it('schedule list reports a broken schedule and exits 1', () => {
    const dir = fixtureProject('schedule-bad');
    const r = quire(['schedule', 'list'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/notebook\.yaml: schedule 'typo-cron': invalid cron expression/);
    expect(r.stderr).toMatch(/schedule 'bad-zone': unknown timezone 'Europe\/Praha'/);
    expect(r.stdout).toContain('notebook.yaml#bad-param'); // params are checked when it runs (and by validate)
  });
});
