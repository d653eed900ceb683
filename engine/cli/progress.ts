import type { ExecEvent } from '../exec/executor.js';
import type { CellRecord } from '../runs/manifest.js';
import { countOf } from '../report/html/numbers.js';

const useColor = () => process.stdout.isTTY === true && !process.env.NO_COLOR;
const paint = (code: string, s: string) => (useColor() ? `\x1b[${code}m${s}\x1b[0m` : s);
export const green = (s: string) => paint('32', s);
export const red = (s: string) => paint('31', s);
export const yellow = (s: string) => paint('33', s);
export const dim = (s: string) => paint('2', s);
export const bold = (s: string) => paint('1', s);

/** A failed cell's detail: `file:line:col`, DuckDB's whole message (continuation lines indented) and the hint. */
function failure(error: CellRecord['error']): string {
  if (!error) return red('failed');
  const [first = '', ...more] = error.message.split('\n').filter((l) => l.trim() !== '');
  const lines = [`${error.location ? `${error.location}  ` : ''}${red(first)}`, ...more.map((l) => `    ${red(l)}`)];
  if (error.hint) lines.push(`    ${dim(`hint: ${error.hint}`)}`);
  return lines.join('\n');
}

/** A succeeded cell's warnings, one indented line each (`file:line:col`, message, hint). */
export function warningLines(warnings: CellRecord['warnings']): string[] {
  return (warnings ?? []).flatMap((w) => [`    ${yellow(`warning: ${w.message}`)}${w.location ? ` (${w.location})` : ''}`, ...(w.hint ? [`    ${dim(`hint: ${w.hint}`)}`] : [])]);
}

/**
 * Per-cell progress on stderr. On a TTY a status line shows what is running and finished cells
 * scroll above it; otherwise one plain line per event.
 */
export function progressPrinter(stream: NodeJS.WriteStream = process.stderr): { onEvent: (e: ExecEvent) => void; done: () => void } {
  const tty = stream.isTTY === true;
  const running = new Set<string>();
  const clearLine = () => tty && stream.write('\r\x1b[2K');
  const status = () => tty && running.size && stream.write(dim(`running: ${[...running].join(', ')}`));
  return {
    onEvent(e) {
      clearLine();
      if (e.kind === 'start') {
        running.add(e.id);
        if (!tty) stream.write(`start  ${e.id}\n`);
      } else {
        running.delete(e.id);
        const r = e.record;
        const mark = r.status === 'succeeded' ? green('✓') : r.status === 'failed' ? red('✗') : yellow('-');
        const detail =
          r.status === 'succeeded'
            ? dim(`${r.duration_ms} ms${r.rows === null ? '' : ` · ${countOf(r.rows, 'row')}`}`)
            : r.status === 'failed'
              ? failure(r.error)
              : dim(`skipped (${r.skipped_reason})`);
        stream.write(tty ? `${mark} ${r.id}  ${detail}\n` : `${r.status.padEnd(9)} ${r.id}  ${detail}\n`);
        for (const line of warningLines(r.warnings)) stream.write(`${line}\n`);
      }
      status();
    },
    done: () => clearLine(),
  };
}
