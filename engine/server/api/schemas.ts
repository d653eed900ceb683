/** The API's shared shapes: they validate requests and are the OpenAPI document's components. */
import { z } from '@hono/zod-openapi';

/** A plain id: what becomes one folder name (no `/`, no `..`). */
export const safeId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'letters, digits, ., _ and - only, starting with a letter or digit')
  .refine((s) => !s.includes('..'), 'no ..');

export const FieldErrorSchema = z.object({ field: z.string().nullable(), code: z.string(), message: z.string(), hint: z.string().nullable(), location: z.string().nullable() }).openapi('FieldError');

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string().openapi({ description: "the engine's error code (E_PARAM_TYPE, E_NOTEBOOK_NOT_FOUND...)" }),
    detail: z.string(),
    hint: z.string().nullable().optional(),
    location: z.string().nullable().optional(),
    errors: z.array(FieldErrorSchema).optional(),
  })
  .openapi('Problem');

/** The error responses every route may give (auth, validation). */
export function problems(...statuses: number[]): Record<number, { description: string; content: { 'application/problem+json': { schema: typeof ProblemSchema } } }> {
  const text: Record<number, string> = {
    400: 'bad request',
    401: 'not signed in',
    403: 'role too weak, or CSRF token missing',
    404: 'not found',
    409: 'conflict',
    413: 'request too large',
    422: 'invalid input (field-level errors)',
  };
  return Object.fromEntries([401, 403, ...statuses].map((s) => [s, { description: text[s] ?? 'error', content: { 'application/problem+json': { schema: ProblemSchema } } }]));
}

export const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });

export const ParamsSchema = z.record(z.string(), z.unknown()).openapi('Params', { example: { month: '2026-10', region: 'EU' } });

export const RunSummarySchema = z
  .object({
    id: z.string(),
    notebook: z.string(),
    title: z.string(),
    status: z.string().openapi({ description: 'queued, running, succeeded, partial, failed or cancelled' }),
    started_at: z.string().nullable(),
    finished_at: z.string().nullable(),
    started_by: z.string().nullable(),
    trigger: z.string(),
    schedule: z.string().nullable(),
    params: ParamsSchema,
    error: z.string().nullable(),
  })
  .openapi('RunSummary');

export const NotebookSummarySchema = z
  .object({
    id: z.string(),
    title: z.string(),
    description: z.string().nullable(),
    tags: z.array(z.string()),
    path: z.string(),
    valid: z.boolean(),
    lastRun: RunSummarySchema.pick({ id: true, status: true, started_at: true, finished_at: true }).nullable(),
    nextRun: z.string().nullable().openapi({ description: 'the next scheduled fire time (UTC), if scheduled' }),
  })
  .openapi('NotebookSummary');
