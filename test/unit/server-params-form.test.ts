import { describe, expect, it } from 'vitest';
import type { Context } from 'hono';
import type { AppEnv } from '../../engine/server/context.js';
import { paramsForm, quarterOptions } from '../../engine/server/pages/params-form.js';

const ctx = { get: () => 'csrf-token' } as unknown as Context<AppEnv>;

describe('the params form', () => {
  it('a quarter param is a picker of quarters, newest first, with the resolved default chosen', async () => {
    const opts = quarterOptions('2026-Q3');
    expect(opts[0]).toBe('2027-Q4');
    expect(opts.at(-1)).toBe('2022-Q1');
    expect(opts).toHaveLength(24);
    expect(quarterOptions('1999-Q2')).toContain('1999-Q2');
    expect(quarterOptions('', new Date('2026-12-03T00:00:00Z'))[0]).toBe('2027-Q4');
    const form = String(
      await paramsForm(ctx, {
        action: '/notebooks/q/run',
        api: '/api/v1/runs',
        submit: 'Run',
        fields: [{ name: 'quarter', type: 'quarter', label: 'quarter', description: null, options: null, default: 'previous_quarter', resolved_default: '2026-Q3', required: false }],
      }),
    );
    expect(form).toMatch(/<select id="param-quarter" name="quarter">/);
    expect(form).toContain('<option value="2026-Q3" selected>2026 Q3</option>');
    expect(form).toContain('default <code>previous_quarter</code> = <code>2026-Q3</code>');
  });
});
