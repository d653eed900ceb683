/**
 * What a chart may link to or load. A Vega `href` from data can hold any text; only http(s) links
 * are kept (others are dropped, never passed to vega-scenegraph, which crashes the process on a
 * rejected one). Charts load nothing: data comes inline, images and files are refused.
 */
import type { Loader } from 'vega';

/** An http(s) URL, after the whitespace and control characters browsers ignore inside a URL. */
export function isHttpUrl(url: unknown): url is string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: browsers drop control characters and spaces from URLs, so they are dropped before the scheme check
  return typeof url === 'string' && /^https?:/i.test(url.replace(/[\u0000-\u0020\u007f]+/g, ''));
}

/** A Vega loader that keeps http(s) links and loads nothing. */
export function safeChartLoader(vega: typeof import('vega')): Loader {
  const loader = vega.loader();
  loader.sanitize = async (uri: string, options: { context?: string }) => {
    if (options?.context !== 'href') throw new Error(`a chart may not load ${JSON.stringify(String(uri))}: data comes from the data cell`);
    // Resolving (not rejecting) without a target: vega's SVG string renderer reads the result's fields.
    return isHttpUrl(uri) ? { href: uri.trim(), rel: 'noopener noreferrer' } : { href: null as unknown as string };
  };
  loader.load = async (uri: string) => {
    throw new Error(`a chart may not load ${JSON.stringify(String(uri))}: data comes from the data cell`);
  };
  return loader;
}
