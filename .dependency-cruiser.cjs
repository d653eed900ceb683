/**
 * Import layering, checked in CI (`npm run lint:deps`): every import points down this list; a folder
 * never imports one above it, so no two folders import each other. Parsed with swc (TypeScript 7's
 * package has no JS API for dependency-cruiser to use), type-only imports included.
 */
const LAYERS = [
  // top: nothing imports these
  ['engine/cli'],
  ['engine/index.ts'],
  ['engine/server'],
  ['engine/queue'],
  ['engine/validate.ts'],
  ['engine/schedule'],
  ['engine/deliver'],
  ['engine/templates', 'engine/demo'],
  ['engine/exec'],
  ['engine/notebooks.ts'],
  ['cells'],
  ['engine/export'],
  ['engine/cache'],
  ['engine/report'],
  ['engine/runs'],
  ['engine/metrics', 'engine/stats'],
  ['engine/plan'],
  ['engine/notebook'],
  ['engine/cell-type.ts'],
  ['engine/project.ts'],
  ['engine/connections', 'engine/file-sources'],
  ['engine/sql', 'engine/text'],
  ['engine/params'],
  ['engine/duck'],
  ['engine/source'],
  ['engine/outputs.ts'],
  ['engine/util'],
];

const pathOf = (p) => `^${p.replace(/\./g, '\\.')}${p.endsWith('.ts') ? '$' : '/'}`;
const forbidden = LAYERS.flatMap((layer, i) => {
  const above = LAYERS.slice(0, i).flat();
  if (!above.length) return [];
  return [{
    name: `up-from-${layer.join('+').replace(/[^a-z]+/g, '-')}`,
    comment: `${layer.join(', ')} may only import what lies below it in .dependency-cruiser.cjs LAYERS`,
    severity: 'error',
    from: { path: layer.map(pathOf) },
    to: { path: above.map(pathOf) },
  }];
});

module.exports = {
  forbidden: [
    ...forbidden,
    {
      name: 'no-circular',
      comment: 'files importing each other, directly or through others',
      severity: 'error',
      from: { path: '^(engine|cells)/' },
      to: { circular: true },
    },
    {
      name: 'unlayered',
      comment: 'every source file sits in a layer of LAYERS: add a new folder there',
      severity: 'error',
      from: { path: '^(engine|cells)/', pathNot: LAYERS.flat().map(pathOf) },
      to: {},
    },
  ],
  options: {
    parser: 'swc',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
  },
};
