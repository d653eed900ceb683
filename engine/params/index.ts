export { PARAM_NAME_PATTERN, PARAM_TYPES, paramSpecSchema, paramsSchema } from './schema.js';
export type { ParamSpec, ParamType, Params } from './schema.js';
export {
  SQL_TYPES,
  checkDefault,
  coerceParamValue,
  describeValue,
  parseCliParams,
  resolveParams,
} from './resolve.js';
export type { CoerceContext, CoerceResult, ParamValue, ResolveOptions, ResolvedParams, SqlParamType } from './resolve.js';
export {
  RELATIVE_WORDS,
  RELATIVE_WORDS_BY_TYPE,
  assertTimezone,
  evaluateRelative,
  isRelativeWord,
  localDate,
  relativePeriod,
} from './relative.js';
export type { RelativeWord } from './relative.js';
export {
  PERIOD_TYPES,
  addMonths,
  daysInMonth,
  formatDate,
  formatMonth,
  formatQuarter,
  isLeapYear,
  isPeriodType,
  nextDay,
  parseDate,
  parseMonth,
  parsePeriod,
  parseQuarter,
  parseYear,
  periodBounds,
  previousDay,
  quarterOfMonth,
} from './periods.js';
export type { CalendarDate, Period, PeriodType } from './periods.js';
