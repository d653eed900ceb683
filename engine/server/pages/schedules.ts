import { Hono } from 'hono';
import type { AppEnv, ServerContext } from '../context.js';

export function schedulePages(_ctx: ServerContext): Hono<AppEnv> {
  return new Hono<AppEnv>();
}
