// The whole commune congress of all members in a real browser (issue 11's acceptance): the congress
// with its direct-secretary setting, the roster imported, the personnel plan, attendance, the
// congress's show-of-hands votes, the committee (its result departs from the plan and the page says
// so), the secretary elected directly after an introduction poll keyed by two operators, delegates and
// alternates; then the first plenum (one member absent): standing committee, deputies, inspection
// committee and its chair; then the inspection committee's first meeting and its deputy chair. Every
// round is counted through the pages: ballots issued, one stack handed to op1 and op2, both key it on
// the entry screen, the board closes. It prints what it saw as JSON for
// crates/baucu/tests/browser_congress.rs, and saves each plenum round's ballot and minutes PDF in
// OUT_DIR.
import { writeFileSync } from 'node:fs';
import { base, launch, open, shot, submit, outcome, idOf } from './common.mjs';

const password = process.env.PASSWORD;
const names = JSON.parse(process.env.NAMES); // the roster, in the order of the file
const out = process.env.OUT_DIR;
const CONGRESS_PAPERS = 14; // of 24 present: every name struck by no one has 14 ≥ ⌊24/2⌋ + 1
const browser = await launch();
const org = await open(browser, 'org', password);
const pres = await open(browser, 'pres', password);
const head = await open(browser, 'head', password);
const ops = [await open(browser, 'op1', password), await open(browser, 'op2', password)];
const seen = { rounds: {}, elections: {}, pdfs: [] };

// An election defined on /elections, its list entered name by name: its id.
const election = async (key, fields, list) => {
  await org.goto(`${base}/elections`);
  await submit(org, '/elections', fields, 'Thêm cuộc bầu');
  const id = idOf(org);
  seen.elections[key] = id;
  for (const [name, source] of list) {
    await submit(org, `/elections/${id}/candidates`, { person: name, source }, 'Thêm vào danh sách');
  }
  return id;
};

// The presidium approves the list by show of hands and opens the first round: the round's id.
const approveAndOpen = async (id, inFavour) => {
  await pres.goto(`${base}/elections/${id}`);
  await submit(pres, `/elections/${id}/approval`, { in_favour: inFavour, against: 0 }, 'Ghi kết quả biểu quyết');
  await submit(pres, `/elections/${id}/rounds`, { entries_per_stack: '2' }, 'Mở lần bầu thứ nhất');
  return idOf(pres);
};

// Counts round `round` through the pages: `papers` ballots issued and collected, one stack for op1
// and op2, each ballot striking the names of `strike` (a poll ballot: every name agreed, Enter
// only), keyed by both operators, closed by the board. Returns the round page's ballot list.
const count = async (round, papers, strike, label) => {
  await head.goto(`${base}/rounds/${round}`);
  await submit(head, `/rounds/${round}/issued`, { issued: papers, collected: papers }, 'Ghi');
  await submit(head, `/rounds/${round}/stacks`, { papers, operator: ['op1', 'op2'] }, 'Giao chồng phiếu');
  const list = (await head.locator('ol.ballot li').allInnerTexts()).map((t) => t.trim());
  const positions = strike.map((name) => {
    const i = list.indexOf(name);
    if (i < 0) throw new Error(`${name} is not on the ballot ${JSON.stringify(list)}`);
    return i;
  });
  for (const [n, op] of ops.entries()) {
    await op.goto(`${base}/entry`);
    await op.locator('ul.entries li').filter({ hasNotText: 'đã xong' }).locator('a').first().click();
    await op.locator('#entry[data-ready="true"]').waitFor();
    const keys = await op.locator('#entry').getAttribute('data-keys');
    for (let b = 0; b < papers; b++) {
      for (const p of positions) await op.keyboard.press(keys[p]);
      await op.keyboard.press('Enter');
    }
    await op.locator('#count', { hasText: String(papers) }).waitFor();
    await op.waitForFunction(() => document.getElementById('pending').textContent === '');
    if (n === 0) await shot(op, `whole-entry-${label}`);
    await op.getByRole('button', { name: 'Đã nhập hết chồng phiếu' }).click();
    await op.getByRole('button', { name: 'Bấm lần nữa để xác nhận đã nhập hết' }).click();
    await op.locator('#verdict', { hasText: 'Đã xong' }).waitFor();
  }
  await head.goto(`${base}/rounds/${round}`);
  const poll = await head.getByRole('button', { name: 'Kết thúc kiểm phiếu xin ý kiến, ghi vào danh sách' }).count();
  await submit(head, `/rounds/${round}/close`, { confirm: true },
    poll ? 'Kết thúc kiểm phiếu xin ý kiến, ghi vào danh sách' : 'Kết thúc kiểm phiếu, tính kết quả');
  await head.goto(`${base}/rounds/${round}`);
  await shot(head, `whole-round-${label}`);
  seen.rounds[label] = round;
  return list;
};

// Saves the ballot and the minutes of a round as the board downloads them from its page.
const savePdfs = async (round, label) => {
  for (const [kind, file] of [['ballot', 'phieu-bau.pdf'], ['minutes', 'bien-ban.pdf']]) {
    const reply = await head.request.get(`${base}/rounds/${round}/files/${file}`);
    if (reply.status() !== 200) throw new Error(`${file} of round ${round}: ${reply.status()}`);
    const path = `${out}/${label}-${kind}.pdf`;
    writeFileSync(path, await reply.body());
    seen.pdfs.push({ round, label, kind, path });
  }
};

// Checks in `present` on the attendance page of the sitting shown.
const checkIn = async (present) => {
  for (const name of present) {
    await Promise.all([org.waitForNavigation(), org.getByRole('button', { name: `Điểm danh ${name}`, exact: true }).click()]);
    outcome(org);
  }
};

// The congress, with the secretary elected directly (the superior allows it).
await org.goto(`${base}/congress`);
await submit(org, '/congress', {
  name: 'Đại hội Đảng bộ xã Thượng Kiệm lần thứ XXVI', organisation: 'Đảng bộ xã Thượng Kiệm',
  level: 'grassroots', assembly_kind: 'members_congress', term: '2025–2030',
  place: 'Hội trường Ủy ban nhân dân xã', opens_on: '20/05/2025', direct_secretary: true,
}, 'Lưu thông tin đại hội');
await shot(org, 'whole-congress');

// The roster, imported with its preview.
await org.goto(`${base}/roster`);
await org.locator('input[type=file][name=file]').setInputFiles(process.env.ROSTER_XLSX);
await org.getByRole('button', { name: 'Xem trước' }).click();
await org.getByRole('heading', { name: 'Xem trước tệp danh sách' }).first().waitFor();
await Promise.all([org.waitForNavigation(), org.getByRole('button', { name: 'Nhập tất cả' }).click()]);
seen.roster_notice = outcome(org);

// The personnel plan: nine for the committee, the tenth name of the list planned, the ninth not.
await org.goto(`${base}/plan`);
const planned = [...names.slice(0, 8), names[9]];
await submit(org, '/plan', { body: 'committee', seats: 9, person: planned }, 'Lưu phương án');
await shot(org, 'whole-plan');

// Attendance: the opening sitting, every member present.
await org.goto(`${base}/attendance`);
await submit(org, '/attendance/sittings', { name: 'Phiên khai mạc' }, 'Thêm');
await checkIn(names);
await shot(org, 'whole-attendance');

// The congress's show-of-hands votes: presidium, secretariat, counting board (with a technician).
await org.goto(`${base}/votes`);
const all = names.length;
await submit(org, '/votes', { subject: 'Bầu đoàn chủ tịch', member: names.slice(0, 3), votes_for: all, votes_against: 0 }, 'Ghi biểu quyết');
await submit(org, '/votes', { subject: 'Bầu đoàn thư ký', member: names.slice(3, 5), votes_for: all, votes_against: 0 }, 'Ghi biểu quyết');
await submit(org, '/votes', {
  subject: 'Bầu ban kiểm phiếu', head: names[20], member: names.slice(21, 23),
  technical: 'Phạm Thị Một', votes_for: all, votes_against: 0,
}, 'Ghi biểu quyết');
seen.votes = await org.locator('table tbody tr').allInnerTexts();
await shot(org, 'whole-votes');

// The committee: nine of ten; every ballot strikes the planned tenth.
const committee = await election('committee',
  { body: 'committee', seats: 9, seats_for: all, seats_against: 0 },
  names.slice(0, 10).map((n) => [n, 'convening']));
let round = await approveAndOpen(committee, all);
await count(round, CONGRESS_PAPERS, [names[9]], 'committee');
seen.departures = await head.locator('div.plan-departures li').allInnerTexts();

// The secretary, elected directly by the congress after the introduction poll among the new
// committee (nine papers, keyed by both operators).
const secretary = await election('secretary',
  { body: 'secretary', seats: 1, seats_for: all, seats_against: 0, direct: true },
  [[names[0], 'convening'], [names[1], 'nomination']]);
await pres.goto(`${base}/elections/${secretary}`);
seen.secretary_poll_heading = await pres.getByRole('heading', { name: /phiếu giới thiệu/ }).allInnerTexts();
seen.secretary_poll_present = await pres.locator(`form[action="/elections/${secretary}/poll"] input[name="present"]`).inputValue();
await submit(pres, `/elections/${secretary}/poll-rounds`, { entries_per_stack: '2' }, 'Kiểm phiếu xin ý kiến bằng máy');
const poll = idOf(pres);
await count(poll, 9, [], 'introduction-poll');
round = await approveAndOpen(secretary, all);
await count(round, CONGRESS_PAPERS, [names[1]], 'secretary');

// Delegates to the superior congress, two and one alternate.
const delegates = await election('delegates',
  { body: 'delegates', seats: 2, alternate_seats: 1, seats_for: all, seats_against: 0 },
  names.slice(10, 13).map((n) => [n, 'convening']));
round = await approveAndOpen(delegates, all);
await count(round, CONGRESS_PAPERS, [names[12]], 'delegates');
await pres.goto(`${base}/rounds/${round}`);
await submit(pres, `/rounds/${round}/decide`, { seats: 1, confirm: true }, 'Bầu đại biểu dự khuyết');
round = idOf(pres);
await count(round, CONGRESS_PAPERS, [], 'alternates');

// The first plenum of the committee: summoned from its result, the ninth member absent.
const members = names.slice(0, 9);
await org.goto(`${base}/attendance`);
await submit(org, '/attendance/plenum', { body: 'committee' }, /^Triệu tập hội nghị lần thứ nhất ban chấp hành/);
seen.plenum_sitting = Number(new URL(org.url()).searchParams.get('sitting'));
await checkIn(members.slice(0, 8));
await shot(org, 'whole-plenum-attendance');
const plenumSeats = { seats_for: 8, seats_against: 0 };
const standing = await election('standing',
  { body: 'standing_committee', seats: 3, ...plenumSeats },
  members.slice(0, 4).map((n) => [n, 'convening']));
round = await approveAndOpen(standing, 8);
await count(round, 8, [members[3]], 'standing');
await savePdfs(round, 'standing');
const deputies = await election('deputies',
  { body: 'deputy_secretary', seats: 2, ...plenumSeats },
  members.slice(1, 3).map((n) => [n, 'convening']));
round = await approveAndOpen(deputies, 8);
await count(round, 8, [], 'deputies');
await savePdfs(round, 'deputies');
const inspection = await election('inspection',
  { body: 'inspection_committee', seats: 3, ...plenumSeats },
  [members[2], ...names.slice(14, 17)].map((n) => [n, 'convening']));
round = await approveAndOpen(inspection, 8);
await count(round, 8, [names[16]], 'inspection');
await savePdfs(round, 'inspection');
const chair = await election('chair',
  { body: 'inspection_chair', seats: 1, ...plenumSeats },
  [[members[2], 'convening']]);
round = await approveAndOpen(chair, 8);
await count(round, 8, [], 'chair');
await savePdfs(round, 'chair');

// The first meeting of the inspection committee: two of its three present; its deputy chair.
await org.goto(`${base}/attendance`);
await submit(org, '/attendance/plenum', { body: 'inspection_committee' }, /^Triệu tập hội nghị lần thứ nhất ủy ban kiểm tra/);
seen.inspection_sitting = Number(new URL(org.url()).searchParams.get('sitting'));
await checkIn([members[2], names[14]]);
await shot(org, 'whole-inspection-attendance');
const deputyChair = await election('deputy_chair',
  { body: 'inspection_deputy_chair', seats: 1, seats_for: 2, seats_against: 0 },
  [[names[14], 'convening']]);
round = await approveAndOpen(deputyChair, 2);
await count(round, 2, [], 'deputy-chair');
await savePdfs(round, 'deputy-chair');

// The guide and the documents page at the end.
await pres.goto(`${base}/guide`);
await shot(pres, 'whole-guide');
await pres.goto(`${base}/documents`);
await shot(pres, 'whole-documents');
await browser.close();
console.log(JSON.stringify(seen));
