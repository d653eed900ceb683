/**
 * The schedules a scheduler knows, kept in step with the notebooks: each rescan adds a state entry
 * for a new schedule (due at its next fire time), updates a changed one (a new cron or timezone
 * retimes it), and removes a vanished one with its queued ticks. A schedule whose notebook is
 * there but has problems is paused instead: it keeps its place until the notebook is fixed.
 */
import { nextFire } from './cron.js';
import { ScheduleScanner, type ScheduleDef } from './discover.js';
import type { SchedulerState } from './state.js';

type Log = (level: 'info' | 'warn' | 'error', event: string, detail?: string) => void;

const iso = (t: number) => new Date(t).toISOString();

export class ScheduleSet {
  /** The schedules that can run now, by key (paused ones are not here). */
  readonly defs = new Map<string, ScheduleDef>();
  private readonly paused = new Set<string>();
  /** Problems logged at the last rescan: each is logged once while it lasts. */
  private readonly reported = new Set<string>();
  private readonly scanner: ScheduleScanner;

  constructor(root: string, projectTimezone: string, runsDir: string) {
    this.scanner = new ScheduleScanner(root, projectTimezone, [runsDir]);
  }

  /** Rescans the notebooks and brings `state`'s schedules (and queue) in line; true when it changed them. */
  sync(state: SchedulerState, now: number, log: Log): boolean {
    let changed = false;
    const found = this.scanner.scan();
    const seen = new Map<string, ScheduleDef>();
    const troubled = new Set<string>();
    for (const nb of found) {
      for (const p of nb.problems) {
        troubled.add(nb.rel);
        if (!this.reported.has(p)) log('error', 'schedule-invalid', p);
      }
      for (const def of nb.schedules) seen.set(def.key, def);
    }
    this.reported.clear();
    for (const nb of found) for (const p of nb.problems) this.reported.add(p);
    for (const [key, def] of seen) {
      const s = state.schedules[key];
      if (!s) {
        const next = nextFire(def.spec.cron, def.timezone, now);
        state.schedules[key] = {
          notebook: def.notebookRel,
          notebook_id: def.notebookId,
          schedule: def.spec.name,
          timing: def.timing,
          hash: def.hash,
          next_due: iso(next),
          added_at: iso(now),
          last: null,
        };
        log('info', 'schedule-added', `${key} cron="${def.spec.cron}" tz=${def.timezone} next=${iso(next)}`);
        changed = true;
      } else if (s.hash !== def.hash) {
        const retimed = s.timing !== def.timing;
        if (retimed) s.next_due = iso(nextFire(def.spec.cron, def.timezone, now));
        Object.assign(s, { timing: def.timing, hash: def.hash, notebook_id: def.notebookId });
        log('info', 'schedule-changed', `${key} cron="${def.spec.cron}" tz=${def.timezone}${retimed ? ` next=${s.next_due}` : ''}`);
        changed = true;
      }
      if (this.paused.delete(key)) log('info', 'schedule-resumed', key);
      this.defs.set(key, def);
    }
    for (const key of [...Object.keys(state.schedules)]) {
      if (seen.has(key)) continue;
      const s = state.schedules[key]!;
      if (troubled.has(s.notebook)) {
        if (!this.paused.has(key)) log('warn', 'schedule-paused', `${key} (its notebook has problems)`);
        this.paused.add(key);
        this.defs.delete(key);
        continue;
      }
      delete state.schedules[key];
      this.defs.delete(key);
      this.paused.delete(key);
      const dropped = state.queue.filter((i) => i.key === key && i.status !== 'running');
      state.queue = state.queue.filter((i) => i.key !== key || i.status === 'running');
      log('info', 'schedule-removed', `${key}${dropped.length ? ` dropped=${dropped.length}` : ''}`);
      changed = true;
    }
    return changed;
  }
}
