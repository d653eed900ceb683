import { readFileSync } from 'node:fs';
import * as vl from 'vega-lite';
const R = process.argv[2];
const o = JSON.parse(readFileSync(R + '/outputs.json', 'utf8')).outputs.trend_chart.spec;
o.data.values = o.data.values.slice(0, 2);
console.log(JSON.stringify(o.data.values));
const c = vl.compile(o).spec;
console.log(JSON.stringify(c.data, null, 0).slice(0, 800));
console.log(JSON.stringify(c.marks[0].marks?.[0]?.encode?.update?.tooltip ?? c.marks.map(m=>m.encode?.update?.tooltip)));
