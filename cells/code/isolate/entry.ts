/**
 * The code run in a new context of a code cell's isolate before the cell: bundled with Arquero by
 * the build (scripts/bundle-cli.mjs → dist/cells/code/isolate.bundle.js), compiled once per
 * isolate. It leaves the run's entry (runner.ts) at globalThis.__quireRun, which the host takes
 * (and deletes) before the cell's code runs.
 */
import { takeLogs } from './install-shims.js'; // first: Arquero's Arrow reader looks for TextDecoder
import * as aq from 'arquero';
import { makeColumns } from './columns.js';
import { makeBridge } from './bridge.js';
import { makeRunner } from './runner.js';
import { makeStats } from './stats.js';

const g = globalThis as unknown as Record<string, unknown>;
// Nothing of a run may run later, during another run in this isolate; no WebAssembly (as before, in `vm`).
delete g.FinalizationRegistry;
delete g.WebAssembly;
const cols = makeColumns();
g.__quireRun = makeRunner(aq, makeStats(), cols, makeBridge(aq, cols), takeLogs);
