import puppeteer from 'puppeteer';
const [file, out, w = '1200', h = '2400', hover] = process.argv.slice(2);
const b = await puppeteer.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const p = await b.newPage();
const errors = [];
p.on('pageerror', (e) => errors.push(String(e)));
p.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
await p.setViewport({ width: Number(w), height: Number(h) });
await p.goto('file://' + file, { waitUntil: 'load' });
await p.waitForFunction('window.__quireCharts ? window.__quireCharts.done : true', { timeout: 20000 });
const state = await p.evaluate(() => window.__quireCharts);
if (hover) {
  const el = await p.$(hover);
  const box = await el.boundingBox();
  await p.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await new Promise((r) => setTimeout(r, 300));
}
await p.screenshot({ path: out, fullPage: false });
console.log(JSON.stringify(state), errors);
await b.close();
