/**
 * A V8 code cache for the CLI bundle, what Node 22's `module.enableCompileCache()` does, for Node 20
 * which lacks it. The bundle's CommonJS chunks (scripts/bundle-cli.mjs) are compiled with the
 * bytecode an earlier `quire` process kept, so a command skips parsing and compiling its ~1 MB of
 * JavaScript. Built on its own into dist/cli/compile-cache.js and installed by bin/quire.js
 * before the first chunk loads.
 *
 * Kept per chunk, under its size and modification time, in a folder per Node version and bundle
 * path: a rebuilt chunk is a new entry, and V8 itself refuses bytecode for other flags (the chunk
 * is then compiled and kept anew).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join, sep } from 'node:path';
import { Script } from 'node:vm';

/** Entries kept in the cache folder; the oldest go first once a new one is written. */
const KEEP = 400;
/** `import(` with an argument: text that may be a dynamic import (a false match only costs the cache). */
const DYNAMIC_IMPORT = /\bimport\(\s*[^)\s]/;

type Compile = (this: NodeModule, content: string, filename: string) => unknown;
interface ModuleInternals {
  prototype: { _compile: Compile };
  wrap(code: string): string;
  _resolveFilename(request: string, parent: NodeModule, isMain: boolean, options?: unknown): string;
  _cache: unknown;
  _extensions: unknown;
  /** Node ≥ 22.1. */
  enableCompileCache?: (dir: string) => unknown;
  flushCompileCache?: () => void;
}

export interface CompileCache {
  readonly folder: string;
  /** Chunks compiled from kept bytecode, and compiled anew (none kept, or V8 refused it); 0 when Node keeps the cache. */
  readonly hits: number;
  readonly misses: number;
  /** Keeps the bytecode of the chunks compiled anew (done at exit). */
  save(): void;
  /** Back to Node's own compiling (tests). */
  uninstall(): void;
}

/**
 * Compiles the CommonJS files of `bundleDir` with kept bytecode from now on.
 * The folder is `QUIRE_COMPILE_CACHE` (`off` turns the cache off), else `quire-compile-cache-<uid>`
 * in the temp folder; one that isn't this user's alone is not used (null).
 */
export function installCompileCache(bundleDir: string, env: NodeJS.ProcessEnv = process.env): CompileCache | null {
  const folder = cacheFolder(env, bundleDir);
  if (!folder) return null;
  const M = Module as unknown as ModuleInternals;
  // Node 22.1+ keeps compiled code itself (ES modules too): its own cache, in the same folder.
  if (typeof M.enableCompileCache === 'function') {
    M.enableCompileCache(folder);
    return { folder, hits: 0, misses: 0, save: () => M.flushCompileCache?.(), uninstall: () => undefined };
  }
  const compile = M.prototype._compile;
  const unsaved: { script: Script; file: string }[] = [];
  const inBundle = bundleDir.endsWith(sep) ? bundleDir : bundleDir + sep;
  let hits = 0;
  let misses = 0;

  M.prototype._compile = function (this: NodeModule, content: string, filename: string) {
    // Scripts compiled here can't `import()` (that needs Node's own loader): a chunk that may is compiled by Node.
    if (!filename.startsWith(inBundle) || (content.includes('import(') && DYNAMIC_IMPORT.test(content))) return compile.call(this, content, filename);
    const file = join(folder, `${basename(filename, '.js')}-${keyOf(filename)}.bin`);
    let cachedData: Buffer | undefined;
    try {
      cachedData = readFileSync(file);
    } catch {
      /* not kept yet */
    }
    const script = new Script(M.wrap(content), { filename, cachedData });
    if (cachedData && !script.cachedDataRejected) hits++;
    else {
      misses++;
      unsaved.push({ script, file });
    }
    return run(script, this, filename);
  };

  const save = () => {
    if (!unsaved.length) return;
    const written = unsaved.splice(0).map(({ script, file }) => {
      try {
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, script.createCachedData());
        renameSync(tmp, file);
      } catch {
        /* a cache that can't be written only costs the next start its compile */
      }
      return basename(file);
    });
    prune(folder, written);
  };
  // Kept at exit, when the functions the command ran are compiled too and go into the bytecode.
  process.once('exit', save);
  return {
    folder,
    get hits() {
      return hits;
    },
    get misses() {
      return misses;
    },
    save,
    uninstall() {
      M.prototype._compile = compile;
      process.removeListener('exit', save);
    },
  };
}

/**
 * What a chunk's bytecode is kept under: its size and modification time, as the cell cache keys
 * files (a rebuild rewrites every chunk; hashing the ~1 MB a command loads would cost ~3 ms).
 */
function keyOf(filename: string): string {
  const st = statSync(filename, { bigint: true });
  return `${st.size}-${st.mtimeNs}`;
}

/** Runs a compiled CommonJS wrapper as Node would: (exports, require, module, __filename, __dirname). */
function run(script: Script, mod: NodeModule, filename: string): unknown {
  const M = Module as unknown as ModuleInternals;
  const require = Object.assign((id: string) => mod.require(id), {
    resolve: (request: string, options?: unknown) => M._resolveFilename(request, mod, false, options),
    cache: M._cache,
    extensions: M._extensions,
  });
  const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
  return wrapper.call(mod.exports, mod.exports, require, mod, filename, dirname(filename));
}

/**
 * The cache folder of a bundle (two checkouts of quire keep theirs apart) and a Node version,
 * made private to this user; null when turned off or not safely ours.
 */
function cacheFolder(env: NodeJS.ProcessEnv, bundleDir: string): string | null {
  const chosen = env.QUIRE_COMPILE_CACHE;
  if (chosen === 'off' || chosen === '0') return null;
  const uid = process.getuid?.() ?? 0;
  const base = chosen || join(tmpdir(), `quire-compile-cache-${uid}`);
  const node = join(base, `${process.version}-${process.arch}`);
  const folder = join(node, createHash('sha1').update(bundleDir).digest('hex').slice(0, 12));
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    // Bytecode from a folder someone else can write to would run as this user: only a private one is used.
    for (const dir of [base, node, folder]) {
      const st = statSync(dir);
      if ((process.getuid && st.uid !== uid) || (st.mode & 0o022) !== 0) return null;
    }
    return folder;
  } catch {
    return null;
  }
}

/** Drops the bytecode of earlier builds of the chunks just kept, then the oldest entries over KEEP. */
function prune(folder: string, written: string[]): void {
  const chunkOf = (entry: string) => entry.replace(/-\d+-\d+\.bin$/, '');
  const rebuilt = new Set(written.map(chunkOf));
  try {
    const entries = readdirSync(folder).filter((f) => f.endsWith('.bin'));
    const older = entries.filter((f) => rebuilt.has(chunkOf(f)) && !written.includes(f));
    for (const f of older) unlinkSync(join(folder, f));
    const left = entries.filter((f) => !older.includes(f));
    if (left.length <= KEEP) return;
    const byAge = left.map((f) => ({ f, t: statSync(join(folder, f)).mtimeMs })).sort((a, b) => b.t - a.t);
    for (const { f } of byAge.slice(KEEP)) unlinkSync(join(folder, f));
  } catch {
    /* another process pruned first */
  }
}
