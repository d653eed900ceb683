import puppeteer from 'puppeteer';
const [file, out, w, h, scrollTo] = process.argv.slice(2);
const b = await puppeteer.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const p = await b.newPage();
await p.setViewport({ width: Number(w), height: Number(h) });
await p.goto('file://' + file, { waitUntil: 'load' });
if (scrollTo) await p.evaluate((y) => window.scrollTo(0, Number(y)), scrollTo);
await p.screenshot({ path: out });
await b.close();
