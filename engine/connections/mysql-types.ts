/**
 * MySQL/MariaDB result columns as DuckDB columns, from the binary protocol's column metadata.
 * Values arrive as mysql2 gives them with quire's options (DECIMAL, BIGINT and dates as strings,
 * smaller numbers as numbers, binary as Buffers); each column appends them to a staging table
 * and says the SQL that turns the staged column into its type, so no digit is lost on the way.
 */
import type { DuckDBAppender } from '@duckdb/node-api';
import { UserError } from '../util/errors.js';
import { decimalOf } from './postgres-types.js';

/** What mysql2 says of a result column (its FieldPacket). */
export interface MysqlField {
  name: string;
  columnType?: number;
  flags?: number;
  characterSet?: number;
  columnLength?: number;
  decimals?: number;
  /** MariaDB's extended metadata: 'json' for a JSON column (sent as LONGTEXT). */
  extendedFormat?: string;
}

export interface DuckColumn {
  name: string;
  type: string;
  /** Its column type in the staging table. */
  stagingType: string;
  /** DuckDB SQL turning the staged column `col` (a quoted identifier) into `type`. */
  convert(col: string): string;
  append(appender: DuckDBAppender, value: unknown): void;
}

/** Protocol type codes (mysql2's Types). */
const T = {
  DECIMAL: 0,
  TINY: 1,
  SHORT: 2,
  LONG: 3,
  FLOAT: 4,
  DOUBLE: 5,
  NULL: 6,
  TIMESTAMP: 7,
  LONGLONG: 8,
  INT24: 9,
  DATE: 10,
  TIME: 11,
  DATETIME: 12,
  YEAR: 13,
  NEWDATE: 14,
  BIT: 16,
  JSON: 245,
  NEWDECIMAL: 246,
  GEOMETRY: 255,
};
const UNSIGNED = 32;
const ENUM = 256;
const SET = 2048;
const BINARY_CHARSET = 63;

const same = (col: string) => col;
const cast = (type: string) => (col: string) => `CAST(${col} AS ${type})`;
const asText = (appender: DuckDBAppender, value: unknown) => appender.appendVarchar(String(value));

/** Integers that mysql2 hands over as JS numbers, appended as they are. */
function integer(name: string, type: string, append: (a: DuckDBAppender, v: number) => void): DuckColumn {
  return { name, type, stagingType: type, convert: same, append: (a, v) => append(a, Number(v)) };
}

/** DECIMAL(p,s): the display length counts the sign (signed) and the point (scale > 0). */
function decimal(name: string, field: MysqlField): DuckColumn {
  const scale = field.decimals ?? 0;
  const precision = (field.columnLength ?? 0) - (scale > 0 ? 1 : 0) - ((field.flags ?? 0) & UNSIGNED ? 0 : 1);
  if (precision < 1 || precision > 38) return { name, type: 'DOUBLE', stagingType: 'VARCHAR', convert: cast('DOUBLE'), append: asText };
  const width = Math.max(precision, scale);
  const type = `DECIMAL(${width},${scale})`;
  return { name, type, stagingType: type, convert: same, append: (a, v) => a.appendDecimal(decimalOf(String(v), width, scale)) };
}

/** '0000-00-00' (MySQL's zero date) is no date: it becomes NULL. */
function temporal(name: string, type: string, convert: (col: string) => string): DuckColumn {
  return {
    name,
    type,
    stagingType: 'VARCHAR',
    convert: (col) => convert(`CASE WHEN starts_with(${col}, '0000-00-00') THEN NULL ELSE ${col} END`),
    append: asText,
  };
}

function time(name: string): DuckColumn {
  return {
    name,
    type: 'TIME',
    stagingType: 'VARCHAR',
    convert: cast('TIME'),
    append: (a, v) => {
      const text = String(v);
      if (!/^\d{2}:\d{2}:\d{2}(\.\d+)?$/.test(text) || text >= '24')
        throw new UserError('E_MYSQL_TYPE', `column ${name}: the TIME value ${text} is not a time of day`, {
          hint: 'MySQL TIME also holds durations; select TIME_TO_SEC(column) for those',
        });
      a.appendVarchar(text);
    },
  };
}

const blob: (name: string) => DuckColumn = (name) => ({
  name,
  type: 'BLOB',
  stagingType: 'BLOB',
  convert: same,
  append: (a, v) => a.appendBlob(new Uint8Array(v as Buffer)),
});

export function duckColumn(field: MysqlField, name: string): DuckColumn {
  const flags = field.flags ?? 0;
  const unsigned = (flags & UNSIGNED) !== 0;
  if (field.extendedFormat === 'json') return { name, type: 'JSON', stagingType: 'VARCHAR', convert: cast('JSON'), append: asText };
  switch (field.columnType) {
    case T.TINY:
      return unsigned ? integer(name, 'UTINYINT', (a, v) => a.appendUTinyInt(v)) : integer(name, 'TINYINT', (a, v) => a.appendTinyInt(v));
    case T.SHORT:
      return unsigned ? integer(name, 'USMALLINT', (a, v) => a.appendUSmallInt(v)) : integer(name, 'SMALLINT', (a, v) => a.appendSmallInt(v));
    case T.YEAR:
      return integer(name, 'SMALLINT', (a, v) => a.appendSmallInt(v));
    case T.LONG:
    case T.INT24:
      return unsigned ? integer(name, 'UINTEGER', (a, v) => a.appendUInteger(v)) : integer(name, 'INTEGER', (a, v) => a.appendInteger(v));
    case T.LONGLONG:
      return unsigned
        ? { name, type: 'UBIGINT', stagingType: 'UBIGINT', convert: same, append: (a, v) => a.appendUBigInt(BigInt(v as string)) }
        : { name, type: 'BIGINT', stagingType: 'BIGINT', convert: same, append: (a, v) => a.appendBigInt(BigInt(v as string)) };
    case T.FLOAT:
      return { name, type: 'FLOAT', stagingType: 'FLOAT', convert: same, append: (a, v) => a.appendFloat(Number(v)) };
    case T.DOUBLE:
      return { name, type: 'DOUBLE', stagingType: 'DOUBLE', convert: same, append: (a, v) => a.appendDouble(Number(v)) };
    case T.DECIMAL:
    case T.NEWDECIMAL:
      return decimal(name, field);
    case T.DATE:
    case T.NEWDATE:
      return temporal(name, 'DATE', cast('DATE'));
    case T.DATETIME:
      return temporal(name, 'TIMESTAMP', cast('TIMESTAMP'));
    case T.TIMESTAMP:
      // The session's time_zone is UTC, so the text is the instant in UTC.
      return temporal(name, 'TIMESTAMPTZ', (col) => `CAST(${col} || '+00' AS TIMESTAMPTZ)`);
    case T.TIME:
      return time(name);
    case T.JSON:
      return { name, type: 'JSON', stagingType: 'VARCHAR', convert: cast('JSON'), append: asText };
    case T.BIT:
      return {
        name,
        type: 'UBIGINT',
        stagingType: 'UBIGINT',
        convert: same,
        append: (a, v) => a.appendUBigInt((v as Buffer).reduce((acc, byte) => (acc << 8n) | BigInt(byte), 0n)),
      };
    case T.GEOMETRY:
      return blob(name);
    case T.NULL:
      return { name, type: 'VARCHAR', stagingType: 'VARCHAR', convert: same, append: asText };
  }
  if (flags & SET) return { name, type: 'VARCHAR[]', stagingType: 'VARCHAR', convert: (col) => `CASE WHEN ${col} = '' THEN []::VARCHAR[] ELSE string_split(${col}, ',') END`, append: asText };
  if (flags & ENUM) return { name, type: 'VARCHAR', stagingType: 'VARCHAR', convert: same, append: asText };
  // CHAR, VARCHAR, TEXT (a character set) or BINARY, VARBINARY, BLOB (the binary one).
  if (field.characterSet === BINARY_CHARSET) return blob(name);
  return { name, type: 'VARCHAR', stagingType: 'VARCHAR', convert: same, append: asText };
}

/** Column names as DuckDB will take them: unique, whatever the case (`a` and `A` twice become `A_2`). */
export function uniqueNames(fields: readonly MysqlField[]): string[] {
  const seen = new Set<string>();
  return fields.map((f) => {
    let name = f.name;
    for (let i = 2; seen.has(name.toLowerCase()); i++) name = `${f.name}_${i}`;
    seen.add(name.toLowerCase());
    return name;
  });
}
