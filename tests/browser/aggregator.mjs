// The superior committee's aggregator in Chromium, as its clerk uses it: sign in, import the tree of
// units from Excel, receive a folder of result packages, approve one congress, open the report with
// its charts and download it as XLSX and PDF. Prints what it saw as one JSON line, for
// crates/baucu/tests/aggregator_browser.rs to check against the files and the database.
import { launch, open, shot, submit, outcome } from './common.mjs';
import { writeFileSync } from 'node:fs';

const password = process.env.ADMIN_PASSWORD;
const unitsXlsx = process.env.UNITS_XLSX;
const packagesDir = process.env.PACKAGES_DIR;
const outDir = process.env.OUT_DIR;
const approveUnit = process.env.APPROVE_UNIT;

const browser = await launch();
const seen = {};
try {
  const page = await open(browser, 'admin', password);
  seen.dashboard_title = await page.locator('h1').innerText();

  // The tree of units from the workbook.
  await page.goto(`${process.env.BASE_URL}/units`);
  await page.locator('form[action^="/units/import"] input[type=file]').setInputFiles(unitsXlsx);
  await Promise.all([
    page.waitForNavigation(),
    page.getByRole('button', { name: 'Nhập danh sách đơn vị', exact: true }).click(),
  ]);
  seen.units_notice = outcome(page);
  await shot(page, 'aggregator-units');

  // A folder of packages, as a USB stick is chosen: the folder input.
  await page.goto(`${process.env.BASE_URL}/packages`);
  await page.locator('input[name="files"][webkitdirectory]').setInputFiles(packagesDir);
  await Promise.all([
    page.waitForNavigation(),
    page.getByRole('button', { name: 'Nhận các gói đã chọn', exact: true }).click(),
  ]);
  seen.import_summary = await page.locator('[data-import-summary]').innerText();
  seen.import_rows = await page.locator('table.import-report tbody tr').evaluateAll((rows) =>
    rows.map((r) => ({ file: r.dataset.file, verdict: r.dataset.verdict })));
  await shot(page, 'aggregator-import');

  // One congress: its page from the tree, then every body approved.
  await page.goto(`${process.env.BASE_URL}/congress/${approveUnit}`);
  seen.congress_status_before = await page.locator('[data-status]').getAttribute('data-status');
  seen.summary_links = await page.getByRole('link', { name: 'Tải bản tóm tắt PDF' }).count();
  const bodies = await page.locator('form[action$="/approve"] select[name="body"] option')
    .evaluateAll((os) => os.map((o) => o.value).filter((v) => v !== ''));
  seen.approved = [];
  for (const body of bodies) {
    const ok = await submit(page, `/congress/${approveUnit}/approve`, { body, confirm: true }, 'Chuẩn y');
    seen.approved.push({ body, notice: ok });
    await page.goto(`${process.env.BASE_URL}/congress/${approveUnit}`);
  }
  seen.congress_status_after = await page.locator('[data-status]').getAttribute('data-status');
  await shot(page, 'aggregator-congress');

  // The report of the whole tree, with its charts.
  await page.goto(`${process.env.BASE_URL}/reports`);
  seen.charts = await page.locator('.charts figure').evaluateAll((figures) => figures.map((f) => ({
    caption: f.querySelector('figcaption')?.textContent.trim() ?? '',
    svg: f.querySelector('svg') !== null,
    text: Array.from(f.querySelectorAll('svg text')).map((t) => t.textContent.trim()),
  })));
  seen.figures = await page.locator('[data-figure]').evaluateAll((cells) =>
    Object.fromEntries(cells.map((c) => [c.dataset.figure, c.textContent.trim()])));
  seen.paragraph = await page.locator('textarea.paragraph').inputValue();
  await shot(page, 'aggregator-report');

  for (const [name, link] of [['xlsx', 'Tải báo cáo Excel'], ['pdf', 'Tải báo cáo PDF']]) {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: link, exact: true }).click(),
    ]);
    const path = `${outDir}/bao-cao.${name}`;
    await download.saveAs(path);
    seen[`${name}_file`] = path;
  }
  writeFileSync(`${outDir}/seen.json`, JSON.stringify(seen, null, 2));
} finally {
  await browser.close();
}
console.log(JSON.stringify(seen));
