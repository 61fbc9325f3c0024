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
const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

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
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'vr-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.VR_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 800 },
  });
  const summary = {};
  try {
    const page = await context.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push('script error: ' + e.message));
    page.on('request', (r) => { if (!r.url().startsWith('file:')) problems.push('external request: ' + r.url()); });
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
    const png = (await img.screenshot()).toString('base64');
    const probe = await context.newPage();
    summary.enlarged = await probe.evaluate(async ([b64, at]) => {
      const shown = new Image();
      shown.src = 'data:image/png;base64,' + b64;
      await shown.decode();
      const canvas = document.createElement('canvas');
      canvas.width = shown.naturalWidth;
      canvas.height = shown.naturalHeight;
      const g = canvas.getContext('2d');
      g.drawImage(shown, 0, 0);
      const out = { width: canvas.width, height: canvas.height };
      for (const xy of at) {
        const [x, y] = xy.split(',').map(Number);
        out[xy] = Array.from(g.getImageData(x, y, 1, 1).data.slice(0, 3));
      }
      return out;
    }, [png, points]);
    await probe.close();
    // A click on the page's heading gives the focus back: the picture in its row.
    await page.click('h1');
    summary.after = await box(page, img);
    summary.problems = problems;
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  console.log(JSON.stringify(summary));
}

main().catch((e) => {
  console.error('check-picture: ' + (e && e.message ? e.message : e));
  process.exit(1);
});
