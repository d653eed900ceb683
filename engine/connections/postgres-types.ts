/**
 * Postgres result columns as DuckDB columns. Rows arrive as Postgres's text output (ISO dates,
 * `postgres` interval style, UTC); each column says its DuckDB type and the SQL that turns the
 * staged text into it, so nothing is lost to a JS number or Date on the way.
 */
import { DuckDBDecimalValue, type DuckDBAppender } from '@duckdb/node-api';
import { parse as parseArray } from 'postgres-array';
import { UserError } from '../util/errors.js';

export interface PgField {
  name: string;
  dataTypeID: number;
  dataTypeModifier: number;
}

export interface DuckColumn {
  name: string;
  type: string;
  /** Its column type in the staging table. */
  stagingType: string;
  /** DuckDB SQL turning the staged column `col` (a quoted identifier) into `type`. */
  convert(col: string): string;
  /** Appends the text Postgres sent to the staging row (arrays as JSON lists, decimals as decimals). */
  append(appender: DuckDBAppender, text: string): void;
}

const SCALARS: Record<number, string> = {
  16: 'BOOLEAN',
  20: 'BIGINT',
  21: 'SMALLINT',
  23: 'INTEGER',
  26: 'UBIGINT',
  700: 'FLOAT',
  701: 'DOUBLE',
  25: 'VARCHAR',
  1043: 'VARCHAR',
  1042: 'VARCHAR',
  19: 'VARCHAR',
  18: 'VARCHAR',
  1082: 'DATE',
  1114: 'TIMESTAMP',
  1184: 'TIMESTAMPTZ',
  1083: 'TIME',
  1266: 'TIMETZ',
  1186: 'INTERVAL',
  2950: 'UUID',
  114: 'JSON',
  3802: 'JSON',
  17: 'BLOB',
  1700: 'DECIMAL',
};

/** Array type oid → its element's oid. */
const ARRAYS: Record<number, number> = {
  1000: 16,
  1016: 20,
  1005: 21,
  1007: 23,
  1021: 700,
  1022: 701,
  1009: 25,
  1015: 1043,
  1014: 1042,
  1182: 1082,
  1115: 1114,
  1185: 1184,
  1187: 1186,
  2951: 2950,
  199: 114,
  3807: 3802,
  1231: 1700,
};

/**
 * Postgres's numeric text as a DuckDB decimal of `scale`, rounded half away from zero as a cast
 * would (DuckDB's VARCHAR → DECIMAL(38,x) cast is ~50× slower than this).
 */
export function decimalOf(text: string, width: number, scale: number): DuckDBDecimalValue {
  if (!/^-?\d+(\.\d+)?$/.test(text))
    throw new UserError('E_PG_TYPE', `the numeric value ${text} cannot be stored as DECIMAL(${width},${scale})`, {
      hint: 'filter out NaN and infinite values in the query, or cast the column to float8',
    });
  const negative = text.startsWith('-');
  const [whole, fraction = ''] = (negative ? text.slice(1) : text).split('.');
  const digits = (fraction + '0'.repeat(scale + 1)).slice(0, scale + 1);
  let value = BigInt(whole + digits.slice(0, scale));
  if (digits[scale] >= '5') value += 1n;
  return new DuckDBDecimalValue(negative ? -value : value, width, scale);
}

/** numeric(p,s) keeps its precision; plain `numeric` (e.g. a sum) becomes DECIMAL(38,10), wider ones DOUBLE. */
function decimal(typmod: number): string {
  if (typmod < 4) return 'DECIMAL(38,10)';
  const precision = ((typmod - 4) >> 16) & 0xffff;
  const scale = (typmod - 4) & 0xffff;
  return precision <= 38 ? `DECIMAL(${precision},${scale})` : 'DOUBLE';
}

function scalarType(oid: number, typmod: number): string {
  if (oid === 1700) return decimal(typmod);
  return SCALARS[oid] ?? 'VARCHAR';
}

const asVarchar = (appender: DuckDBAppender, text: string) => appender.appendVarchar(text);

/** Whether a column is a Postgres array (its text, `{1,2}`, is no DuckDB list as it is). */
export const isArrayField = (field: PgField): boolean => ARRAYS[field.dataTypeID] !== undefined;

/** Enums, domains of unknown oids, money, inet... come as VARCHAR: their text, exactly. */
export function duckColumn(field: PgField, name: string): DuckColumn {
  const element = ARRAYS[field.dataTypeID];
  if (element !== undefined) {
    const inner = element === 17 ? 'VARCHAR' : scalarType(element, field.dataTypeModifier);
    return {
      name,
      type: `${inner}[]`,
      stagingType: 'VARCHAR',
      convert: (col) => `CAST(CAST(${col} AS JSON) AS ${inner}[])`,
      append: (appender, text) => appender.appendVarchar(JSON.stringify(parseArray(text))),
    };
  }
  const type = scalarType(field.dataTypeID, field.dataTypeModifier);
  const decimal = /^DECIMAL\((\d+),(\d+)\)$/.exec(type);
  if (decimal) {
    const [width, scale] = [Number(decimal[1]), Number(decimal[2])];
    return { name, type, stagingType: type, convert: (col) => col, append: (appender, text) => appender.appendDecimal(decimalOf(text, width, scale)) };
  }
  if (type === 'BLOB') return { name, type, stagingType: 'VARCHAR', convert: (col) => `from_hex(substr(${col}, 3))`, append: asVarchar };
  return { name, type, stagingType: 'VARCHAR', convert: (col) => `CAST(${col} AS ${type})`, append: asVarchar };
}

/** Column names as DuckDB will take them: unique (`?column?` twice becomes `?column?_2`). */
export function uniqueNames(fields: readonly PgField[]): string[] {
  const seen = new Set<string>();
  return fields.map((f) => {
    let name = f.name;
    for (let i = 2; seen.has(name.toLowerCase()); i++) name = `${f.name}_${i}`;
    seen.add(name.toLowerCase());
    return name;
  });
}
