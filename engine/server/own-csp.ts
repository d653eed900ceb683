/** The response header by which a route asks for a Content-Security-Policy of its own (a report's: sandboxed) instead of the page policy. */
export const OWN_CSP = 'x-quire-own-csp';
