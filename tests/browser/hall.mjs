// The entry screen and the projector as the hall uses them (issue 12).
// MODE=ime: the entry screen with a Vietnamese input method switched on, simulated the way the
// browser reports one: each physical key as keydown key "Process", keyCode 229, isComposing, with its
// `code`; then the composed text (a keydown with the composed letter and no physical key, and
// composition/input events). The screen acts on the physical keys only.
// MODE=projector: the public projector at 1024×768 and 1920×1080; every row's bounding box.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

const base = process.env.BASE_URL;
const shots = process.env.SCREENSHOT_DIR;
const password = process.env.PASSWORD;
mkdirSync(shots, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
const open = async (user, viewport = { width: 1366, height: 768 }) => {
  const context = await browser.newContext({ viewport, locale: 'vi-VN' });
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  if (user) {
    await page.goto(`${base}/login`);
    await page.getByLabel('Tên đăng nhập').fill(user);
    await page.getByLabel('Mật khẩu').fill(password);
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));
  }
  return page;
};
const shot = (page, name) => page.screenshot({ path: `${shots}/${name}.png`, fullPage: false });

const seen = {};
if (process.env.MODE === 'ime') {
  const op = await open('op1');
  await op.goto(`${base}/entry`);
  seen.entries_list = await op.locator('ul.entries li').first().innerText();
  await op.locator('ul.entries a').first().click();
  await op.locator('#entry[data-ready="true"]').waitFor();
  const state = () => op.evaluate(() => {
    const root = document.getElementById('entry');
    return {
      code: root.dataset.code,
      verdict: root.dataset.verdict,
      verdict_class: document.getElementById('verdict').className,
      verdict_text: document.getElementById('verdict').innerText,
      struck: [...document.querySelectorAll('.entry-list li.struck')].map((li) => Number(li.dataset.pos)),
      ime_shown: !document.getElementById('ime').hidden,
    };
  });
  seen.heading = await op.locator('.list-panel p.muted').first().innerText();
  seen.keys_shown = await op.locator('.entry-list li kbd.key').allInnerTexts();
  seen.untouched = await state();
  // What an input method sends. `code` is the physical key; keyCode is read-only, so it is set on
  // the event object as the browser would.
  const ime = (events) => op.evaluate((events) => {
    for (const e of events) {
      if (e.type === 'keydown') {
        const ev = new KeyboardEvent('keydown', { key: e.key, code: e.code, isComposing: !!e.composing, bubbles: true, cancelable: true });
        Object.defineProperty(ev, 'keyCode', { get: () => e.keyCode });
        document.body.dispatchEvent(ev);
      } else {
        document.body.dispatchEvent(new CompositionEvent(e.type, { data: e.data, bubbles: true }));
      }
    }
  }, events);
  const processKey = (code, composing) => ({ type: 'keydown', key: 'Process', code, keyCode: 229, composing });
  const composed = (text) => [
    { type: 'compositionend', data: text },
    { type: 'keydown', key: text, code: '', keyCode: 0 },
  ];
  // Telex "a": name A (its key) struck; the composition shows "a".
  await ime([processKey('KeyA', false), { type: 'compositionstart', data: '' }, { type: 'compositionupdate', data: 'a' }]);
  seen.telex_a = await state();
  // Telex second "a": the input method composes "â"; the screen takes name A's stroke back.
  await ime([processKey('KeyA', true), { type: 'compositionupdate', data: 'â' }, ...composed('â')]);
  seen.telex_aa = await state();
  // Telex "s" (the sắc tone) after "a": name S is struck, not a tone on anything.
  await ime([processKey('KeyA', false), processKey('KeyS', true), ...composed('á')]);
  seen.telex_as = await state();
  await op.keyboard.press('Escape');
  // VNI "a" "1" (á): name A and name 1 struck; Enter (the input method's commit key too) records it.
  await ime([processKey('KeyA', false), processKey('Digit1', true), ...composed('á'),
    { type: 'keydown', key: 'Enter', code: 'Enter', keyCode: 13, composing: true }]);
  await op.locator('#count', { hasText: '1' }).waitFor();
  await op.waitForFunction(() => document.getElementById('pending').textContent === '');
  seen.after_commit = await state();
  // An empty ballot committed with Enter is still judged by the server.
  await op.keyboard.press('Enter');
  await op.locator('#count', { hasText: '2' }).waitFor();
  await op.waitForFunction(() => document.getElementById('pending').textContent === '');
  seen.recent = await op.locator('#recent li').evaluateAll((lis) => lis.map((li) => ({
    seq: Number(li.dataset.seq), code: li.dataset.code, invalid: li.classList.contains('invalid') })));
  seen.after_empty = await state();
  await shot(op, 'entry-ime');
} else {
  const result = {};
  for (const [w, h] of [[1024, 768], [1920, 1080]]) {
    const page = await open(null, { width: w, height: h });
    await page.goto(`${base}/results`);
    await page.locator('table.projector tbody tr').first().waitFor();
    result[`${w}x${h}`] = await page.evaluate(() => {
      const rows = [...document.querySelectorAll('table.projector tbody tr')];
      const inside = (r) => r.top >= 0 && r.left >= 0 && r.bottom <= window.innerHeight + 0.5 && r.right <= window.innerWidth + 0.5;
      const out = rows.filter((tr) => !inside(tr.getBoundingClientRect())).map((tr) => tr.innerText);
      const names = rows.map((tr) => tr.querySelector('td.name'));
      // A name cut off (wider than its cell) would not be readable.
      const clipped = names.filter((td) => td.scrollWidth > td.clientWidth + 1).map((td) => td.innerText);
      const fonts = rows.map((tr) => parseFloat(getComputedStyle(tr.querySelector('td')).fontSize));
      return {
        rows: rows.length,
        texts: rows.map((tr) => tr.innerText),
        outside: out,
        clipped,
        min_font_px: Math.min(...fonts),
        scroll: [document.documentElement.scrollWidth, document.documentElement.scrollHeight],
        viewport: [window.innerWidth, window.innerHeight],
        columns: Number(document.querySelector('section.projected').dataset.columns),
      };
    });
    await shot(page, `projector-${process.env.LABEL}-${w}x${h}`);
  }
  seen.sizes = result;
}
await browser.close();
console.log(JSON.stringify(seen));
