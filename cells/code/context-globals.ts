/**
 * Global lookups are slower than locals (~40× in a `vm` context, which analyze.ts compiles in). Code evaluated in an isolate (Arquero, the bridge, user code) is therefore wrapped in
 * a function whose parameters are the context's own builtins: the same objects, found as locals.
 */
const GLOBALS = [
  'Object',
  'Array',
  'Math',
  'Number',
  'String',
  'Boolean',
  'Date',
  'Map',
  'Set',
  'WeakMap',
  'WeakSet',
  'Symbol',
  'JSON',
  'Error',
  'TypeError',
  'RangeError',
  'SyntaxError',
  'RegExp',
  'Promise',
  'Reflect',
  'Proxy',
  'Intl',
  'BigInt',
  'ArrayBuffer',
  'DataView',
  'Float64Array',
  'Float32Array',
  'Int8Array',
  'Int16Array',
  'Int32Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Uint16Array',
  'Uint32Array',
  'BigInt64Array',
  'BigUint64Array',
  'isNaN',
  'isFinite',
  'parseFloat',
  'parseInt',
];

/** `expr` evaluated with the builtins bound as locals; kept on one line so line numbers inside stay. */
export function withLocalGlobals(expr: string, extra: readonly string[] = []): string {
  const names = [...GLOBALS, ...extra].join(', ');
  // __name: the helper esbuild (tsx, vitest) puts into functions' source when it runs TypeScript.
  return `(function (${names}) { const __name = (f) => f; return ${expr}\n}).call(globalThis, ${names})`;
}
