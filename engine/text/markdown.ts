import { Marked } from 'marked';
import { escapeHtml } from './escape.js';
import { sanitizeHtml } from './sanitize.js';

const safe = new Marked({ gfm: true, renderer: { html: (token) => escapeHtml(token.text) } });
const trusting = new Marked({ gfm: true });

/**
 * Markdown → sanitized HTML. Raw HTML in the markdown is shown as text unless `allowHtml`; either
 * way the result goes through the sanitizer, since params and data values can carry Markdown links
 * and images of their own.
 */
export function renderMarkdown(markdown: string, allowHtml = false): string {
  return sanitizeHtml((allowHtml ? trusting : safe).parse(markdown, { async: false }) as string);
}
