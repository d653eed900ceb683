// Quire's client script: small progressive enhancements of server-rendered pages (CSP: no inline script).
