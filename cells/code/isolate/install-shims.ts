/** First module of the isolate's bundle: the globals Arquero and the cell's code expect, before Arquero loads. */
import { installShims } from './shims.js';

export const { takeLogs } = installShims(globalThis as unknown as Record<string, unknown>);
