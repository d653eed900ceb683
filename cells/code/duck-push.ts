/**
 * A table's vectors pushed to JS by DuckDB's own parallel scan: a volatile scalar function gets
 * every chunk of `SELECT count(f(token × 2^32 + rowid, expr...)) FROM table` on the JS thread while
 * DuckDB's threads go on scanning. Fetching a result instead costs a thread round trip and one
 * more copy per 2,048 rows. Chunks arrive in any order: a chunk's first rowid says where it goes,
 * and the chunks must tile the rows exactly (which they do only if each one's rowids are
 * consecutive), or the caller reads another way.
 */
import duckdb from '@duckdb/node-bindings';
import { ANY, BOOLEAN, DuckDBScalarFunction, type DuckDBConnection } from '@duckdb/node-api';

const FN = 'quire_push_chunk';
/** A reader's token is a multiple of this, plus the row id: row ids stay below it; token × it below 2^52. */
const ROWS_PER_TOKEN = 2 ** 32;

/** Vector of a chunk holding the first of the pushed expressions. */
export const FIRST_COLUMN = 1;

/** Gets the rows [at, at + rows) of the table (at + rows ≤ its row count); expression i is vector FIRST_COLUMN + i. */
export type OnChunk = (input: duckdb.DataChunk, rows: number, at: number) => void;

interface Reader {
  onChunk: OnChunk;
  types: readonly duckdb.Type[];
  count: number;
  /** [first rowid, rows] of each chunk. */
  spans: [number, number][];
  outOfOrder: boolean;
  /** Whether the vectors' types were checked (every chunk of a query has the same). */
  checked: boolean;
}

const readers = new Map<number, Reader>();
const registered = new WeakSet<DuckDBConnection>();

/** Thrown when the chunks did not tile the rows: the caller reads another way. */
export class NotConsecutive extends Error {}

/** The function's body; its value is never read (count() only looks at NULLs), so it's left as is. */
function dispatch(input: duckdb.DataChunk): void {
  const rows = duckdb.data_chunk_get_size(input);
  if (rows === 0) return;
  // Vector 0 holds token × 2^32 + rowid: one read gives both the reader and where the rows go.
  const head = duckdb.vector_get_data(duckdb.data_chunk_get_vector(input, 0), 8);
  const tagged = new Float64Array(head.buffer, head.byteOffset, 1)[0];
  const token = Math.floor(tagged / ROWS_PER_TOKEN);
  const reader = readers.get(token);
  // Only our own query knows a live (random) token; the types are checked too, as vectors are read raw.
  if (!reader) throw new Error(`${FN} is internal to code cells`);
  if (!reader.checked) {
    if (duckdb.data_chunk_get_column_count(input) !== reader.types.length + 1) throw new Error(`${FN} is internal to code cells`);
    for (let i = 0; i < reader.types.length; i++) {
      const type = duckdb.get_type_id(duckdb.vector_get_column_type(duckdb.data_chunk_get_vector(input, i + 1)));
      if (type !== reader.types[i]) throw new Error(`${FN} is internal to code cells`);
    }
    reader.checked = true;
  }
  const at = tagged - token * ROWS_PER_TOKEN;
  if (!(at >= 0 && at + rows <= reader.count)) {
    reader.outOfOrder = true;
    throw new Error('rows out of order');
  }
  reader.spans.push([at, rows]);
  reader.onChunk(input, rows, at);
}

/** Whether spans (sorted here) cover [0, count) exactly once. */
function tiles(spans: [number, number][], count: number): boolean {
  spans.sort((a, b) => a[0] - b[0]);
  let end = 0;
  for (const [at, rows] of spans) {
    if (at !== end) return false;
    end += rows;
  }
  return end === count;
}

/** Registers the function once per database (each cell has a connection of its own; all calls go to `dispatch`). */
async function register(conn: DuckDBConnection): Promise<void> {
  if (registered.has(conn)) return;
  const known = await conn.runAndReadAll(`SELECT count(*) FROM duckdb_functions() WHERE function_name = '${FN}'`);
  if (Number(known.getRows()[0][0]) === 0) {
    // Two connections may both get here: registering again just replaces it.
    const fn = DuckDBScalarFunction.create({ name: FN, mainFunction: () => undefined, returnType: BOOLEAN, varArgsType: ANY, volatile: true });
    // The raw callback: node-api's wraps the chunk and the output vector in objects on every call.
    duckdb.scalar_function_set_function(fn.scalar_function, (_info, input) => dispatch(input));
    conn.registerScalarFunction(fn);
  }
  registered.add(conn);
}

/**
 * Has DuckDB scan `table` (trusted SQL, a table with rowids 0..count-1) and push `exprs` of each
 * chunk to `onChunk`; `types` are the DuckDB types of the expressions. Throws NotConsecutive when
 * the chunks did not tile the table's rows. `params` are bound to the expressions' `?`s, in order.
 */
export async function pushChunks(conn: DuckDBConnection, table: string, count: number, exprs: string[], types: duckdb.Type[], params: string[], onChunk: OnChunk): Promise<void> {
  await register(conn);
  if (count >= ROWS_PER_TOKEN) throw new NotConsecutive('too many rows to tag');
  let token: number;
  do token = 1 + Math.floor(Math.random() * (2 ** 20 - 1));
  while (readers.has(token));
  const reader: Reader = { onChunk, types, count, spans: [], outOfOrder: false, checked: false };
  readers.set(token, reader);
  try {
    const sql = `SELECT count(${FN}((${token * ROWS_PER_TOKEN}::BIGINT + rowid)::DOUBLE${exprs.map((e) => `, ${e}`).join('')})) FROM ${table}`;
    await (params.length ? conn.run(sql, params) : conn.run(sql));
  } catch (err) {
    throw reader.outOfOrder ? new NotConsecutive('rows out of order') : err;
  } finally {
    readers.delete(token);
  }
  if (!tiles(reader.spans, count)) throw new NotConsecutive('rows out of order');
}
