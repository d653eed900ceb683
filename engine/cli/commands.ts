// One line per command; each file exports `register(program)`.
export { register as run } from './run.js';
export { register as validate } from './validate.js';
export { register as runs } from './runs.js';
export { register as graph } from './graph.js';
export { register as schema } from './schema.js';
export { register as demo } from './demo.js';
export { register as demoData } from './demo-data.js';
