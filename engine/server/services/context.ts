/** What the catalog services (templates, metrics, tables, uploads) need of the server: a part of ServerContext. */
import type { Project } from '../../project.js';
import type { EngineState } from '../../util/state.js';

export interface ServiceContext {
  project: Project;
  /** The server's engine state: DuckDB pool, staged uploads, picture jobs; closed with the server. */
  state: EngineState;
  /** The clock (upload expiry, template pictures' runs). */
  clock: () => Date;
}
