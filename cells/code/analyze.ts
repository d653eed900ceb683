/** Static checks of a code cell's JavaScript, on the engine's thread (compiled, never run). */
import vm from 'node:vm';
import { codeFileName, lineInCode } from './protocol.js';
import { withLocalGlobals } from './context-globals.js';

/** Names a code cell puts in scope before its inputs. */
export const SCOPE_NAMES = ['aq', 'op', 'params', 'stats'] as const;

const RESERVED = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false finally for function if import in ' +
    'instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package ' +
    'private protected public await arguments eval undefined NaN Infinity globalThis'
  ).split(' '),
);

/** Why an input id can't be a JavaScript variable name in the cell's scope, or null when it can. */
export function inputNameProblem(name: string): string | null {
  if ((SCOPE_NAMES as readonly string[]).includes(name)) return `'${name}' is already in scope (aq, op, params and stats are)`;
  if (RESERVED.has(name)) return `'${name}' is a JavaScript reserved word`;
  return null;
}

/** The function a cell's code becomes; line 1 of the code is line 1 in errors. */
export function wrapCode(code: string, inputs: readonly string[]): string {
  return withLocalGlobals(`(function (${[...SCOPE_NAMES, ...inputs].join(', ')}) { 'use strict';\n${code}\n})`, ['TextDecoder', 'TextEncoder', 'console']);
}

/** A syntax error of the code with its line and column in the code, or null. */
export function syntaxError(cellId: string, code: string, inputs: readonly string[]): { message: string; line: number; column: number } | null {
  try {
    new vm.Script(wrapCode(code, inputs), { filename: codeFileName(cellId), lineOffset: -1 });
    return null;
  } catch (err) {
    const e = err as Error;
    const where = lineInCode(String(e.stack ?? ''), cellId);
    return { message: e.message, line: Math.max(1, where?.line ?? 1), column: where?.column ?? 1 };
  }
}

/** Character offset of (line, column), both 1-based, in `text`. */
export function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', offset);
    if (nl < 0) break;
    offset = nl + 1;
  }
  return Math.min(text.length, offset + Math.max(0, column - 1));
}

/**
 * The params the code reads, when that can be told from its text: every use of the name `params`
 * is `params.<name>` and nothing reaches the scope another way (eval, Function, arguments, with).
 * Otherwise undefined: all of them count.
 */
export function paramsUsed(code: string): string[] | undefined {
  if (/\b(eval|Function|arguments|with|globalThis|this)\b/.test(code)) return undefined;
  const all = code.match(/\bparams\b/g)?.length ?? 0;
  const names = new Set<string>();
  let dotted = 0;
  for (const m of code.matchAll(/\bparams\s*\.\s*([A-Za-z_$][\w$]*)/g)) {
    names.add(m[1]);
    dotted++;
  }
  return dotted === all ? [...names] : undefined;
}
