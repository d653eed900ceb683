/**
 * Puppeteer drives the system Chromium (apt-get install chromium); its own browser download
 * cannot be fetched here, so it is skipped. Set PUPPETEER_EXECUTABLE_PATH to use another browser.
 * @type {import('puppeteer').Configuration}
 */
module.exports = {
  skipDownload: true,
  executablePath: process.env.PUPPETEER_EXECUTABLE_PATH || '/usr/bin/chromium',
};
