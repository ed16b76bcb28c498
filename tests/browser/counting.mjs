// Counting in a real browser. MODE=double: two operators in two contexts key the same 50-ballot
// stack (one with two deliberate mistakes), the board sees exactly those two ballots side by side and
// resolves them, closes the round, the presidium opens the tie-break round in one step and publishes,
// and a projector context shows the result without reloading. MODE=keys: one operator keys a stack
// with exactly (struck names + 1) keystrokes per ballot, counted here.
import { base, launch, open as openAs, shot } from './common.mjs';

const password = process.env.PASSWORD;
const ballots = JSON.parse(process.env.BALLOTS); // arrays of struck positions
const mistakes = JSON.parse(process.env.MISTAKES || '{}'); // { index: struck }

const browser = await launch();
const open = (user) => openAs(browser, user, password);
const expectNotice = (page, text) => page.locator('.notice', { hasText: text }).first().waitFor();
// An irreversible step: tick the confirmation box of the button's form (it states the consequence),
// then press the button.
const confirmed = async (page, name) => {
  const button = page.getByRole('button', { name });
  await page.locator('form').filter({ has: button }).locator('input[name="confirm"]').check();
  await button.click();
};

// Keys the stack on the entry screen; returns the number of keystrokes pressed.
const keyStack = async (page, list, extra = {}) => {
  await page.goto(`${base}/entry`);
  try {
    await page.locator('ul.entries a').first().click({ timeout: 5000 });
  } catch (e) {
    await shot(page, 'debug-entry');
    throw e;
  }
  // Keys pressed before entry.js has attached its handler would be lost, as they would for a person.
  await page.locator('#entry[data-ready="true"]').waitFor();
  const keys = await page.locator('#entry').getAttribute('data-keys');
  let strokes = 0;
  for (const [i, struck] of list.entries()) {
    for (const p of (extra[i] ?? struck)) { await page.keyboard.press(keys[p - 1]); strokes++; }
    await page.keyboard.press('Enter'); strokes++;
  }
  await page.locator('#count', { hasText: String(list.length) }).waitFor();
  await page.waitForFunction(() => document.getElementById('pending').textContent === '');
  return strokes;
};

const seen = {};
if (process.env.MODE === 'keys') {
  const op = await open('op1');
  seen.keystrokes = await keyStack(op, ballots);
  seen.expected = ballots.reduce((n, b) => n + b.length + 1, 0);
  // Live verdicts from the engine before anything is committed: one name struck is valid; taking
  // it back leaves six names for five seats, an over-vote, shown as invalid with its reason. Each
  // wait is for the verdict of that exact ballot state (`data-for`), not for some text.
  const keys = await op.locator('#entry').getAttribute('data-keys');
  const verdictFor = async (code) => {
    await op.locator(`#verdict[data-for="${code}"]`).waitFor();
    return op.locator('#verdict').innerText();
  };
  await op.keyboard.press(keys[0]);
  seen.live_valid = await verdictFor('x:1');
  await op.keyboard.press('Backspace');
  seen.live_verdict = await verdictFor('x:');
  // A late answer: the check for "signed" (F4, a state not seen before, so not answered from memory) is held back until after the operator has taken
  // the name back and the verdict of the current state is shown; when it finally arrives it must
  // not replace that verdict.
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await op.route((url) => url.pathname.endsWith('/check') && url.searchParams.get('code') === 'x:!s',
    async (route) => { await held; await route.continue(); });
  const answered = async () => Number(await op.locator('#entry').getAttribute('data-answered'));
  const before = await answered();
  await op.keyboard.press('F4');
  await op.locator('#verdict[data-for=""]').waitFor();
  seen.pending_text = await op.locator('#verdict').innerText();
  await op.keyboard.press('Backspace');
  seen.current_before_late = await verdictFor('x:');
  release();
  await op.waitForFunction((n) => Number(document.getElementById('entry').dataset.answered) === n, before + 1);
  seen.after_late_for = await op.locator('#verdict').getAttribute('data-for');
  seen.after_late_text = await op.locator('#verdict').innerText();
  await op.unroute('**/*');
  await shot(op, 'entry');
} else {
  const projector = await open(null);
  await projector.goto(`${base}/results`);
  await projector.evaluate(() => { window.__sameDocument = true; });
  const op1 = await open('op1');
  const op2 = await open('op2');
  seen.op1_keystrokes = await keyStack(op1, ballots);
  await shot(op1, 'entry-double');
  seen.op2_keystrokes = await keyStack(op2, ballots, mistakes);
  for (const op of [op1, op2]) {
    await op.getByRole('button', { name: 'Đã nhập hết chồng phiếu' }).click();
    await op.getByRole('button', { name: 'Bấm lần nữa để xác nhận đã nhập hết' }).click();
    await op.locator('#verdict', { hasText: 'Đã xong' }).waitFor();
  }
  const head = await open('head');
  await head.goto(`${base}/rounds/${process.env.ROUND}`);
  await head.getByRole('link', { name: /Đối chiếu 2 phiếu/ }).click();
  seen.mismatch = await head.locator('section.diff h2').allInnerTexts();
  await shot(head, 'mismatch');
  for (let k = 0; k < seen.mismatch.length; k++) {
    await head.locator('section.diff').first().getByRole('button', { name: 'Phiếu giấy đúng như lần nhập 1' }).click();
    await head.waitForLoadState('load');
  }
  await expectNotice(head, 'Chồng phiếu đã khớp');
  await confirmed(head, 'Kết thúc kiểm phiếu, tính kết quả');
  await expectNotice(head, 'Đã kết thúc kiểm phiếu');
  seen.result_rows = await head.locator('table.result tbody tr').allInnerTexts();
  await shot(head, 'results');
  const pres = await open('pres');
  await pres.goto(`${base}/rounds/${process.env.ROUND}`);
  await confirmed(pres, 'Công bố kết quả lên màn chiếu');
  await expectNotice(pres, 'Đã công bố kết quả.');
  await confirmed(pres, 'Bầu lại giữa những người bằng phiếu');
  await expectNotice(pres, 'Đã tạo lần bầu tiếp theo.');
  seen.tie_break_url = pres.url().split('?')[0];
  seen.tie_break_list = await pres.locator('ol.ballot li').allInnerTexts();
  await shot(pres, 'tie-break-round');
  // The projector shows the published result without a reload.
  await projector.locator('table.projector tbody tr').first().waitFor();
  seen.projector_rows = await projector.locator('table.projector tbody tr').allInnerTexts();
  seen.projector_same_document = await projector.evaluate(() => window.__sameDocument === true);
  await shot(projector, 'projector');
}
await browser.close();
console.log(JSON.stringify(seen));
