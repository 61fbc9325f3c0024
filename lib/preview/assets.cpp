// SPDX-License-Identifier: GPL-3.0-or-later
#include "preview/assets.hpp"

namespace vr {

std::string_view preview_css() {
    return R"CSS(
body { font: 14px/1.4 system-ui, sans-serif; margin: 1em; background: #f6f7f9; color: #1c1f24; }
h1 { font-size: 1.3em; margin: 0 0 .5em; }
#controls { display: flex; flex-wrap: wrap; gap: .8em; align-items: center; margin-bottom: .8em; }
#controls label { white-space: nowrap; }
table { border-collapse: collapse; background: #fff; }
th, td { border: 1px solid #d5d9e0; padding: 4px 6px; vertical-align: top; text-align: left; }
th button { font: inherit; font-weight: bold; border: 0; background: none; cursor: pointer; padding: 0; }
th[aria-sort="ascending"] button::after { content: " \25B2"; }
th[aria-sort="descending"] button::after { content: " \25BC"; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.path { color: #5b6472; font-size: .85em; word-break: break-all; min-width: 14em; max-width: 22em; }
.name { font-weight: 600; overflow-wrap: anywhere; min-width: 14em; max-width: 22em; }
.status-ok { color: #17703a; }
.status-error { color: #b3261e; font-weight: bold; }
.status-skipped { color: #7a6100; }
.error { color: #b3261e; min-width: 16em; max-width: 24em; overflow-wrap: anywhere; }
.flag { display: inline-block; padding: 0 4px; border-radius: 3px; background: #ffe3a3; font-size: .8em; }
.flag.clipped { background: #ffc2bd; }
img { display: block; image-rendering: pixelated; }
audio { width: 240px; }
details { max-width: 22em; font-size: .85em; }
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
  var numeric = { index: 1, peak: 1, rms: 1, lufs: 1, length: 1, tail: 1, clipped: 1 };
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
    if (q && (value(row, 'name') + '\n' + value(row, 'path')).toLowerCase().indexOf(q) < 0) return false;
    return true;
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
