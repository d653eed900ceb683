import { Hono } from 'hono';
import type { AppEnv, ServerContext } from '../context.js';

export function notebookPages(_ctx: ServerContext): Hono<AppEnv> {
  return new Hono<AppEnv>();
}
