import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv, ServerContext } from '../context.js';
import { apiApp } from './api-app.js';

export function schedulesApi(_ctx: ServerContext): OpenAPIHono<AppEnv> {
  return apiApp();
}
