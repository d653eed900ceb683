/**
 * The report's Content-Security-Policy, as a `<meta http-equiv>`: the page fetches nothing
 * (`default-src 'none'`, images only from `data:` URIs) and runs only Quire's own inline scripts
 * and styles, named by their SHA-256 hashes. Injected markup — were any to pass the sanitizer —
 * could neither run script (inline handlers, `javascript:` URLs) nor leak data by a request.
 */
import { createHash } from 'node:crypto';
import { attr } from '../../text/escape.js';

const hash = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/**
 * The policy for a page with these inline styles and scripts (their text). Style *attributes* are
 * allowed inline: the chart libraries set them as they draw (Plotly's text markup, by
 * setAttribute), and they can fetch nothing under `default-src 'none'`; text cells have theirs
 * removed by the sanitizer.
 */
export function contentSecurityPolicy(styles: string[], scripts: string[]): string {
  return [
    "default-src 'none'",
    'img-src data:',
    `style-src ${styles.map(hash).join(' ') || "'none'"}`,
    "style-src-attr 'unsafe-inline'",
    `script-src ${scripts.map(hash).join(' ') || "'none'"}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** The `<meta>` element carrying the policy. */
export function cspMeta(styles: string[], scripts: string[]): string {
  return `<meta http-equiv="Content-Security-Policy"${attr('content', contentSecurityPolicy(styles, scripts))}>`;
}
