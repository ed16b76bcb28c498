// What the browser scripts share: Debian's Chromium launched headless through playwright-core, a
// signed-in page per account (each in its own context, so its own cookies), screenshots, and forms
// filled by their field names and sent with their button, as a person would.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

export const base = process.env.BASE_URL;
export const shots = process.env.SCREENSHOT_DIR;

export const launch = async () => {
  mkdirSync(shots, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
};

// A page in a context of its own, signed in as `user` (none: anonymous).
export const open = async (browser, user, password) => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'vi-VN' });
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

export const shot = (page, name) => page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });

// The notice a redirect after an action carries (`?ok=` / `?err=`): an error stops the script with
// the page's own words.
export const outcome = (page) => {
  const url = new URL(page.url());
  const err = url.searchParams.get('err');
  if (err !== null) throw new Error(`${url.pathname}: ${err}`);
  return url.searchParams.get('ok');
};

// The value of the option of `select` that is `wanted` (its value, its text, or a text that starts
// with it followed by a space: "Họ tên — đơn vị").
const optionValue = async (select, wanted) => {
  const options = await select.locator('option').evaluateAll((os) =>
    os.map((o) => ({ value: o.value, text: o.textContent.trim() })));
  const w = String(wanted);
  const hit = options.find((o) => o.value === w) ?? options.find((o) => o.text === w)
    ?? options.find((o) => o.text.startsWith(`${w} `) || o.text.includes(`(${w})`));
  if (!hit) throw new Error(`no option "${w}" among ${JSON.stringify(options.map((o) => o.text))}`);
  return hit.value;
};

// Fills the form posting to `action` that has the button `button` (field name → value; an array
// for a multiple select or for repeated selects of one name; true/false for a checkbox; a hidden
// field is only checked), presses
// the button and waits for the page it leads to. Returns the notice of success.
export const submit = async (page, action, fields, button) => {
  const form = page.locator(`form[action="${action}"]`)
    .filter({ has: page.getByRole('button', { name: button, exact: true }) }).first();
  for (const [name, value] of Object.entries(fields)) {
    const all = form.locator(`[name="${name}"]`);
    const first = all.first();
    const kind = await first.evaluate((e) => `${e.tagName}:${e.type ?? ''}:${e.multiple ? 'm' : ''}`);
    if (kind.startsWith('SELECT') && kind.endsWith(':m')) {
      const values = [];
      for (const v of value) values.push(await optionValue(first, v));
      await first.selectOption(values);
    } else if (kind.startsWith('SELECT')) {
      const list = Array.isArray(value) ? value : [value];
      for (const [i, v] of list.entries()) {
        const select = all.nth(i);
        await select.selectOption(await optionValue(select, v));
      }
    } else if (kind === 'INPUT:hidden:') {
      // A value the page set itself: checked, not typed.
      const set = await first.inputValue();
      if (set !== String(value)) throw new Error(`${action}: ${name} is "${set}", not "${value}"`);
    } else if (kind === 'INPUT:checkbox:') {
      if (value) await first.check(); else await first.uncheck();
    } else {
      await first.fill(String(value));
    }
  }
  await Promise.all([
    page.waitForNavigation(),
    form.getByRole('button', { name: button, exact: true }).click(),
  ]);
  return outcome(page);
};

// The number in the path of the current page (`/rounds/12` → 12).
export const idOf = (page) => Number(new URL(page.url()).pathname.split('/').pop());
