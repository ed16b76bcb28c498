// The congress set-up in a real browser (Debian's Chromium, driven by playwright-core): log in,
// create the congress, import the roster .xlsx, take attendance, define the committee election,
// add one floor nomination that passes the poll and one that fails, approve the list, and read the
// ballot order on the page. It saves a screenshot of every page it visits and prints what it saw as
// JSON for the Rust test (crates/baucu/tests/browser.rs) to check.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

const base = process.env.BASE_URL;
const shots = process.env.SCREENSHOT_DIR;
const roster = JSON.parse(process.env.ROSTER_JSON); // [{ name, birth }]
const plan = JSON.parse(process.env.PLAN_JSON); // { convening: [i], passes: i, fails: i, absent: [i] }
mkdirSync(shots, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
const page = await browser.newPage({ viewport: { width: 1366, height: 768 }, locale: 'vi-VN' });
page.setDefaultTimeout(15000);
let n = 0;
const shot = async (name) => {
  n += 1;
  await page.screenshot({ path: `${shots}/${String(n).padStart(2, '0')}-${name}.png`, fullPage: true });
};
const notice = async () => (await page.locator('.notice').allInnerTexts()).join(' | ');
// Waits for the page (after the navigation an action started) to show the notice.
const expectNotice = async (text) => {
  try {
    await page.locator('.notice', { hasText: text }).first().waitFor({ timeout: 10000 });
  } catch {
    throw new Error(`expected notice "${text}", got "${await notice()}" on ${page.url()}`);
  }
};
const seen = {};

// Log in.
await page.goto(`${base}/`);
if (!page.url().includes('/login')) throw new Error('an anonymous visitor must land on the login page');
await shot('login');
await page.getByLabel('Tên đăng nhập').fill('admin');
await page.getByLabel('Mật khẩu').fill(process.env.ADMIN_PASSWORD);
await page.keyboard.press('Enter');
// The administrator's password printed at first start is a one-time password.
await page.waitForURL(`${base}/account/password`);
await shot('password');
await page.getByLabel('Mật khẩu hiện tại').fill(process.env.ADMIN_PASSWORD);
await page.getByLabel('Mật khẩu mới', { exact: true }).fill('Hội trường 2025!');
await page.getByLabel('Nhập lại mật khẩu mới').fill('Hội trường 2025!');
await page.getByRole('button', { name: 'Đổi mật khẩu' }).click();
await expectNotice('Đã đổi mật khẩu.');
await shot('home');

// The congress.
await page.goto(`${base}/congress`);
await page.getByLabel('Tên đại hội').fill('Đại hội Chi bộ Thôn Đông lần thứ XII, nhiệm kỳ 2025–2027');
await page.getByLabel('Tổ chức đảng').fill('Chi bộ Thôn Đông');
await page.locator('select[name=level]').selectOption('cell');
await page.locator('select[name=assembly_kind]').selectOption('members_congress');
await page.getByLabel('Nhiệm kỳ').fill('2025–2027');
await page.getByLabel('Địa điểm').fill('Nhà văn hóa thôn Đông');
await page.getByLabel('Ngày khai mạc').fill('12/04/2025');
await page.getByRole('button', { name: 'Lưu thông tin đại hội' }).click();
await expectNotice('Đã lưu thông tin đại hội.');
await shot('congress');

// The roster, imported from the .xlsx the test generated.
await page.goto(`${base}/roster`);
await page.locator('input[type=file][name=file]').setInputFiles(process.env.ROSTER_XLSX);
await page.getByRole('button', { name: 'Xem trước' }).click();
// The preview: nothing written until a choice is made.
await page.getByRole('heading', { name: 'Xem trước tệp danh sách' }).first().waitFor();
await shot('roster-preview');
await page.getByRole('button', { name: 'Nhập tất cả' }).click();
await expectNotice(`Đã nhập: thêm ${roster.length} người, sửa 0 người.`);
await shot('roster');
await page.getByLabel('Tìm theo họ tên').fill('nguyen');
await page.keyboard.press('Enter');
await page.waitForURL(/q=nguyen/);
seen.search = await page.locator('table.list tbody tr td:nth-child(2)').allInnerTexts();
await shot('roster-search');

// Attendance: a sitting, check-in by typed name, by button, and one absence with a reason.
await page.goto(`${base}/attendance`);
await page.getByLabel('Thêm phiên họp').fill('Phiên thứ nhất (sáng 12/4)');
await page.getByRole('button', { name: 'Thêm', exact: true }).click();
await expectNotice('Đã thêm');
const typed = roster.filter((_, i) => !plan.absent.includes(i)).slice(0, 4);
for (const p of typed) {
  await page.getByLabel('Điểm danh theo họ tên').fill(p.name);
  await page.keyboard.press('Enter');
  await expectNotice(`${p.name} có mặt.`);
}
for (const [i, p] of roster.entries()) {
  if (plan.absent.includes(i) || typed.includes(p)) continue;
  await page.getByRole('button', { name: `Điểm danh ${p.name}`, exact: true }).click();
  await expectNotice('Đã điểm danh.');
}
const excused = roster[plan.absent[0]].name;
await page.getByLabel(`Vắng mặt cả đại hội: ${excused}`).selectOption('with_accepted_reason');
await page.getByLabel(`Vắng mặt cả đại hội: ${excused}`).locator('xpath=..').getByRole('button', { name: 'Ghi' }).click();
await expectNotice('Đã ghi tình trạng vắng mặt.');
seen.base = await page.locator('table.base').innerText();
await shot('attendance');

// The counting board, elected by show of hands: a head and two members from those present, none on
// the list that follows.
await page.goto(`${base}/votes`);
const listed = new Set([...plan.convening, plan.passes, plan.fails]);
const board = roster.filter((_, i) => !plan.absent.includes(i) && !listed.has(i)).slice(0, 3);
if (board.length < 3) throw new Error('the plan leaves fewer than three present members off the list');
await page.locator('select[name=subject]').selectOption('counting_board');
await page.locator('select[name=head]').selectOption({ label: board[0].name });
await page.locator('select[name=member]').selectOption(board.slice(1).map((p) => ({ label: p.name })));
await page.locator('textarea[name=technical]').fill('Kỹ thuật viên Trần Văn Máy');
await page.locator('input[name=votes_for]').fill(String(plan.present));
await page.locator('input[name=votes_against]').fill('0');
await page.getByRole('button', { name: 'Ghi biểu quyết' }).click();
await expectNotice('Đã ghi biểu quyết.');
seen.votes = await page.locator('main').innerText();
seen.board = board.map((p) => p.name);
await shot('votes');

// The committee election.
await page.goto(`${base}/elections`);
await page.getByLabel('Nội dung bầu').selectOption('committee');
await page.getByLabel('Số lượng cần bầu').fill(String(plan.seats));
await page.getByLabel('Biểu quyết số lượng: tán thành').fill(String(plan.present));
await page.getByLabel('Không tán thành').fill('0');
await page.getByRole('button', { name: 'Thêm cuộc bầu' }).click();
await expectNotice('Đã thêm cuộc bầu cử.');
const electionUrl = page.url().split('?')[0];
const label = (i) => { const [y, m, d] = roster[i].birth.split('-'); return `${roster[i].name} (${d}/${m}/${y})`; };
const add = async (i, source) => {
  await page.locator('select[name=person]').selectOption({ label: label(i) });
  await page.locator('select[name=source]').selectOption(source);
  await page.getByRole('button', { name: 'Thêm vào danh sách' }).click();
  await expectNotice('Đã thêm.');
};
for (const i of plan.convening) await add(i, 'convening');
await add(plan.passes, 'nomination');
await add(plan.fails, 'self_nomination');
await shot('election-list');

// The opinion poll: one nominee over 30 % of those present, one under.
const row = (name) => page.locator('table.list tr', { hasText: name });
await page.getByLabel(`Số đồng ý: ${roster[plan.passes].name}`).fill(String(plan.agree_pass));
await page.getByLabel(`Số đồng ý: ${roster[plan.fails].name}`).fill(String(plan.agree_fail));
await page.getByRole('button', { name: 'Ghi kết quả lấy phiếu', exact: true }).click();
await expectNotice('Đã ghi kết quả lấy phiếu xin ý kiến.');
seen.pass_status = await row(roster[plan.passes].name).locator('td').nth(3).innerText();
seen.fail_status = await row(roster[plan.fails].name).locator('td').nth(3).innerText();
await shot('election-poll');

// The approval by show of hands.
await page.getByLabel('Tán thành', { exact: true }).fill(String(plan.present - 1));
await page.getByLabel('Không tán thành', { exact: true }).fill('1');
await page.getByRole('button', { name: 'Ghi kết quả biểu quyết' }).click();
await expectNotice('Danh sách bầu cử đã được thông qua.');
seen.ballot = await page.locator('#ballot-order .name').allInnerTexts();
seen.layout = await page.locator('section.summary').innerText();
await shot('election-approved');
if (page.url().split('?')[0] !== electionUrl) throw new Error('stayed on the election page');

await page.goto(`${base}/elections`);
await shot('elections');
await page.goto(`${base}/audit`);
seen.audit = await page.locator('.notice').first().innerText();
await shot('audit');
await page.goto(`${base}/admin/users`);
await shot('users');
await page.goto(`${base}/documents`);
seen.documents = await page.locator('main').innerText();
await shot('documents');

await browser.close();
console.log(JSON.stringify(seen));
