import { LineCounter, parseDocument, isMap, isScalar, isSeq, isPair, Scalar, visit, type Alias, type Document, type Node } from 'yaml';
import { UserError, type SourceLocation } from '../util/errors.js';

export type YamlPath = readonly (string | number)[];

const MAX_ALIAS_COUNT = 100;

/**
 * A parsed YAML file that remembers where every value came from, so any problem found later
 * (schema, SQL, Liquid, graph) can point at `file:line:col` with the offending line.
 */
export class YamlSource {
  readonly file: string;
  readonly text: string;
  readonly doc: Document;
  private readonly lines: string[];
  private readonly counter: LineCounter;

  private constructor(file: string, text: string, doc: Document, counter: LineCounter) {
    this.file = file;
    this.text = text;
    this.doc = doc;
    this.counter = counter;
    this.lines = text.split(/\r?\n/);
  }

  /** Parses `text`; malformed YAML throws one UserError per problem (all of them). */
  static parse(file: string, text: string): { source: YamlSource; errors: UserError[] } {
    const counter = new LineCounter();
    const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
    const source = new YamlSource(file, text, doc, counter);
    const errors = [...doc.errors].map(
      (e) =>
        new UserError('E_YAML', `malformed YAML: ${e.message.split('\n')[0]}`, {
          location: source.at(e.pos[0]),
          hint: 'check indentation, quotes and colons around this line (strings containing ": " or "#" need quotes)',
        }),
    );
    for (const alias of source.aliases()) {
      if (alias.resolve(doc) !== undefined) continue;
      errors.push(
        new UserError('E_YAML', `malformed YAML: alias *${alias.source} names no anchor (&${alias.source}) defined before it`, {
          location: source.at(alias.range?.[0] ?? 0),
          hint: `define &${alias.source} on a value above this line, or write the value out`,
        }),
      );
    }
    return { source, errors };
  }

  private aliases(): Alias[] {
    const found: Alias[] = [];
    visit(this.doc, { Alias: (_key, node) => void found.push(node) });
    return found;
  }

  /** The location of a character offset in the file. */
  at(offset: number): SourceLocation {
    const { line, col } = this.counter.linePos(Math.max(0, Math.min(offset, this.text.length)));
    return { file: this.file, line, col, snippet: this.lines[line - 1] ?? '' };
  }

  /** The plain value; aliases that expand past a bound (an "alias bomb") are a located E_YAML error. */
  toJS(): unknown {
    try {
      return this.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      const first = this.aliases()[0];
      throw new UserError('E_YAML', `malformed YAML: ${(err as Error).message}`, {
        location: this.at(first?.range?.[0] ?? 0),
        hint: `aliases (*name) may expand to at most ${MAX_ALIAS_COUNT} copies; write the values out instead`,
        cause: err,
      });
    }
  }

  /** The node at `path`, or undefined. */
  node(path: YamlPath): Node | undefined {
    let cur: unknown = this.doc.contents;
    for (const key of path) {
      if (isMap(cur)) {
        const pair = cur.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key));
        cur = pair?.value;
      } else if (isSeq(cur)) {
        cur = cur.items[Number(key)];
      } else return undefined;
    }
    return (cur ?? undefined) as Node | undefined;
  }

  /** Location of the value at `path`, falling back to the nearest ancestor that exists. */
  locate(path: YamlPath): SourceLocation {
    for (let n = path.length; n >= 0; n--) {
      const node = this.node(path.slice(0, n));
      if (node?.range) return this.at(node.range[0]);
    }
    return this.at(0);
  }

  /** Location of the key `key` of the map at `path` (for unknown keys). */
  locateKey(path: YamlPath, key: string): SourceLocation {
    const map = path.length ? this.node(path) : this.doc.contents;
    if (isMap(map)) {
      const pair = map.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === key);
      const k = pair?.key as Node | undefined;
      if (k?.range) return this.at(k.range[0]);
    }
    return this.locate(path);
  }

  /**
   * Location of character `offset` inside the string scalar at `path` — e.g. where DuckDB's
   * parser says a SQL error is. Block scalars (`|`, `>`) map line by line; others approximately.
   */
  locateInString(path: YamlPath, offset: number): SourceLocation {
    const node = this.node(path);
    if (!node || !isScalar(node) || !node.range) return this.locate(path);
    const value = String((node as Scalar).value ?? '');
    const before = value.slice(0, Math.max(0, offset));
    const lineInValue = before.split('\n').length - 1;
    const colInLine = before.length - (before.lastIndexOf('\n') + 1);
    const start = this.at(node.range[0]);
    if (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED) {
      const firstContentLine = start.line + 1;
      const line = firstContentLine + lineInValue;
      const text = this.lines[line - 1] ?? '';
      // The block's indentation is set by its first non-empty line.
      const first = this.lines.slice(firstContentLine - 1).find((l) => l.trim() !== '') ?? '';
      const indent = first.length - first.trimStart().length;
      return { file: this.file, line, col: indent + colInLine + 1, snippet: text };
    }
    if (lineInValue === 0) {
      const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE ? 1 : 0;
      return { ...start, col: start.col + quoted + colInLine };
    }
    return start;
  }
}
