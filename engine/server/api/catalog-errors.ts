/** Engine errors of the catalog routes that mean "no such thing" (404) or "already there" (409), not bad input (422). */
import { QuireError } from '../../util/errors.js';
import { fieldError, HttpProblem } from '../problem.js';

const STATUS: Record<string, 404 | 409 | 413> = {
  E_TEMPLATE_UNKNOWN: 404,
  E_METRIC_UNKNOWN: 404,
  E_TABLE_UNKNOWN: 404,
  E_UPLOAD_UNKNOWN: 404,
  E_TEMPLATE_TARGET_EXISTS: 409,
  E_TABLE_EXISTS: 409,
  E_UPLOAD_TOO_LARGE: 413,
};

/** Runs `fn`; an engine error with one of those codes is answered with its status (message, code and hint kept). */
export async function withStatus<T>(fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const status = err instanceof QuireError ? STATUS[err.code] : undefined;
    if (status && err instanceof QuireError) throw new HttpProblem(status, err.code, err.message, err.hint, [fieldError(err)]);
    throw err;
  }
}
