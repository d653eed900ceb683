/**
 * The server's one long-lived object: the project, the engine state every run shares, the clock,
 * the runs (in process, or on the queue), the runs index, auth and the audit log. Made by createServerContext, closed by
 * close() (runs stopped, pools closed, index saved). Route slices receive it; nothing is global.
 */
import { availableParallelism, userInfo } from 'node:os';
import { resolve } from 'node:path';
import { loadProject, projectPath, type Project } from '../project.js';
import { EngineState } from '../util/state.js';
import { UserError } from '../util/errors.js';
import { RunIndex } from '../runs/index-file.js';
import type { RunOptions } from '../exec/run.js';
import type { User } from './auth/roles.js';
import { SessionSigner, type Session } from './auth/session.js';
import { TokenStore, tokensPath } from './auth/tokens.js';
import { AuditLog } from './audit.js';
import { RunManager } from './runs/run-manager.js';
import { QueuedRuns } from './runs/queued-runs.js';
import type { RunService } from './runs/run-service.js';
import { queueSettings } from '../queue/queue.js';
import { NotebookCatalog } from './notebooks/catalog.js';
import { PdfRenderer } from '../report/pdf/index.js';

export interface ServerOptions {
  /** The host the server binds (auth is required unless it is a loopback address). */
  host?: string;
  clock?: () => Date;
  /** Runs at once; the others queue. Default 2. */
  maxConcurrentRuns?: number;
  /** DuckDB threads of each in-process run. Default: the cores but one (at least 1), so a running notebook leaves the server a core. */
  runThreads?: number;
  runsDir?: string;
  /** Largest request body (bytes) outside uploads. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Largest upload (bytes). Default 50 MiB. */
  maxUploadBytes?: number;
  /** Extra options for every run (tests: a fixed clock). */
  runOptions?: Partial<RunOptions>;
  /** The name the local user goes by (default: the OS user). */
  localUser?: string;
}

export interface AuthSetup {
  tokens: TokenStore;
  sessions: SessionSigner;
  /** Loopback host: with no tokens configured, the local user is an admin. */
  loopback: boolean;
  localUser: string;
}

export interface ServerContext {
  root: string;
  project: Project;
  runsDir: string;
  state: EngineState;
  clock: () => Date;
  /** In this process, or with `queue:` in quire.yaml, the queue's workers (QueuedRuns). */
  runs: RunService;
  index: RunIndex;
  notebooks: NotebookCatalog;
  auth: AuthSetup;
  audit: AuditLog;
  limits: { bodyBytes: number; uploadBytes: number };
  /** One Chromium for the PDFs rendered on demand, started on first need; `drop` after a failure makes the next call start a new one. */
  pdf: { get(): Promise<PdfRenderer>; drop(): void };
  close(): Promise<void>;
}

/** Hono's typed variables of a request: who it is, their login session (cookie) if any, and its CSRF token ('' without one). */
export type AppEnv = { Variables: { user: User; session: Session | null; csrf: string } };

export const defaultRunThreads = () => Math.max(1, availableParallelism() - 1);

export function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function osUser(): string {
  try {
    return userInfo().username || 'local';
  } catch {
    return 'local';
  }
}

export function createServerContext(dir: string, options: ServerOptions = {}): ServerContext {
  const project = loadProject(resolve(dir));
  const root = project.root;
  const host = options.host ?? '127.0.0.1';
  const tokens = new TokenStore(tokensPath(root));
  const loopback = isLoopback(host);
  if (!loopback && tokens.count === 0) {
    throw new UserError('E_SERVE_NO_AUTH', `refusing to serve on ${host} without authentication: no tokens are configured`, {
      hint: 'create one with `quire tokens create --role admin`, or serve on 127.0.0.1 (the default) for local use only',
    });
  }
  const clock = options.clock ?? (() => new Date());
  const runsDir = options.runsDir ? resolve(options.runsDir) : projectPath(project, project.config.runs_dir);
  const state = new EngineState();
  const index = new RunIndex(runsDir);
  let renderer: Promise<PdfRenderer> | null = null;
  const pdf = {
    get: () => {
      renderer ??= PdfRenderer.launch().catch((err: unknown) => {
        renderer = null;
        throw err;
      });
      return renderer;
    },
    drop: () => {
      const r = renderer;
      renderer = null;
      void r?.then((x) => x.close()).catch(() => {});
    },
  };
  const onFinished = (run: { notebookId: string; id: string }) => index.reread(run.notebookId, run.id);
  const runs: RunService = project.config.queue
    ? new QueuedRuns({ settings: queueSettings(project), runsDir, clock, titleOf: (id) => ctx.notebooks.all().find((n) => n.id === id)?.title ?? id, onFinished })
    : new RunManager({
        pdf: () => pdf.get(),
        dropPdf: () => pdf.drop(),
        state,
        runsDir,
        clock,
        maxConcurrent: options.maxConcurrentRuns ?? 2,
        runOptions: { now: options.clock, threads: options.runThreads ?? defaultRunThreads(), ...options.runOptions },
        onFinished,
      });
  const ctx: ServerContext = {
    root,
    project,
    runsDir,
    state,
    clock,
    runs,
    index,
    notebooks: new NotebookCatalog({ root, runsDir, project, state, clock, index }),
    auth: { tokens, sessions: new SessionSigner(), loopback, localUser: options.localUser ?? osUser() },
    audit: new AuditLog(root, clock),
    limits: { bodyBytes: options.maxBodyBytes ?? 1024 * 1024, uploadBytes: options.maxUploadBytes ?? 50 * 1024 * 1024 },
    pdf,
    async close() {
      await runs.close();
      await renderer?.then((x) => x.close()).catch(() => {});
      index.save();
      await state.close();
    },
  };
  return ctx;
}
