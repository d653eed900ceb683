/**
 * Static chart rendering without a browser: Vega-Lite → Vega → SVG in Node, SVG → PNG with resvg.
 * The libraries load on first use, so runs without charts never pay for them.
 */
import { safeChartLoader } from './links.js';
import { chartBackground, CHART_FONT, vegaLiteConfig, type Theme } from './theme.js';

type Spec = Record<string, unknown>;

let libs: Promise<{ vega: typeof import('vega'); vl: typeof import('vega-lite') }> | undefined;
function load() {
  libs ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vl]) => ({ vega, vl }));
  return libs;
}

const isObject = (v: unknown): v is Spec => typeof v === 'object' && v !== null && !Array.isArray(v);

function merge(base: Spec, over: Spec): Spec {
  const out: Spec = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isObject(v) && isObject(out[k]) ? merge(out[k] as Spec, v) : v;
  return out;
}

/** Collects Vega-Lite's warnings instead of printing them. */
function collectingLogger(warnings: string[]) {
  let lvl = 2;
  const logger = {
    level(l?: number) {
      if (l === undefined) return lvl;
      lvl = l;
      return logger;
    },
    error: (...a: unknown[]) => {
      warnings.push(a.map(String).join(' '));
      return logger;
    },
    warn: (...a: unknown[]) => {
      warnings.push(a.map(String).join(' '));
      return logger;
    },
    info: () => logger,
    debug: () => logger,
  };
  return logger;
}

/** A Vega-Lite spec with the theme's config under the spec's own, compiled to Vega. */
export async function compileVegaLite(spec: Spec, theme: Theme): Promise<{ vega: Spec; warnings: string[] }> {
  const { vl } = await load();
  const warnings: string[] = [];
  const themed = { ...spec, config: merge(vegaLiteConfig(theme), isObject(spec.config) ? spec.config : {}) };
  const out = vl.compile(themed as never, { logger: collectingLogger(warnings) as never });
  const compiled = out.spec as unknown as Spec;
  delete compiled.$schema; // a URL the report never fetches: left out
  return { vega: compiled, warnings };
}

/** Compiles and parses the spec as the renderers will (expressions included); throws what they would. */
export async function checkVegaLite(spec: Spec): Promise<string[]> {
  const { vega } = await load();
  const compiled = await compileVegaLite(spec, 'light');
  vega.parse(compiled.vega as never);
  return compiled.warnings;
}

/** The chart as an SVG document string (its own width/height/viewBox), drawn in Node. */
export async function renderSvg(spec: Spec, theme: Theme): Promise<{ svg: string; vega: Spec; warnings: string[] }> {
  const { vega } = await load();
  const compiled = await compileVegaLite(spec, theme);
  const view = new vega.View(vega.parse(compiled.vega as never), { renderer: 'none', logLevel: vega.Error, loader: safeChartLoader(vega) });
  try {
    const svg = await view.toSVG();
    if (!/<path|<rect|<circle|<line|<text/.test(svg.replace(/^<svg[^>]*>\s*<rect[^>]*\/>/, ''))) throw new Error('the chart drew nothing');
    return { svg, vega: compiled.vega, warnings: compiled.warnings };
  } finally {
    view.finalize();
  }
}

let resvg: Promise<typeof import('@resvg/resvg-js')> | undefined;

/** A PNG of an SVG at `scale` (2 = crisp on high-DPI screens and in Excel). */
export async function svgToPng(svg: string, theme: Theme = 'light', scale = 2): Promise<Buffer> {
  resvg ??= import('@resvg/resvg-js');
  const { Resvg } = await resvg;
  const family = CHART_FONT.split(',').map((f) => f.trim().replace(/"/g, ''));
  const r = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: chartBackground(theme),
    font: { loadSystemFonts: true, defaultFontFamily: family.includes('Liberation Sans') ? 'Liberation Sans' : family[0] },
  });
  return r.render().asPng();
}
