/** Picks a chart from column types when a visualization names none (the choice goes to the run log). */
import type { TableOutput } from '../../outputs.js';
import { fieldType } from './data.js';
import type { Shorthand } from './shorthand.js';

export type AutoPick = { chart: 'kpi'; y: string[]; reason: string } | { chart: 'table'; reason: string } | (Shorthand & { reason: string });

function describe(table: TableOutput, names: string[]): string {
  return names.map((n) => `${n} ${table.columns.find((c) => c.name === n)?.type ?? '?'}`).join(', ');
}

/**
 * date + number → line; category + number → bar (two categories + number → heatmap);
 * two numbers → scatter; one row of numbers → KPI cards; anything else → table.
 */
export function pickChart(table: TableOutput): AutoPick {
  const cols = table.columns.map((c) => ({ name: c.name, type: fieldType(c) }));
  const temporal = cols.filter((c) => c.type === 'temporal').map((c) => c.name);
  const numbers = cols.filter((c) => c.type === 'quantitative').map((c) => c.name);
  const categories = cols.filter((c) => c.type === 'nominal').map((c) => c.name);

  if (numbers.length && table.rowCount === 1 && !temporal.length && !categories.length) {
    const y = numbers.slice(0, 6);
    return { chart: 'kpi', y, reason: `one row of numbers (${describe(table, y)})` };
  }
  if (temporal.length && numbers.length) {
    const x = temporal[0]!;
    const y = numbers[0]!;
    const color = categories.length === 1 ? categories[0] : undefined;
    return { chart: 'line', x, y, ...(color ? { color } : {}), reason: `a date and a number (${describe(table, [x, y, ...(color ? [color] : [])])})` };
  }
  if (categories.length >= 2 && numbers.length) {
    const [x, y] = [categories[0]!, categories[1]!];
    const color = numbers[0]!;
    return { chart: 'heatmap', x, y, color, reason: `two categories and a number (${describe(table, [x, y, color])})` };
  }
  if (categories.length === 1 && numbers.length) {
    const x = categories[0]!;
    const y = numbers[0]!;
    return { chart: 'bar', x, y, reason: `a category and a number (${describe(table, [x, y])})` };
  }
  if (numbers.length >= 2) {
    const [x, y] = [numbers[0]!, numbers[1]!];
    return { chart: 'scatter', x, y, reason: `two numbers (${describe(table, [x, y])})` };
  }
  return {
    chart: 'table',
    reason: `no date, category and number to plot (${
      describe(
        table,
        table.columns.map((c) => c.name),
      ) || 'no columns'
    })`,
  };
}
