/**
 * Where the server's runs go: in this process (RunManager), or, with `queue:` in quire.yaml, to
 * the queue's workers (QueuedRuns). Routes and pages see only this.
 */
import type { ManagedRun, SubmitRequest } from './run-manager.js';

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
