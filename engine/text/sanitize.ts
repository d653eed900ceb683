/**
 * The one HTML sanitizer every rendered text cell goes through (`html: true` included), so that
 * neither a param value nor a data value can put script or a network fetch into a report:
 * an allowlist of tags and attributes, links only to http(s), mailto and #anchors, images only
 * from `data:` URIs (any other image is shown as its alt text).
 */
import { createRequire } from 'node:module';
import type sanitizeType from 'sanitize-html';

// Required on first use: runs whose reports have no text cell don't load it (or its CSS parser) at all.
const load = createRequire(import.meta.url);
let sanitizer: typeof sanitizeType | undefined;

const LINK_SCHEMES = ['http', 'https', 'mailto'];

/** Browsers drop ASCII whitespace and control characters inside a URL (`java\nscript:` runs). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: browsers drop control characters and spaces from URLs, so they are dropped before the scheme check
const squeeze = (url: string): string => url.replace(/[\u0000-\u0020\u007f]+/g, '');

/** A link target a report may keep: #anchor, http(s) or mailto (entities are already decoded here). */
export function isSafeLink(url: string): boolean {
  const u = squeeze(url);
  return u.startsWith('#') || /^(https?|mailto):/i.test(u);
}

/** An image source that makes no fetch: an inline `data:image/...` URI. */
export function isInlineImage(src: string): boolean {
  return /^data:image\//i.test(squeeze(src));
}

const options = (sanitize: typeof sanitizeType): sanitizeType.IOptions => ({
  allowedTags: [...sanitize.defaults.allowedTags, 'img', 'del', 'ins', 'input', 'details', 'summary', 'sup', 'sub', 'kbd', 'mark', 'figure', 'figcaption'],
  allowedAttributes: {
    a: ['href', 'title'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    th: ['align', 'colspan', 'rowspan'],
    td: ['align', 'colspan', 'rowspan'],
    ol: ['start', 'type'],
    input: ['type', 'checked', 'disabled'],
    code: ['class'],
    '*': ['class', 'lang', 'dir'],
  },
  allowedSchemes: LINK_SCHEMES,
  allowedSchemesByTag: { img: ['data'] },
  allowedSchemesAppliedToAttributes: ['href', 'src', 'cite'],
  allowProtocolRelative: false,
  allowedStyles: {},
  transformTags: {
    // A link to anywhere else keeps its text but loses its target.
    a: (tagName, attribs) => {
      const { href, ...rest } = attribs;
      return { tagName, attribs: href !== undefined && isSafeLink(href) ? { ...rest, href } : rest };
    },
    // A remote (or relative) image would be fetched when the report opens: show its alt text.
    img: (tagName, attribs) => (attribs.src !== undefined && isInlineImage(attribs.src) ? { tagName, attribs } : { tagName: 'span', attribs: { class: 'image-alt' }, text: attribs.alt ?? '' }),
    // Only checkboxes (GFM task lists), never a form field.
    input: (tagName, attribs) => (attribs.type === 'checkbox' ? { tagName, attribs: { ...attribs, disabled: '' } } : { tagName: 'span', attribs: {} }),
  },
});
let OPTIONS: sanitizeType.IOptions | undefined;

/** HTML with everything that could run script or fetch a URL removed. */
export function sanitizeHtml(html: string): string {
  sanitizer ??= load('sanitize-html') as typeof sanitizeType;
  OPTIONS ??= options(sanitizer);
  return sanitizer(html, OPTIONS);
}
