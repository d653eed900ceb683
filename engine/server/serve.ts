/**
 * Starts the HTTP server over a ServerContext (with @hono/node-server), once its runs can be taken
 * (the queue connected, when there is one); `close()` stops listening, then closes the context.
 */
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';
import type { ServerContext } from './context.js';

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startServer(ctx: ServerContext, opts: { host: string; port: number }): Promise<RunningServer> {
  await ctx.runs.ready();
  const app = createApp(ctx);
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: opts.host, port: opts.port }, () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  // The index is saved now and then, so a restart starts from it instead of every run.json.
  const saver = setInterval(() => ctx.index.save(), 5000);
  saver.unref();
  return {
    url: `http://${host}:${port}`,
    port,
    async close() {
      clearInterval(saver);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // SSE streams stay open until their run ends: cut them.
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      await ctx.close();
    },
  };
}
