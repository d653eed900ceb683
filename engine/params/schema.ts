/**
 * Zod schema of the `params:` block of a notebook (see "Parameters" in the notebook format spec).
 *
 * `default` is checked against the type here with the same rules resolveParams applies to typed
 * values (see resolve.ts): YAML gives `default: 0`, `default: true`, `default: 2026` (a year as a
 * number is fine) or `default: "2026-10"`. Period types also take relative words, evaluated at run
 * start; which words each accepts (see relative.ts):
 *   - date:    today, yesterday, and current_/previous_ month, quarter and year, which mean the
 *              FIRST DAY of that period (current_month = the 1st of this month);
 *   - month:   today, yesterday, current_month, previous_month (the month holding that day/month);
 *   - quarter: the month words plus current_quarter, previous_quarter (the quarter holding it);
 *   - year:    all eight words (the year holding that period).
 * Words naming a longer period than the type (current_year for a month) are rejected as ambiguous.
 *
 * No transforms: the schema only validates, so it converts to JSON Schema as is.
 */
import * as z from 'zod';
import { isPeriodType } from './periods.js';
import { checkDefault } from './resolve.js';
import { PARAM_NAME_PATTERN, PARAM_TYPES, paramSpecShape, type ParamSpec, type ParamType } from './spec-shape.js';

export { PARAM_NAME_PATTERN, PARAM_TYPES, type ParamSpec, type ParamType };

export const paramSpecSchema = paramSpecShape.superRefine((spec, ctx) => {
  if (spec.type === 'select' && spec.options === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['options'],
      message: 'a select param needs options: the allowed values, e.g. options: [all, EU, NA]',
    });
    return;
  }
  if (spec.type !== 'select' && spec.options !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['options'],
      message: `options are only allowed on select params, and this param's type is "${spec.type}"; use type: select, or remove options`,
    });
    return;
  }
  if (spec.options !== undefined) {
    const seen = new Set<string>();
    for (const [i, option] of spec.options.entries()) {
      const key = String(option);
      if (seen.has(key)) {
        ctx.addIssue({ code: 'custom', path: ['options', i], message: `option ${JSON.stringify(key)} is listed twice` });
      }
      seen.add(key);
    }
  }
  if (spec.default !== undefined) {
    const result = checkDefault(spec);
    if (!result.ok) {
      ctx.addIssue({
        code: 'custom',
        path: ['default'],
        message: `default must be ${result.expected}, got ${result.got}; ${result.hint}`,
      });
    }
  }
});

export const paramsSchema = z
  .record(z.string().regex(PARAM_NAME_PATTERN), paramSpecSchema, {
    error: (issue) => (issue.code === 'invalid_key' ? `param name ${JSON.stringify(String(issue.input))} must start with a lower-case letter and hold only a-z, 0-9 and _` : undefined),
  })
  .superRefine((specs, ctx) => {
    // `<period>_start` / `<period>_end` are derived; a declared param of that name would clash.
    for (const [name, spec] of Object.entries(specs)) {
      if (!isPeriodType(spec.type)) continue;
      for (const suffix of ['_start', '_end']) {
        const derived = `${name}${suffix}`;
        if (Object.hasOwn(specs, derived)) {
          ctx.addIssue({
            code: 'custom',
            path: [derived],
            message: `param "${derived}" clashes with the "${suffix}" value of ${spec.type} param "${name}"; rename it`,
          });
        }
      }
    }
  });

export type Params = z.output<typeof paramsSchema>;
