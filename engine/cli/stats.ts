import type { Command } from 'commander';
import { sampleSize, type SampleSize } from '../stats/experiment-sample-size.js';
import { UserError } from '../util/errors.js';
import { bold, dim } from './progress.js';

function number(flag: string, text: string, ok: (x: number) => boolean, range: string): number {
  const x = Number(text);
  if (text.trim() === '' || !Number.isFinite(x) || !ok(x))
    throw new UserError('E_BAD_ARGUMENT', `${flag} ${text}: expected ${range}`, { hint: 'e.g. quire stats sample-size --baseline 0.10 --mde 0.02' });
  return x;
}

const pct = (x: number) => `${Number((x * 100).toPrecision(6))}%`;

function describe(s: SampleSize): string {
  const lines = [
    `${bold(s.perVariant.toLocaleString('en-US'))} units per variant, ${bold(s.total.toLocaleString('en-US'))} in all (${s.variants} variants)`,
    dim(`to detect ${pct(s.baseline)} → ${pct(s.target)} (${s.mde > 0 ? '+' : ''}${pct(s.mde)} absolute, ${s.mde > 0 ? '+' : ''}${pct(s.mde / s.baseline)} relative)`),
    dim(
      `two-sided two-proportion z-test, alpha ${s.alpha}${s.variants > 2 ? ` (${Number(s.alphaPerComparison.toPrecision(6))} per comparison with control, Bonferroni)` : ''}, power ${s.power}; Cohen's h ${s.effectSize.toFixed(4)}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

export function register(program: Command): void {
  const stats = program.command('stats').description('statistics for planning and reading experiments: sample-size');
  stats
    .command('sample-size')
    .description('units per variant a conversion A/B test needs to detect a lift (two-sided two-proportion z-test)')
    .requiredOption('--baseline <rate>', 'control conversion rate, e.g. 0.10')
    .requiredOption('--mde <lift>', 'smallest absolute lift worth detecting, e.g. 0.02 (10% → 12%)')
    .option('--alpha <alpha>', 'significance level', '0.05')
    .option('--power <power>', 'chance of detecting the lift when it is there', '0.8')
    .option('--variants <k>', 'arms including control; alpha is split over their comparisons with control', '2')
    .option('--json', 'print as JSON')
    .action((opts: { baseline: string; mde: string; alpha: string; power: string; variants: string; json?: boolean }) => {
      const baseline = number('--baseline', opts.baseline, (x) => x > 0 && x < 1, 'a rate between 0 and 1');
      const mde = number('--mde', opts.mde, (x) => x !== 0 && baseline + x > 0 && baseline + x < 1, `a non-zero lift keeping ${baseline} + lift between 0 and 1`);
      const alpha = number('--alpha', opts.alpha, (x) => x > 0 && x < 1, 'a level between 0 and 1');
      const power = number('--power', opts.power, (x) => x > 0 && x < 1, 'a power between 0 and 1');
      const variants = number('--variants', opts.variants, (x) => Number.isInteger(x) && x >= 2 && x <= 100, 'a whole number of arms from 2 to 100');
      const plan = sampleSize({ baseline, mde, alpha, power, variants });
      process.stdout.write(opts.json ? `${JSON.stringify(plan, null, 2)}\n` : describe(plan));
    });
}
