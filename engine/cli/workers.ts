export { registerWorkers as register } from './queue.js';
