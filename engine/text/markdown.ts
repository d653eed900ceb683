import { Marked } from 'marked';
import { escapeHtml } from './escape.js';

const safe = new Marked({ gfm: true, renderer: { html: (token) => escapeHtml(token.text) } });
const trusting = new Marked({ gfm: true });

/** Markdown → HTML. Raw HTML in the markdown is shown as text unless `allowHtml`. */
export function renderMarkdown(markdown: string, allowHtml = false): string {
  const html = (allowHtml ? trusting : safe).parse(markdown, { async: false }) as string;
  return allowHtml ? html : stripUnsafeLinks(html);
}

/** `javascript:` links could run script even with HTML escaped; drop their target. */
function stripUnsafeLinks(html: string): string {
  return html.replace(/(href|src)="\s*(javascript|vbscript|data):[^"]*"/gi, '$1="#"');
}
