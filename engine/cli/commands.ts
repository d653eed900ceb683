// One line per command; each file exports `register(program)`.
export { register as run } from './run.js';
export { register as validate } from './validate.js';
export { register as runs } from './runs.js';
export { register as graph } from './graph.js';
export { register as schema } from './schema.js';
export { register as demo } from './demo.js';
export { register as demoData } from './demo-data.js';
export { register as metrics } from './metrics.js';
export { register as export } from './export.js';
export { register as schedule } from './schedule.js';
export { register as scheduler } from './scheduler.js';
export { register as send } from './send.js';
export { register as plan } from './plan.js';
export { register as cache } from './cache.js';
export { register as rerun } from './rerun.js';
export { register as templates } from './templates.js';
