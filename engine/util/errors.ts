/** Where in a source file a problem is. Lines and columns are 1-based. */
export interface SourceLocation {
  file: string;
  line: number;
  col: number;
  /** The offending source line(s), for display. */
  snippet?: string;
}

export type QuireErrorKind = 'user' | 'operational' | 'unexpected';

/**
 * Base of every error Quire shows to a person. `code` is stable (tests and scripts match on it);
 * `hint` says what to do. User errors print without a stack.
 */
export class QuireError extends Error {
  readonly code: string;
  readonly kind: QuireErrorKind;
  readonly location?: SourceLocation;
  readonly hint?: string;

  constructor(code: string, message: string, opts: { location?: SourceLocation; hint?: string; kind?: QuireErrorKind; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'QuireError';
    this.code = code;
    this.kind = opts.kind ?? 'user';
    this.location = opts.location;
    this.hint = opts.hint;
  }
}

/** Bad input from the user: a notebook, a param, a CLI argument. */
export class UserError extends QuireError {
  constructor(code: string, message: string, opts: { location?: SourceLocation; hint?: string; cause?: unknown } = {}) {
    super(code, message, { ...opts, kind: 'user' });
    this.name = 'UserError';
  }
}

/** Bad input in one named field of a request or form (a table name): shown beside that field. */
export class FieldInputError extends UserError {
  constructor(
    readonly field: string,
    code: string,
    message: string,
    opts: { hint?: string; cause?: unknown } = {},
  ) {
    super(code, message, opts);
    this.name = 'FieldInputError';
  }
}

/** IO, database, network trouble: not the user's notebook, not a bug. */
export class OperationalError extends QuireError {
  constructor(code: string, message: string, opts: { location?: SourceLocation; hint?: string; cause?: unknown } = {}) {
    super(code, message, { ...opts, kind: 'operational' });
    this.name = 'OperationalError';
  }
}

/** Several user errors found at once (validation reports all of them). */
export class ValidationErrors extends UserError {
  readonly errors: QuireError[];
  constructor(errors: QuireError[]) {
    super('E_VALIDATION', `${errors.length} problem${errors.length === 1 ? '' : 's'} found`);
    this.name = 'ValidationErrors';
    this.errors = errors;
  }
}

/** Renders an error as `file:line:col: message`, the snippet with a caret, and the hint. */
export function formatError(err: QuireError): string {
  const lines: string[] = [];
  const loc = err.location;
  const where = loc ? `${loc.file}:${loc.line}:${loc.col}: ` : '';
  lines.push(`${where}error[${err.code}]: ${err.message}`);
  if (loc?.snippet !== undefined) {
    const gutter = String(loc.line).length;
    lines.push(`${' '.repeat(gutter)} |`);
    lines.push(`${loc.line} | ${loc.snippet}`);
    lines.push(`${' '.repeat(gutter)} | ${' '.repeat(Math.max(0, loc.col - 1))}^`);
  }
  if (err.hint) lines.push(`  hint: ${err.hint}`);
  return lines.join('\n');
}

export function errorToJson(err: QuireError): Record<string, unknown> {
  return { code: err.code, kind: err.kind, message: err.message, location: err.location ?? null, hint: err.hint ?? null };
}
