/** Every state change made through the server (who, what, when), one JSON line each in `.quire/audit.jsonl` of the project. */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { User } from './auth/roles.js';

export interface AuditEntry {
  at: string;
  user: string;
  role: string;
  action: string;
  target: string;
  detail?: Record<string, unknown>;
}

export class AuditLog {
  readonly file: string;

  constructor(
    root: string,
    private readonly clock: () => Date,
  ) {
    this.file = join(root, '.quire', 'audit.jsonl');
  }

  record(user: User, action: string, target: string, detail?: Record<string, unknown>): void {
    const entry: AuditEntry = { at: this.clock().toISOString(), user: user.name, role: user.role, action, target, ...(detail ? { detail } : {}) };
    mkdirSync(dirname(this.file), { recursive: true });
    // One write of one line under PIPE_BUF: lines of concurrent writers don't interleave.
    appendFileSync(this.file, `${JSON.stringify(entry)}\n`);
  }
}
