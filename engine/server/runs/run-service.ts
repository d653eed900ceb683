/**
 * Where the server's runs go: in this process (RunManager), or, with `queue:` in quire.yaml, to
 * the queue's workers (QueuedRuns). Routes and pages see only this.
 */
import type { Notebook } from '../../notebook/load.js';
import type { RunManifest } from '../../runs/runs.js';
import type { RunEvents } from './events.js';

export type ManagedStatus = 'queued' | 'running' | RunManifest['status'] | 'cancelled';

export interface ManagedRun {
  id: string;
  notebookId: string;
  title: string;
  status: ManagedStatus;
  params: Record<string, unknown>;
  startedBy: string;
  queuedAt: string;
  trigger: RunManifest['trigger'];
  events: RunEvents;
  /** The run folder, once it exists. */
  dir: string | null;
  manifest: RunManifest | null;
  /** Why it ended without a run folder (a notebook that failed its checks) or was cancelled. */
  error: string | null;
  done: Promise<void>;
  /** Started by another part of this process (the in-process scheduler): followed live here, not cancelled from here. */
  followed?: boolean;
}

export interface SubmitRequest {
  nb: Notebook;
  params: Record<string, unknown>;
  /** Param values are text (a form) rather than typed JSON values. */
  fromText?: boolean;
  startedBy: string;
  trigger?: RunManifest['trigger'];
}

export interface RunService {
  /** Resolves once the service can take runs (the queue connected); rejects when it can't. */
  ready(): Promise<void>;
  /** Checks the params (a bad one throws ValidationErrors, no run is made), then queues the run. */
  submit(req: SubmitRequest): Promise<ManagedRun>;
  get(id: string): ManagedRun | undefined;
  /** Runs waiting to start, first to start first. */
  readonly queued: ManagedRun[];
  readonly running: ManagedRun[];
  /** Cancels a queued run or stops a running one; false when it is not known as queued or running. */
  cancel(id: string, reason: string): Promise<boolean>;
  close(reason?: string): Promise<void>;
}
