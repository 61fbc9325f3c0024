// SPDX-License-Identifier: GPL-3.0-or-later
#include "preview/assets.hpp"

namespace vr {

std::string_view preview_css() {
    return R"CSS(
body { font: 14px/1.4 system-ui, sans-serif; margin: 1em; background: #f6f7f9; color: #1c1f24; }
h1 { font-size: 1.3em; margin: 0 0 .5em; }
#controls { display: flex; flex-wrap: wrap; gap: .8em; align-items: center; margin-bottom: .8em; }
#controls label { white-space: nowrap; }
#search { width: 16em; }
/* A fixed layout takes the window's width, never more: the columns below
   share it, and whatever is in a cell wraps or shrinks to fit. */
table { border-collapse: collapse; background: #fff; width: 100%; table-layout: fixed; }
col.c-index { width: 2.6em; }
col.c-note { width: 3.4em; }
col.c-int { width: 5.2em; }
col.c-media { width: 15.6em; }
col.c-num { width: 4.3em; }
col.c-lufs { width: 5.4em; }
col.c-status { width: 7em; }
th, td { border: 1px solid #d5d9e0; padding: 4px 5px; vertical-align: top; text-align: left; overflow-wrap: anywhere; }
th { font-size: .9em; overflow-wrap: normal; }
th button { font: inherit; font-weight: bold; border: 0; background: none; cursor: pointer; padding: 0;
            text-align: left; }
th[aria-sort="ascending"] button::after { content: " \25B2"; }
th[aria-sort="descending"] button::after { content: " \25BC"; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.path { color: #5b6472; font-size: .85em; word-break: break-all; }
.name { font-weight: 600; }
td.file { font-size: .85em; }
td.file .dir { display: block; color: #5b6472; }
td.file a { color: inherit; }
.status-ok { color: #17703a; }
.status-error { color: #b3261e; font-weight: bold; }
.status-skipped { color: #7a6100; }
.error { color: #b3261e; font-size: .9em; }
.flag { display: inline-block; padding: 0 4px; border-radius: 3px; background: #ffe3a3; font-size: .8em; }
.flag.clipped { background: #ffc2bd; }
td.media audio { display: block; width: 100%; height: 36px; }
td.media img { display: block; max-width: 100%; height: auto; margin-top: 2px; image-rendering: pixelated; }
td.media img.shot { max-height: 120px; width: auto; image-rendering: auto; cursor: zoom-in; }
td.media img.shot:focus { position: fixed; left: 50%; top: 50%; transform: translate(-50%, -50%); max-width: 95vw;
  max-height: 95vh; z-index: 10; cursor: zoom-out; outline: none; box-shadow: 0 0 0 100vmax rgba(0, 0, 0, 0.6); }
details { font-size: .85em; }
details ul { padding-left: 1.2em; margin: .3em 0; }
#pager { margin: .8em 0; display: flex; gap: .6em; align-items: center; }
)CSS";
}

std::string_view preview_js() {
    return R"JS(
(function () {
  'use strict';
  var table = document.getElementById('rows');
  var body = table.tBodies[0];
  var all = Array.prototype.slice.call(body.rows);
  var pageSize = Number(table.getAttribute('data-page-size')) || 200;
  var numeric = { index: 1, note: 1, velocity: 1, program: 1, peak: 1, rms: 1, lufs: 1, length: 1, tail: 1,
                  clipped: 1 };
  var key = 'index', dir = 1, page = 0;
  var $ = function (id) { return document.getElementById(id); };

  function value(row, k) {
    var v = row.getAttribute('data-' + k);
    return v === null ? '' : v;
  }
  function order(a, b) {
    var x = value(a, key), y = value(b, key), c = 0;
    if (x === '' && y !== '') return 1;   // rows without the value go last
    if (y === '' && x !== '') return -1;
    if (x !== '' && y !== '') {
      if (numeric[key]) c = Number(x) - Number(y);
      else c = x.toLowerCase() < y.toLowerCase() ? -1 : x.toLowerCase() > y.toLowerCase() ? 1 : 0;
    }
    return c * dir || Number(value(a, 'index')) - Number(value(b, 'index'));
  }
  function matches(row) {
    var status = $('status').value;
    if (status !== 'all' && value(row, 'status') !== status) return false;
    if ($('only-silent').checked && value(row, 'silent') !== '1') return false;
    if ($('only-clipped').checked && !(Number(value(row, 'clipped')) > 0)) return false;
    if ($('only-errors').checked && value(row, 'status') !== 'error') return false;
    var q = $('search').value.trim().toLowerCase();
    return !q || search(row, q);
  }
  // A number is a note, velocity or program exactly; any text, part of the
  // name, preset path or output file as the row shows them.
  function search(row, q) {
    if (['note', 'velocity', 'program'].some(function (k) { return value(row, k) === q; })) return true;
    return [value(row, 'name'), value(row, 'path'), value(row, 'file')].some(function (t) {
      return t.toLowerCase().indexOf(q) >= 0;
    });
  }
  function update() {
    var shown = all.filter(matches).sort(order);
    var pages = Math.max(1, Math.ceil(shown.length / pageSize));
    page = Math.min(Math.max(page, 0), pages - 1);
    all.forEach(function (row) { row.hidden = true; });
    shown.forEach(function (row) { body.appendChild(row); });
    shown.slice(page * pageSize, (page + 1) * pageSize).forEach(function (row) {
      row.hidden = false;
      // Only rows on screen ask for audio metadata, so big batches stay light.
      var audio = row.querySelector('audio');
      if (audio && audio.preload !== 'metadata') { audio.preload = 'metadata'; audio.load(); }
    });
    $('count').textContent = shown.length + ' of ' + all.length + ' renders';
    $('page').textContent = 'page ' + (page + 1) + ' of ' + pages;
    $('prev').disabled = page === 0;
    $('next').disabled = page >= pages - 1;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      var k = th.getAttribute('data-key');
      if (k) th.setAttribute('aria-sort', k === key ? (dir > 0 ? 'ascending' : 'descending') : 'none');
    });
  }
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
    var k = th.getAttribute('data-key'), button = th.querySelector('button');
    if (!k || !button) return;
    button.addEventListener('click', function () {
      if (key === k) dir = -dir; else { key = k; dir = 1; }
      update();
    });
  });
  ['status', 'only-silent', 'only-clipped', 'only-errors'].forEach(function (id) {
    $(id).addEventListener('change', function () { page = 0; update(); });
  });
  $('search').addEventListener('input', function () { page = 0; update(); });
  $('prev').addEventListener('click', function () { page -= 1; update(); });
  $('next').addEventListener('click', function () { page += 1; update(); });
  update();
})();
)JS";
}

}  // namespace vr
