/**
 * Errors as RFC 9457 `application/problem+json`: an engine error keeps its code, hint and
 * location; several at once (ValidationErrors) list each under `errors`, with the field they are
 * about when one is named (a param). A zod validation failure of a request is 422 with one entry
 * per field.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { FieldInputError, QuireError, ValidationErrors } from '../util/errors.js';

export interface FieldError {
  /** The request field (a param name, a body key path), when the error is about one. */
  field: string | null;
  code: string;
  message: string;
  hint: string | null;
  location: string | null;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  hint?: string | null;
  location?: string | null;
  errors?: FieldError[];
}

/** An error the server means to answer with (404 run not found, 409 run not running...). */
export class HttpProblem extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly hint?: string,
    /** The engine error's own entries (its field), when it was one. */
    readonly errors?: FieldError[],
  ) {
    super(message);
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Authentication required',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  413: 'Request too large',
  422: 'Invalid input',
  500: 'Internal error',
  503: 'Unavailable',
};

/** Status of an engine error by its code; user mistakes are 422 (the request was understood, its content is wrong). */
function statusOf(err: QuireError): ContentfulStatusCode {
  if (err.code.endsWith('_NOT_FOUND') || err.code === 'E_NO_RUN' || err.code === 'E_NOTEBOOK_MISSING') return 404;
  if (err.code === 'E_PATH_OUTSIDE') return 400;
  if (err.kind === 'operational') return 503;
  if (err.kind === 'unexpected') return 500;
  return 422;
}

/** The field an error is about: its own (FieldInputError), or the param its message names (`param "month" expects ...`). */
function fieldOf(err: QuireError): string | null {
  if (err instanceof FieldInputError) return err.field;
  const m = /\bparam "([^"]+)"/.exec(err.message);
  return m ? m[1] : null;
}

export function fieldError(err: QuireError): FieldError {
  const loc = err.location;
  return { field: fieldOf(err), code: err.code, message: err.message, hint: err.hint ?? null, location: loc ? `${loc.file}:${loc.line}:${loc.col}` : null };
}

export function problemOf(err: unknown): Problem {
  if (err instanceof HttpProblem) return make(err.status, err.code, err.message, { hint: err.hint ?? null, ...(err.errors ? { errors: err.errors } : {}) });
  if (err instanceof ValidationErrors) {
    return make(422, err.errors[0]?.code ?? err.code, err.errors.map((e) => e.message).join('; '), { errors: err.errors.map(fieldError) });
  }
  if (err instanceof QuireError) {
    const f = fieldError(err);
    return make(statusOf(err), err.code, err.message, { hint: f.hint, location: f.location, errors: [f] });
  }
  if (err instanceof HTTPException) return make(err.status, err.status === 413 ? 'E_TOO_LARGE' : `E_HTTP_${err.status}`, err.message || TITLES[err.status] || 'error');
  return make(500, 'E_INTERNAL', 'internal error: the server log has the details');
}

function make(status: number, code: string, detail: string, extra: Partial<Problem> = {}): Problem {
  return { type: `https://quire.dev/problems/${code}`, title: TITLES[status] ?? 'Error', status, code, detail, ...extra };
}

/** Answers a problem as application/problem+json. */
export function problemResponse(c: Context, problem: Problem): Response {
  return c.body(JSON.stringify(problem), problem.status as ContentfulStatusCode, { 'content-type': 'application/problem+json; charset=utf-8' });
}

/** A 422 from a zod validation failure of the request: one entry per field. */
export function zodProblem(issues: readonly { path: PropertyKey[]; message: string; code?: string }[]): Problem {
  const errors: FieldError[] = issues.map((i) => ({
    field: i.path.map(String).join('.') || null,
    code: 'E_REQUEST_INVALID',
    message: `${i.path.map(String).join('.') || 'request'}: ${i.message}`,
    hint: null,
    location: null,
  }));
  return make(422, 'E_REQUEST_INVALID', errors.map((e) => e.message).join('; '), { errors });
}
