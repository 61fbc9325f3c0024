// SPDX-License-Identifier: GPL-3.0-or-later
// Opens a render-index page in the system's headless Chromium, in a window
// 1280 pixels wide, and checks it as a user would see it: rows, players whose
// audio loads, filters, sort, search, no horizontal scrolling, and a
// screenshot. Given the records the page was made from, one per row in
// order, and two searches, it also checks the note, velocity, program and
// file cells against the records, and that searching a note number or a
// file name shows exactly the rows with that note or file. Prints one JSON
// summary line; exits 1 on the first check that fails, naming it.
//
// usage: node check-preview.js INDEX_HTML SCREENSHOT_PNG EXPECTED_ROWS EXPECTED_PLAYERS
//                              [RECORDS_NDJSON NOTE FILE_NAME]
'use strict';
const fs = require('fs');
const path = require('path');
const { openChromium, noteProblems, readPng } = require('./chromium');

const [indexHtml, screenshot, rowsArg, playersArg, recordsFile, noteQuery, fileQuery] = process.argv.slice(2);
if (!indexHtml || !screenshot || rowsArg === undefined || playersArg === undefined ||
    (recordsFile !== undefined && (noteQuery === undefined || fileQuery === undefined))) {
  console.error('usage: check-preview.js INDEX_HTML SCREENSHOT_PNG EXPECTED_ROWS EXPECTED_PLAYERS ' +
    '[RECORDS_NDJSON NOTE FILE_NAME]');
  process.exit(2);
}
const expectedRows = Number(rowsArg);
const expectedPlayers = Number(playersArg);
const WIDTH = 1280;

function check(ok, what) {
  if (!ok) throw new Error('check failed: ' + what);
}

// The data-index of the rows a user sees, top to bottom.
async function shown(page) {
  return page.$$eval('#rows tbody tr.row', (rows) =>
    rows.filter((r) => !r.hidden && r.offsetParent !== null).map((r) => Number(r.dataset.index)));
}

// The page is no wider than the window: nothing to scroll sideways.
async function checkNoOverflow(page, when) {
  const width = await page.evaluate(() => document.scrollingElement.scrollWidth);
  check(width <= WIDTH, `${when}: the page is ${width} px wide in a ${WIDTH} px window`);
  return width;
}

// The text of every row's cell under the header sorting by `key`, by data-index.
async function column(page, key) {
  return page.$$eval('#rows', (tables, k) => {
    const heads = Array.from(tables[0].tHead.rows[0].cells);
    const at = heads.findIndex((th) => th.dataset.key === k);
    if (at < 0) return null;
    const out = {};
    for (const r of tables[0].tBodies[0].rows) out[r.dataset.index] = r.cells[at].textContent;
    return out;
  }, key);
}

// The new columns hold the records' values, and searching a note number or
// a file name shows the rows with that note or file, no more, no fewer.
async function checkRecordColumns(page, summary) {
  const records = fs.readFileSync(recordsFile, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
  check(records.length === expectedRows, `${records.length} records for ${expectedRows} rows`);
  const pageDir = path.dirname(path.resolve(indexHtml));
  const text = (v) => (v === undefined || v === null ? '' : String(v));
  const expected = {
    note: records.map((r) => text(r.note)),
    velocity: records.map((r) => text(r.velocity)),
    program: records.map((r) => text(r.program_index)),
    file: records.map((r) => (r.output_path ? path.relative(pageDir, r.output_path) : '')),
  };
  summary.cells = {};
  for (const key of Object.keys(expected)) {
    const cells = await column(page, key);
    check(cells !== null, `a sortable "${key}" column`);
    const got = records.map((_, i) => cells[i + 1]);
    summary.cells[key] = got;
    check(JSON.stringify(got) === JSON.stringify(expected[key]),
      `the ${key} cells hold the records' values: ${JSON.stringify(got)}, expected ${JSON.stringify(expected[key])}`);
  }
  const rowsWhere = (test) => records.map((r, i) => (test(r) ? i + 1 : 0)).filter((i) => i > 0);
  const searches = [
    ['search_note', noteQuery, rowsWhere((r) => text(r.note) === noteQuery)],
    ['search_file', fileQuery, rowsWhere((r) => !!r.output_path && path.basename(r.output_path).includes(fileQuery))],
  ];
  for (const [name, query, want] of searches) {
    check(want.length >= 1 && want.length < records.length, `"${query}" should pick some rows, not all: ${want}`);
    await page.fill('#search', query);
    const got = (await shown(page)).sort((a, b) => a - b);
    summary[name] = got;
    check(JSON.stringify(got) === JSON.stringify(want), `searching "${query}" shows rows ${got}, expected ${want}`);
  }
  await page.fill('#search', '');

  // Sorting by note orders the rows by note, rows without one last.
  await page.click('th[data-key="note"] button');
  const notes = await page.$$eval('#rows tbody tr.row', (rows) => rows.map((r) => r.dataset.note));
  const known = notes.filter((n) => n !== '').map(Number);
  check(known.every((n, i) => i === 0 || known[i - 1] <= n) && notes.slice(known.length).every((n) => n === ''),
    'ascending by note: ' + notes);
  await page.click('th[data-key="index"] button');
}

async function main() {
  const browser = await openChromium(WIDTH, 800, ['--autoplay-policy=no-user-gesture-required']);
  const context = browser.context;
  const summary = {};
  try {
    const page = await context.newPage();
    const problems = [];
    // Anything but file:// is a request for an external asset.
    noteProblems(page, problems);
    await page.goto('file://' + path.resolve(indexHtml));
    summary.page_width = await checkNoOverflow(page, 'as loaded');

    const all = await page.$$eval('#rows tbody tr.row', (rows) => rows.length);
    summary.rows = all;
    check(all === expectedRows, `${all} rows in the DOM, expected ${expectedRows}`);
    const pageSize = Number(await page.getAttribute('#rows', 'data-page-size'));
    const onPage = (n) => Math.min(n, pageSize);
    const visible = await shown(page);
    summary.visible = visible.length;
    check(visible.length === onPage(all), `${visible.length} rows shown on the first page`);

    // Paging through shows every row once.
    const seen = visible.slice();
    let pages = 1;
    while (!(await page.isDisabled('#next'))) {
      await page.click('#next');
      const next = await shown(page);
      check(next.length > 0 && next.length <= pageSize, `page ${pages + 1} shows ${next.length} rows`);
      seen.push(...next);
      pages += 1;
    }
    summary.pages = pages;
    check(seen.length === all && new Set(seen).size === all, 'paging shows every row once');
    while (!(await page.isDisabled('#prev'))) await page.click('#prev');

    // Every player loads its audio's metadata: a real, positive duration.
    const players = await page.$$eval('#rows audio', (as) => as.length);
    summary.players = players;
    check(players === expectedPlayers, `${players} players, expected ${expectedPlayers}`);
    // Rows off the current page load nothing; bring each page's players in turn.
    for (let p = 0; p < pages; p += 1) {
      await page.waitForFunction(() => Array.from(document.querySelectorAll('#rows tr.row:not([hidden]) audio'))
        .every((a) => a.readyState >= 1 || a.error), null, { timeout: 20000 });
      if (p < pages - 1) await page.click('#next');
    }
    while (!(await page.isDisabled('#prev'))) await page.click('#prev');
    const durations = await page.$$eval('#rows audio', (as) => as.map((a) =>
      (a.error ? -1 : a.duration)));
    summary.durations = durations;
    check(durations.every((d) => d > 0 && Number.isFinite(d)), 'every player has audio with a duration: ' + durations);
    // A row without a player is a failed row and says why.
    const silentRows = await page.$$eval('#rows tbody tr.row', (rows) => rows
      .filter((r) => !r.querySelector('audio'))
      .map((r) => [r.dataset.status, (r.querySelector('.error') || {}).textContent || '']));
    check(silentRows.every(([s, e]) => s === 'error' && e.length > 0), 'rows without a player are errors with a message');

    // Filters change what is shown.
    await page.selectOption('#status', 'error');
    const errors = await shown(page);
    summary.errors_shown = errors.length;
    check(errors.length === onPage(silentRows.length) && silentRows.length < all, `status=error shows ${errors.length} rows`);
    await page.selectOption('#status', 'ok');
    const oks = await shown(page);
    check(oks.length === onPage(all - silentRows.length), `status=ok shows ${oks.length} rows`);
    await page.selectOption('#status', 'all');
    await page.check('#only-errors');
    check((await shown(page)).length === errors.length, 'errors only shows the errors');
    await page.uncheck('#only-errors');
    await page.check('#only-silent');
    const silent = await shown(page);
    summary.silent_shown = silent;
    await page.uncheck('#only-silent');
    await page.check('#only-clipped');
    summary.clipped_shown = await shown(page);
    await page.uncheck('#only-clipped');
    check((await shown(page)).length === visible.length, 'clearing the filters shows every row again');

    // Search by name narrows the rows to the matching ones.
    const firstName = await page.getAttribute('#rows tbody tr.row', 'data-name');
    await page.fill('#search', firstName);
    const found = await shown(page);
    summary.search_shown = found.length;
    check(found.length >= 1 && found.length < all, `searching "${firstName}" shows ${found.length} rows`);
    await page.fill('#search', '');

    // Sorting by peak orders the rows by peak; again, the other way round.
    const before = await shown(page);
    await page.click('th[data-key="peak"] button');
    // Every row, in the order the page keeps them (the shown page first).
    const peaks = await page.$$eval('#rows tbody tr.row', (rows) => rows.map((r) => r.dataset.peak));
    const known = peaks.filter((p) => p !== '').map(Number);
    check(known.every((p, i) => i === 0 || known[i - 1] <= p), 'ascending by peak: ' + peaks);
    check(peaks.slice(known.length).every((p) => p === ''), 'rows without a peak go last');
    const ascending = await shown(page);
    await page.click('th[data-key="peak"] button');
    const descending = await shown(page);
    summary.order_default = before;
    summary.order_by_peak = ascending;
    check(JSON.stringify(ascending) !== JSON.stringify(descending), 'sorting twice reverses the order');
    check(JSON.stringify(before) !== JSON.stringify(ascending) ||
      JSON.stringify(before) !== JSON.stringify(descending), 'sorting by peak changes the order');
    check(await page.getAttribute('th[data-key="peak"]', 'aria-sort') === 'descending', 'the header shows the order');
    await page.click('th[data-key="index"] button');

    if (recordsFile !== undefined) await checkRecordColumns(page, summary);

    await page.screenshot({ path: screenshot, fullPage: true });
    // The full-page screenshot drew every image on the page too.
    summary.page_width = await checkNoOverflow(page, 'after the screenshot');

    // Decode the screenshot in a fresh page (from a data: URL, so the canvas
    // is not tainted) and count its colours.
    const image = await readPng(context, fs.readFileSync(screenshot));
    summary.screenshot = image;
    check(image.width > 0 && image.height > 0 && image.colours > 10, 'screenshot is not blank: ' + JSON.stringify(image));
    check(image.width === WIDTH, `the full-page screenshot is ${image.width} px wide, not ${WIDTH}`);
    check(problems.length === 0, problems.join('; '));
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify(summary));
}

main().catch((e) => {
  console.error('check-preview: ' + (e && e.message ? e.message : e));
  process.exit(1);
});
