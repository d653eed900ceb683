/** The events of one run, kept in order so a late subscriber gets the history, then live ones. */
export type RunEventType = 'queued' | 'started' | 'cell-started' | 'cell-finished' | 'finished';

export interface RunEvent {
  seq: number;
  type: RunEventType;
  at: string;
  data: Record<string, unknown>;
}

export type RunListener = (e: RunEvent) => void;

export class RunEvents {
  readonly history: RunEvent[] = [];
  private readonly listeners = new Set<RunListener>();
  private ended = false;

  constructor(private readonly clock: () => Date) {}

  emit(type: RunEventType, data: Record<string, unknown>): void {
    if (this.ended) return;
    const e: RunEvent = { seq: this.history.length + 1, type, at: this.clock().toISOString(), data };
    this.history.push(e);
    if (type === 'finished') this.ended = true;
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch {
        /* one broken subscriber does not stop the others */
      }
    }
    if (this.ended) this.listeners.clear();
  }

  get finished(): boolean {
    return this.ended;
  }

  /** Replays the history to `listener`, then sends it live events until the run finishes; returns the unsubscribe. */
  subscribe(listener: RunListener): () => void {
    for (const e of this.history) listener(e);
    if (this.ended) return () => {};
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscribers(): number {
    return this.listeners.size;
  }
}
