/**
 * The scripts a report with charts carries, all inline (the file works offline): the chart
 * libraries it needs and a small runtime. The runtime draws interactive charts on screen, draws
 * Plotly figures statically for print, and always ends by setting `window.__quireCharts` to
 * `{ done: true, failed: [...] }` — the PDF printer waits for that signal.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const cache = new Map<string, string>();

/** A file of an installed package, found from its entry point (package `exports` hide the rest). */
function packageFile(pkg: string, file: string | null): string {
  const entry = require.resolve(pkg);
  if (file === null) return entry;
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === pkg) return join(dir, file);
  }
  throw new Error(`cannot find ${file} of the package ${pkg}`);
}

/** A library bundle as inline script text. */
function bundle([pkg, file]: readonly [string, string | null]): string {
  const key = `${pkg}/${file}`;
  let js = cache.get(key);
  if (js === undefined) {
    js = readFileSync(packageFile(pkg, file), 'utf8')
      .replace(/<\/script/gi, '<\\/script')
      .replace(/<!--/g, '<\\!--');
    cache.set(key, js);
  }
  return js;
}

export const VEGA_BUNDLE = ['vega', 'build/vega.min.js'] as const;
const INTERPRETER_MODULE = ['vega-interpreter', null] as const;

/**
 * Vega's expression interpreter as a classic script setting `window.vegaInterpreter`: Vega's own
 * expression compiler uses `new Function`, which the report's CSP forbids. The package ships only
 * an ES module importing three helpers of vega-util, which the Vega bundle exports.
 */
function vegaInterpreter(): string {
  const key = 'vega-interpreter/classic';
  let js = cache.get(key);
  if (js === undefined) {
    const module = bundle(INTERPRETER_MODULE);
    const imports = /^import \{([^}]*)\} from 'vega-util';$/m.exec(module);
    const exported = /^export \{ (\w+) as expressionInterpreter \};$/m.exec(module);
    if (!imports || !exported) throw new Error('vega-interpreter: unexpected module shape (pin a version this code knows)');
    const names = imports[1]!
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean);
    const body = module
      .replace(imports[0], '')
      .replace(exported[0], '')
      .replace(/^\/\/# sourceMappingURL=.*$/m, '');
    js = `(function (vega) {\n${names.map((n) => `var ${n} = vega.${n};`).join('\n')}\n${body}\nwindow.vegaInterpreter = { expressionInterpreter: ${exported[1]} };\n})(window.vega);`;
    cache.set(key, js);
  }
  return js;
}
export const PLOTLY_BUNDLE = ['plotly.js-dist-min', null] as const;

type Bundle = readonly [string, string | null];

/**
 * Plotly's partial bundles (same version as the full one), smallest first, with the trace types
 * each holds: a report inlines the smallest that draws all its figures, so one bar chart costs
 * 1.2 MB instead of the full library's 4.8 MB.
 */
const PLOTLY_PARTIALS: { bundle: Bundle; traces: ReadonlySet<string> }[] = [
  { bundle: ['plotly.js-basic-dist-min', null], traces: new Set(['scatter', 'bar', 'pie']) },
  {
    bundle: ['plotly.js-cartesian-dist-min', null],
    traces: new Set(['scatter', 'bar', 'pie', 'box', 'contour', 'heatmap', 'histogram', 'histogram2d', 'histogram2dcontour', 'image', 'scatterternary', 'violin']),
  },
];

/** The smallest Plotly bundle drawing these trace types (a trace without `type` is a scatter). */
export function plotlyBundleFor(traceTypes: Iterable<string>): Bundle {
  const types = [...traceTypes];
  return PLOTLY_PARTIALS.find((p) => types.every((t) => p.traces.has(t)))?.bundle ?? PLOTLY_BUNDLE;
}

const RUNTIME = String.raw`
(function () {
  'use strict';
  var state = (window.__quireCharts = { done: false, failed: [] });
  var print = document.documentElement.getAttribute('data-mode') === 'print';
  var tip;
  function showTip(event, value) {
    if (!tip) { tip = document.createElement('div'); tip.className = 'chart-tip'; document.body.appendChild(tip); }
    if (value === undefined || value === null || value === '') { tip.style.display = 'none'; return; }
    tip.textContent = '';
    if (typeof value === 'object') {
      var table = document.createElement('table');
      Object.keys(value).forEach(function (k) {
        var tr = table.insertRow(), a = tr.insertCell(), b = tr.insertCell();
        a.textContent = k; b.textContent = String(value[k]);
      });
      tip.appendChild(table);
    } else tip.textContent = String(value);
    tip.style.display = 'block';
    var x = event.clientX + 14, y = event.clientY + 14, w = tip.offsetWidth, h = tip.offsetHeight;
    if (x + w > window.innerWidth - 8) x = event.clientX - w - 14;
    if (y + h > window.innerHeight - 8) y = event.clientY - h - 14;
    tip.style.left = x + 'px'; tip.style.top = y + 'px';
  }
  function drawn(canvas) {
    var svg = canvas.querySelector('svg');
    if (!svg) return false;
    var box = svg.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && svg.querySelectorAll('path,rect,circle,line,text').length > 0;
  }
  function fail(fig, i, err) {
    var message = (err && err.message) || String(err);
    state.failed.push({ index: i, cell: (fig.closest('section') || {}).id || null, error: message });
    fig.setAttribute('data-failed', 'true');
    var p = document.createElement('div');
    p.className = 'panel panel-error chart-error';
    p.setAttribute('role', 'alert');
    p.textContent = 'Chart not drawn: ' + message;
    fig.appendChild(p);
  }
  function draw(fig, i) {
    var canvas = fig.querySelector('.chart-canvas');
    var specEl = fig.querySelector('script.chart-spec');
    var engine = fig.getAttribute('data-engine');
    if (fig.getAttribute('data-failed') === 'true') { state.failed.push({ index: i, cell: (fig.closest('section') || {}).id || null, error: fig.textContent.trim() }); return Promise.resolve(); }
    if (!canvas) return Promise.resolve();
    if (engine === 'plotly') {
      if (!window.Plotly) return Promise.reject(new Error('the Plotly library is missing'));
      var fig0 = JSON.parse(specEl.textContent);
      var config = Object.assign({ displaylogo: false, responsive: !print }, fig0.config || {}, print ? { staticPlot: true } : {});
      return window.Plotly.newPlot(canvas, fig0.data || [], fig0.layout || {}, config).then(function () {
        if (!drawn(canvas)) throw new Error('Plotly drew nothing');
      });
    }
    if (print || !specEl || !window.vega) {
      return drawn(canvas) ? Promise.resolve() : Promise.reject(new Error('the chart SVG is missing or empty'));
    }
    var holder = document.createElement('div');
    // The AST and the interpreter: no 'unsafe-eval' in the CSP. Links only to http(s), loads none.
    var vega = window.vega;
    var loader = vega.loader();
    loader.sanitize = function (uri, opt) {
      var ok = opt && opt.context === 'href' && typeof uri === 'string' && /^https?:/i.test(uri.replace(/[\u0000-\u0020\u007f]+/g, ''));
      return ok ? Promise.resolve({ href: uri.trim(), rel: 'noopener noreferrer' }) : Promise.reject(new Error('link or load refused'));
    };
    loader.load = function () { return Promise.reject(new Error('a report chart loads nothing')); };
    var view = new vega.View(vega.parse(JSON.parse(specEl.textContent), null, { ast: true }), {
      renderer: 'svg', hover: true, loader: loader, expr: window.vegaInterpreter.expressionInterpreter,
    });
    view.tooltip(function (handler, event, item, value) { showTip(event, value); });
    return view.initialize(holder).runAsync().then(function () {
      canvas.textContent = '';
      canvas.appendChild(holder);
      if (!drawn(canvas)) throw new Error('Vega drew nothing');
      fig.style.removeProperty('--chart-width');
      views.push({ view: view, canvas: canvas });
      return fit(view, canvas);
    });
  }
  // On screen a chart is laid out again at the width of its card (not stretched).
  var views = [];
  function fit(view, canvas) {
    var svg = canvas.querySelector('svg');
    var width;
    try { width = view.signal('width'); } catch (e) { return Promise.resolve(); }
    var extra = Math.floor(canvas.clientWidth - Number(svg.getAttribute('width')));
    if (!isFinite(extra) || Math.abs(extra) < 4 || typeof width !== 'number') return Promise.resolve();
    return view.signal('width', Math.max(240, width + extra)).runAsync();
  }
  var timer;
  window.addEventListener('resize', function () {
    clearTimeout(timer);
    timer = setTimeout(function () { views.forEach(function (v) { fit(v.view, v.canvas); }); }, 150);
  });
  var figs = Array.prototype.slice.call(document.querySelectorAll('figure.chart'));
  var ready = document.fonts && document.fonts.ready ? document.fonts.ready : Promise.resolve();
  ready.then(function () {
    return Promise.all(figs.map(function (fig, i) {
      var p;
      try { p = draw(fig, i); } catch (err) { p = Promise.reject(err); }
      return p.catch(function (err) { fail(fig, i, err); });
    }));
  }).then(function () { state.done = true; }, function (err) { state.failed.push({ index: -1, cell: null, error: String(err) }); state.done = true; });
})();
`;

/**
 * Plotly adds `<style>` elements of its own: empty ones whose rules it inserts through the CSSOM
 * (allowed by the hash of the empty text), and MapLibre's CSS, which it skips when an element of
 * that id exists. Map traces need tiles from the network, so reports never use that CSS: an empty
 * placeholder of that id keeps the page within its CSP.
 */
export function plotlyStylePlaceholders(traceTypes: Iterable<string> = []): string {
  const ids = [...bundle(plotlyBundleFor(traceTypes)).matchAll(/getElementById\("([0-9a-f]{64})"\)\)\{var [\w$]+=document\.createElement\("style"\)/g)].map((m) => m[1]!);
  return ids.map((id) => `<style id="${id}"></style>`).join('');
}

/** Just the Plotly library, as a `<script>` element. */
export function plotlyScript(): string {
  return `<script>${bundle(PLOTLY_BUNDLE)}</script>`;
}

export interface ScriptNeeds {
  vega: boolean;
  plotly: boolean;
  /** The trace types of the report's Plotly figures, which choose the bundle. */
  plotlyTraces?: Iterable<string>;
}

/** The inline scripts (their text) of a page with charts, in order; none when there are no charts. */
export function chartScriptTexts(needs: ScriptNeeds & { charts: boolean }): string[] {
  if (!needs.charts) return [];
  const parts: string[] = [];
  if (needs.vega) parts.push(bundle(VEGA_BUNDLE), vegaInterpreter());
  if (needs.plotly) parts.push(bundle(plotlyBundleFor(needs.plotlyTraces ?? [])));
  parts.push(RUNTIME);
  return parts;
}
