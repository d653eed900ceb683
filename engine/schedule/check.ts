/**
 * `schedules:` checks beyond the schema, run by `quire validate` (validate.ts): cron and
 * timezone, params, templates, attachments and addresses. Every message names the schedule.
 */
import { QuireError, UserError, ValidationErrors } from '../util/errors.js';
import { analyzeTemplate } from '../text/liquid.js';
import type { Notebook } from '../notebook/load.js';
import { resolveParams } from '../params/index.js';
import { cronProblem } from './cron.js';
import { timezoneProblem } from './tz.js';

const ADDRESS = /^(?:[^<>@\s]+@[^<>@\s]+\.[^<>@\s]+|[^<>]*<[^<>@\s]+@[^<>@\s]+\.[^<>@\s]+>)$/;

/** True when `text` looks like `a@b.c` or `Name <a@b.c>`. */
export function isAddress(text: string): boolean {
  return ADDRESS.test(text.trim());
}

export function checkSchedules(nb: Notebook): QuireError[] {
  const errors: QuireError[] = [];
  const schedules = nb.top.schedules ?? [];
  const seen = new Set<string>();
  const cellIds = new Set(nb.cells.map((c) => c.spec.id));
  schedules.forEach((s, i) => {
    const at = (...rest: (string | number)[]) => nb.source.locate(['schedules', i, ...rest]);
    const name = `schedule '${s.name}'`;
    if (seen.has(s.name)) {
      errors.push(new UserError('E_SCHEDULE_DUPLICATE', `${name} is declared twice`, { location: at('name'), hint: 'schedule names must be unique in a notebook' }));
    }
    seen.add(s.name);
    const cron = cronProblem(s.cron);
    if (cron) {
      errors.push(
        new UserError('E_CRON', `${name}: ${cron}`, {
          location: at('cron'),
          hint: '5 fields "minute hour day-of-month month day-of-week" (e.g. "0 7 1 * *"), or 6 with seconds first',
        }),
      );
    }
    const tz = s.timezone ?? nb.project.config.timezone;
    const tzProblem = timezoneProblem(tz);
    if (tzProblem) {
      errors.push(
        new UserError('E_TIMEZONE', `${name}: ${tzProblem}${s.timezone === undefined ? ' (the project timezone in quire.yaml)' : ''}`, {
          location: at(s.timezone === undefined ? 'name' : 'timezone'),
          hint: 'use an IANA timezone name such as UTC, Europe/Prague or America/New_York',
        }),
      );
    } else {
      try {
        resolveParams(nb.top.params ?? {}, s.params ?? {}, { now: new Date(), timezone: tz });
      } catch (err) {
        const list = err instanceof ValidationErrors ? err.errors : err instanceof QuireError ? [err] : [];
        if (!list.length) throw err;
        for (const e of list) {
          errors.push(new UserError(e.code, `${name}: ${e.message}`, { location: at('params'), hint: e.hint }));
        }
      }
    }
    const email = s.email;
    if (!email) return;
    const exports = s.export ?? nb.top.export ?? ['html'];
    for (const [j, format] of (email.attach ?? []).entries()) {
      if (!exports.includes(format)) {
        errors.push(
          new UserError('E_SCHEDULE_ATTACH', `${name} attaches ${format} but does not export it (exports: ${exports.join(', ')})`, {
            location: at('email', 'attach', j),
            hint: `add ${format} to the schedule's export: list`,
          }),
        );
      }
    }
    const addresses: [string, (string | number)[]][] = [
      ...email.to.map((a, j): [string, (string | number)[]] => [a, ['to', j]]),
      ...(email.cc ?? []).map((a, j): [string, (string | number)[]] => [a, ['cc', j]]),
      ...(email.owner === undefined ? [] : [[email.owner, ['owner']] as [string, (string | number)[]]]),
    ];
    for (const [address, path] of addresses) {
      if (!isAddress(address)) {
        errors.push(
          new UserError('E_EMAIL_ADDRESS', `${name}: '${address}' is not an email address`, { location: at('email', ...path), hint: 'write name@example.com (or "Name <name@example.com>")' }),
        );
      }
    }
    if (email.subject !== undefined) {
      const t = analyzeTemplate(email.subject, nb.source, ['schedules', i, 'email', 'subject']);
      if (t.error) errors.push(new UserError(t.error.code, `${name}: ${t.error.message}`, { location: t.error.location, hint: t.error.hint }));
    }
    for (const [j, cond] of (email.send_if ?? []).entries()) {
      const path = ['schedules', i, 'email', 'send_if', j];
      const t = analyzeTemplate(cond, nb.source, path);
      if (t.error) {
        errors.push(new UserError(t.error.code, `${name}: send_if: ${t.error.message}`, { location: t.error.location, hint: t.error.hint }));
        continue;
      }
      for (const v of t.variables) {
        if (v !== 'params' && v !== 'run' && !cellIds.has(v)) {
          errors.push(
            new UserError('E_SEND_IF', `${name}: send_if reads '${v}', which is not a cell of this notebook`, {
              location: nb.source.locate(path),
              hint: `conditions read params, run and cells (${[...cellIds].join(', ')})`,
            }),
          );
        }
      }
    }
    if (email.send_if?.length && email.owner === undefined) {
      errors.push(
        new UserError('E_SEND_IF_OWNER', `${name} has send_if gates but no email.owner to tell when one holds a report`, {
          location: at('email', 'send_if'),
          hint: 'add `owner: someone@example.com` under email',
        }),
      );
    }
  });
  return errors;
}
