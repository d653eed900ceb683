const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes a string for HTML text and for quoted attribute values alike (& < > " ').
 * Every string that comes from a report model goes through here; only `TextOutput.html` does not.
 */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (ch) => ENTITIES[ch]!);
}

/** Builds ` name="value"` with the value escaped; `null`/`undefined` values produce nothing. */
export function attr(name: string, value: string | number | null | undefined): string {
  return value === null || value === undefined ? '' : ` ${name}="${escapeHtml(value)}"`;
}
