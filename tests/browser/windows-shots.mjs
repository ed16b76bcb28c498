// The README's pictures of the Windows node (scripts/windows-screenshots): the console window as the
// exe printed it under Wine (CONSOLE_TEXT, drawn in a Windows console's colours and size), and the
// first page the browser opens (BASE_URL, the node's own HTTPS address).
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';

const out = process.env.OUT_DIR;
const text = readFileSync(process.env.CONSOLE_TEXT, 'utf8');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--ignore-certificate-errors'],
});
const escape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const console = await browser.newPage({ viewport: { width: 980, height: 720 } });
await console.setContent(`<!doctype html><meta charset="utf-8"><style>
  body { margin: 0; background: #1e1e1e; font-family: 'DejaVu Sans Mono', monospace; }
  .bar { background: #fff; color: #000; font: 13px sans-serif; padding: 7px 10px; border-bottom: 1px solid #ccc; }
  pre { margin: 0; padding: 8px 10px; color: #cccccc; background: #0c0c0c; font-size: 14px; line-height: 1; white-space: pre-wrap; }
</style><div class="bar">C:\\Users\\VanPhong\\Desktop\\Đại hội\\baucu.exe</div><pre>${escape(text)}</pre>`);
await console.screenshot({ path: `${out}/windows-console.png`, fullPage: true });
const page = await browser.newPage({ viewport: { width: 1280, height: 720 }, ignoreHTTPSErrors: true, locale: 'vi-VN' });
await page.goto(process.env.BASE_URL);
await page.screenshot({ path: `${out}/windows-first-page.png` });
await browser.close();
