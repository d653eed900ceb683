/**
 * The system Chromium, driven by puppeteer (its own browser download is skipped: .puppeteerrc.cjs).
 * PUPPETEER_EXECUTABLE_PATH wins; else the usual Debian/Ubuntu paths.
 */
import { existsSync } from 'node:fs';
import type { Browser } from 'puppeteer';
import { OperationalError } from '../../util/errors.js';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

export const LAUNCH_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
  '--font-render-hinting=none',
];

export const INSTALL_HINT = 'install it with `apt-get update && apt-get install -y chromium`, or set PUPPETEER_EXECUTABLE_PATH to a Chromium or Chrome binary';

/** The browser binary to use; a clear error naming the install command when there is none. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.PUPPETEER_EXECUTABLE_PATH;
  if (configured) {
    if (existsSync(configured)) return configured;
    throw new OperationalError('E_CHROMIUM_MISSING', `Chromium not found at PUPPETEER_EXECUTABLE_PATH=${configured}; PDF export needs it: ${INSTALL_HINT}`, { hint: INSTALL_HINT });
  }
  const found = CANDIDATES.find((p) => existsSync(p));
  if (!found) throw new OperationalError('E_CHROMIUM_MISSING', `Chromium not found (looked for ${CANDIDATES.join(', ')}); PDF export needs it: ${INSTALL_HINT}`, { hint: INSTALL_HINT });
  return found;
}

/** Starts Chromium; `shared`: reachable by other processes over its websocket endpoint (else a private pipe). */
export async function launchBrowser(opts: { shared?: boolean } = {}): Promise<Browser> {
  const executablePath = chromiumPath();
  const puppeteer = (await import('puppeteer')).default;
  try {
    return await puppeteer.launch({ executablePath, headless: true, args: LAUNCH_ARGS, pipe: !opts.shared, timeout: 30_000 });
  } catch (err) {
    throw new OperationalError('E_CHROMIUM_LAUNCH', `Chromium at ${executablePath} did not start: ${(err as Error).message.split('\n')[0]}`, {
      hint: `check that it runs (\`${executablePath} --headless --version\`); else ${INSTALL_HINT}`,
      cause: err,
    });
  }
}

/** Joins a browser another process started (launchBrowser `shared`); throws when it is gone. */
export async function connectBrowser(browserWSEndpoint: string): Promise<Browser> {
  const puppeteer = (await import('puppeteer')).default;
  return puppeteer.connect({ browserWSEndpoint, protocolTimeout: 30_000 });
}
