/**
 * The connections of one run (or of one `quire plan`): the project database as `default` and
 * every connection of quire.yaml, opened lazily through their types.
 */
import type { DuckAttachment } from '../duck/duck.js';
import { UserError } from '../util/errors.js';
import { sha256 } from '../util/hash.js';
import { DEFAULT_CONNECTION, type CacheDeclaration, type Connection } from './connection.js';
import { connectionType, type ConnectionConfig } from './index.js';

/** What a project (engine/project.ts) says of its connections. */
export interface ProjectConnections {
  root: string;
  config: {
    /** quire.yaml `database:`. */
    database: string;
    connections: Record<string, ConnectionConfig>;
  };
}

/** Data fingerprints for the cell cache, taken before the run plans it. */
export interface DataFingerprints {
  /** Everything attached to the DuckDB session: what a cell naming no connection may read. */
  database: string;
  /** By connection name; null when a connection can't tell when its data changed. */
  connections: Record<string, string | null>;
  /** By cell id: cells declaring their own `cache:` on a connection. */
  cells?: Record<string, string | null>;
}

/** A cell that declares its own `cache:` on a connection. */
export interface CellCacheDeclaration {
  id: string;
  connection: string;
  cache: CacheDeclaration;
}

export class RunConnections {
  private readonly byName = new Map<string, Connection>();

  /** `writers`: names of the connections some cell writes through (`mode: write`). */
  /** `now`: the run's clock, for cache windows of server connections (`cache: { ttl }`). */
  constructor(project: ProjectConnections, writers: ReadonlySet<string> = new Set(), now?: () => number) {
    const configs: [string, ConnectionConfig][] = [[DEFAULT_CONNECTION, { type: 'duckdb', path: project.config.database }], ...Object.entries(project.config.connections)];
    for (const [name, config] of configs) {
      const type = connectionType(config.type);
      if (type) this.byName.set(name, type.open(name, config, { root: project.root, write: writers.has(name), now }));
    }
  }

  /** A connection by name (default: the project database); an unknown or unsupported one is an error. */
  get(name: string = DEFAULT_CONNECTION): Connection {
    const c = this.byName.get(name);
    if (!c)
      throw new UserError('E_CONNECTION_UNKNOWN', `no connection '${name}' that quire can run queries on`, {
        hint: `connections: ${[...this.byName.keys()].join(', ')} (\`connections:\` in quire.yaml; \`quire validate\` checks a notebook's)`,
      });
    return c;
  }

  all(): Connection[] {
    return [...this.byName.values()];
  }

  /** The files the DuckDB session attaches, under their aliases. */
  attachments(): DuckAttachment[] {
    return this.all().flatMap((c) => c.attachments);
  }

  /** DuckSession options: the project database (read-write when a cell writes to it) and the other files. */
  sessionDatabases(): { database: string; write: boolean; attach: DuckAttachment[] } {
    const main = this.get(DEFAULT_CONNECTION).attachments[0];
    return { database: main?.path ?? ':memory:', write: main ? !main.readOnly : false, attach: this.attachments().filter((a) => a !== main) };
  }

  /**
   * A cell on a connection attached to the session can reach every attached file by its catalog,
   * so its fingerprint is theirs together; a server connection's is its own.
   */
  async fingerprints(declared: readonly CellCacheDeclaration[] = []): Promise<DataFingerprints> {
    const own = new Map<string, string | null>();
    for (const c of this.all()) own.set(c.name, await c.fingerprint());
    const attached = this.all().filter((c) => c.name === DEFAULT_CONNECTION || c.attachments.length > 0);
    const database = sha256(JSON.stringify(attached.map((c) => [c.name, own.get(c.name)])));
    const connections = Object.fromEntries(this.all().map((c) => [c.name, attached.includes(c) ? database : own.get(c.name)!]));
    const cells: Record<string, string | null> = {};
    for (const d of declared) {
      const c = this.byName.get(d.connection);
      if (c && !attached.includes(c)) cells[d.id] = await c.fingerprint(d.cache);
    }
    return { database, connections, cells };
  }

  async close(): Promise<void> {
    const failures: unknown[] = [];
    for (const c of this.all()) {
      try {
        await c.close();
      } catch (err) {
        failures.push(err);
      }
    }
    if (failures.length) throw new AggregateError(failures, `${failures.length} connection(s) failed to close`);
  }
}
