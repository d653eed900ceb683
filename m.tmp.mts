import { fitHoltWinters } from './engine/stats/forecast-hw.ts';
import { readFileSync } from 'node:fs';
const ys: number[][] = [];
for (let k = 0; k < 6; k++) ys.push(Array.from({ length: 1095 }, (_, t) => (100 + 3 * k + 0.05 * t) * [0.8, 1, 1.1, 1.15, 1.2, 1.05, 0.7][t % 7] * (1 + 0.1 * Math.sin(t * 12.9898 + k))));
let ev = 0, wev = 0;
for (const y of ys) for (const s of ['add', 'mul'] as const) { const f = fitHoltWinters(y, 7, s); ev += f.evaluations; wev += fitHoltWinters(y.slice(0, 1067), 7, s, f.params).evaluations; }
console.log('evals/fit', ev / 12, 'warm', wev / 12);
