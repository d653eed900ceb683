import { liquid } from './liquid.js';

/**
 * The params a Liquid template reads (`params.month` → month), or undefined when that can't be
 * told (`params` used whole or with a computed key) or the template doesn't parse.
 */
export function templateParams(text: string, partials?: string): string[] | undefined {
  try {
    const l = liquid(partials);
    const names = new Set<string>();
    for (const segments of l.globalVariableSegmentsSync(l.parse(text))) {
      if (segments[0] !== 'params') continue;
      if (typeof segments[1] !== 'string') return undefined;
      names.add(segments[1]);
    }
    return [...names];
  } catch {
    return undefined;
  }
}

/** True when a template reads the clock (the `date` filter on "now" or "today"). */
export function templateReadsClock(text: string): boolean {
  return /["'](now|today)["']/i.test(text);
}
