// SPDX-License-Identifier: GPL-3.0-or-later
// Opens a render-index page from file:// in the system's headless Chromium
// (a window 1280x800) and clicks the editor picture (img.shot) of row ROW,
// as a user would. Prints one JSON line of what the browser shows: each
// picture's natural size (0 when it did not load), the clicked one's box
// in the row, with the focus, and after a click elsewhere, and whether it
// has the focus; and the enlarged picture as the window shows it: its size
// and its pixels at the points X,Y given. The test asserts on it; this
// script only fails when the page cannot be driven.
//
// usage: node check-picture.js INDEX_HTML ROW [X,Y ...]
'use strict';
const path = require('path');
const { openChromium, noteProblems, readPng } = require('./chromium');

const [indexHtml, rowArg, ...points] = process.argv.slice(2);
if (!indexHtml || rowArg === undefined) {
  console.error('usage: check-picture.js INDEX_HTML ROW [X,Y ...]');
  process.exit(2);
}

// The box of the row's picture, rounded to whole pixels, and whether the
// document's focus is on it.
async function box(page, img) {
  const b = await img.boundingBox();
  const focused = await img.evaluate((e) => document.activeElement === e);
  return { x: Math.round(b.x), y: Math.round(b.y), width: Math.round(b.width), height: Math.round(b.height), focused };
}

async function main() {
  const browser = await openChromium(1280, 800);
  const summary = {};
  try {
    const page = await browser.context.newPage();
    const problems = [];
    noteProblems(page, problems);
    await page.goto('file://' + path.resolve(indexHtml), { waitUntil: 'load' });
    const shots = await page.$$('#rows tbody tr.row img.shot');
    // Lazy pictures load as they come into view: each is scrolled to first.
    summary.natural = [];
    for (const s of shots) {
      await s.scrollIntoViewIfNeeded();
      await s.evaluate((e) => (e.complete ? null : new Promise((done) => {
        e.addEventListener('load', done, { once: true });
        e.addEventListener('error', done, { once: true });
      })));
      summary.natural.push(await s.evaluate((e) => [e.naturalWidth, e.naturalHeight]));
    }
    const img = shots[Number(rowArg)];
    if (!img) throw new Error(`no picture in row ${rowArg}`);
    await img.scrollIntoViewIfNeeded();
    summary.in_row = await box(page, img);
    await img.click();
    summary.clicked = await box(page, img);
    // The window's pixels where the picture lies, read back through a canvas.
    summary.enlarged = await readPng(browser.context, await img.screenshot(), points);
    // A click on the page's heading gives the focus back: the picture in its row.
    await page.click('h1');
    summary.after = await box(page, img);
    summary.problems = problems;
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify(summary));
}

main().catch((e) => {
  console.error('check-picture: ' + (e && e.message ? e.message : e));
  process.exit(1);
});
