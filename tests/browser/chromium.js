// SPDX-License-Identifier: GPL-3.0-or-later
// What the browser checks share: the system's headless Chromium opened on
// a profile of its own, a page's problems noted (a script error, a request
// for anything but file://), and a PNG's pixels read back through a canvas.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

// Chromium (VR_CHROMIUM, else /usr/bin/chromium) with a window WIDTH x
// HEIGHT; close() ends it and removes its profile.
async function openChromium(width, height, extraArgs = []) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'vr-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.VR_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', ...extraArgs],
    viewport: { width, height },
  });
  return {
    context,
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

// Notes in problems what a page from file:// must not do.
function noteProblems(page, problems) {
  page.on('pageerror', (e) => problems.push('script error: ' + e.message));
  page.on('request', (r) => { if (!r.url().startsWith('file:')) problems.push('external request: ' + r.url()); });
}

// A PNG (its bytes) as the browser decodes it: its size, how many colours
// a sample of every 7th pixel holds (up to 1000), and the pixel [r, g, b]
// at each "X,Y" of points.
async function readPng(context, bytes, points = []) {
  const probe = await context.newPage();
  try {
    return await probe.evaluate(async ([b64, at]) => {
      const img = new Image();
      img.src = 'data:image/png;base64,' + b64;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const g = canvas.getContext('2d');
      g.drawImage(img, 0, 0);
      const data = g.getImageData(0, 0, canvas.width, canvas.height).data;
      const colours = new Set();
      for (let i = 0; i < data.length && colours.size < 1000; i += 4 * 7)
        colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
      const out = { width: canvas.width, height: canvas.height, colours: colours.size };
      for (const xy of at) {
        const [x, y] = xy.split(',').map(Number);
        out[xy] = Array.from(g.getImageData(x, y, 1, 1).data.slice(0, 3));
      }
      return out;
    }, [Buffer.from(bytes).toString('base64'), points]);
  } finally {
    await probe.close();
  }
}

module.exports = { openChromium, noteProblems, readPng };
