/** A new API sub-app whose request validation failures answer 422 problem+json, one entry per field. */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../context.js';
import { problemResponse, zodProblem } from '../problem.js';

export function apiApp(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) return problemResponse(c, zodProblem(result.error.issues));
    },
  });
}
