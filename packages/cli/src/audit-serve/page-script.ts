import { CHARTS_SCRIPT } from './page-script-charts.js';

/**
 * The page's core script: fetching, the Overview, Records and Session views, and the router. Records
 * are attacker-influenced text, so every value goes into the page through `textContent` (never
 * `innerHTML`).
 */
const CORE_SCRIPT = `
'use strict';
function el(name, attrs, text) {
  var e = document.createElement(name);
  Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, String(attrs[k])); });
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}
function table(caption, head, rows) {
  var t = el('table');
  t.append(el('caption', {}, caption));
  var tr = el('tr');
  head.forEach(function (h) { tr.append(el('th', { scope: 'col' }, h)); });
  var thead = el('thead'); thead.append(tr); t.append(thead);
  var body = el('tbody');
  rows.forEach(function (r) {
    var row = el('tr');
    r.forEach(function (c) {
      if (c instanceof Node) { var td = el('td'); td.append(c); row.append(td); }
      else row.append(el('td', typeof c === 'number' ? { 'class': 'num' } : {}, c === undefined ? '' : c));
    });
    body.append(row);
  });
  t.append(body);
  return t;
}
function getJson(path) {
  return fetch(path).then(function (r) { return r.json(); });
}
function renderOverview(s, root) {
  root.replaceChildren();
  var cap = document.getElementById('capped');
  cap.hidden = !s.capped;
  cap.textContent = s.capped ? 'Showing the first ' + s.kept + ' of ' + s.total + ' records (memory cap ' + s.maxRecords + ').' : '';
  root.append(table('Chain status per file', ['file', 'chain', 'records', 'head', 'from', 'to', 'by type'], s.files.map(function (f) {
    var status = el('span', { 'class': f.ok ? 'ok' : 'bad' }, f.ok ? 'verified' : 'BROKEN at record ' + f.firstBad.seq + ' (line ' + f.firstBad.line + '): ' + f.firstBad.reason);
    var types = Object.keys(f.types).map(function (k) { return k + ' ' + f.types[k]; }).join(', ');
    return [f.path, status, f.records, f.head, f.firstTs, f.lastTs, types + (f.invalidLines ? ' (' + f.invalidLines + ' invalid lines)' : '')];
  })));
  if (!s.files.some(function (f) { return f.checkpoint; })) { root.append(el('p', {}, 'No checkpoint (no <file>.checkpoint next to the logs).')); return; }
  root.append(table('Last checkpoint', ['checkpoint', 'signature', 'status', 'size', 'hash', 'time'], s.files.filter(function (f) { return f.checkpoint; }).map(function (f) {
    var c = f.checkpoint;
    var st = el('span', { 'class': c.matches ? 'ok' : 'bad' }, c.matches ? 'matches the chain' : 'does not match: ' + (c.problem || ''));
    return [c.path, c.verified ? 'verified' : 'unverified (no --key)', st, c.size, c.hash, c.time];
  })));
}
var page = { offset: 0, limit: 50, total: 0 };
function recordCells(r) {
  return [r.seq, r.ts, r.type, r.tool, r.outcome, r.sessionId ? sessionLink(r.sessionId) : '', el('pre', {}, JSON.stringify(r.data, null, 1))];
}
function sessionLink(id) {
  return el('a', { href: '#session=' + encodeURIComponent(id) }, id);
}
function loadRecords() {
  var p = new URLSearchParams({ q: document.getElementById('q').value, type: document.getElementById('type').value, outcome: document.getElementById('outcome').value, offset: page.offset, limit: page.limit });
  return getJson('/api/records?' + p).then(function (r) {
    page.total = r.total;
    document.getElementById('records-count').textContent = r.total === 0 ? 'No records match.' : 'Records ' + (r.offset + 1) + '–' + (r.offset + r.items.length) + ' of ' + r.total;
    var root = document.getElementById('records-body');
    root.replaceChildren(table('Matching records', ['seq', 'time', 'type', 'tool', 'outcome', 'session', 'data'], r.items.map(recordCells)));
  });
}
function reasonsText(d) {
  var rs = (d.decision && d.decision.reasons) || [];
  return rs.map(function (x) { return x.layer + '/' + x.code + (x.detail ? ': ' + x.detail : ''); }).join('; ');
}
function renderSessions(r, root) {
  root.replaceChildren(table('Sessions (most recent first)', ['session', 'steps', 'denied', 'asked', 'first', 'last'], r.sessions.map(function (s) {
    return [sessionLink(s.id), s.steps, s.denies, s.asks, s.firstTs, s.lastTs];
  })));
}
function renderSession(r, root) {
  document.getElementById('h-session').textContent = 'Session ' + r.id;
  root.replaceChildren(table('Steps of the session', ['seq', 'time', 'tool', 'decision', 'reasons and flags', 'layers', 'outcome', 'ask and answer'], r.steps.map(function (s) {
    var d = s.decision.data;
    var layers = (d.layers || []).map(function (l) { return l.layer + ' ' + l.verdict + ' ' + l.us + 'µs'; }).join(', ');
    var ask = d.decision && d.decision.question ? 'asked: ' + d.decision.question : '';
    if (s.answer) ask += (ask ? ' — ' : '') + 'answer: ' + s.answer.data.verdict + (s.answer.data.by ? ' by ' + JSON.stringify(s.answer.data.by) : '');
    return [s.decision.seq, s.decision.ts, s.decision.tool, el('span', { 'class': s.decision.outcome === 'allow' ? 'ok' : s.decision.outcome === 'deny' ? 'bad' : 'warn' }, s.decision.outcome), reasonsText(d), layers, s.outcome ? s.outcome.outcome : '', ask];
  })));
}
var VIEWS = ['overview', 'timeline', 'latency', 'top', 'records', 'sessions', 'session'];
function show(view) {
  VIEWS.forEach(function (v) { document.getElementById('view-' + v).hidden = v !== view; });
  document.querySelectorAll('nav a').forEach(function (a) {
    if (a.getAttribute('href') === '#' + view) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  });
}
function route() {
  var hash = location.hash.slice(1) || 'overview';
  var view = hash.indexOf('session=') === 0 ? 'session' : VIEWS.indexOf(hash) >= 0 ? hash : 'overview';
  show(view);
  var body = document.getElementById(view + '-body');
  var done;
  if (view === 'overview') done = getJson('/api/summary').then(function (s) { renderOverview(s, body); });
  else if (view === 'timeline') done = getJson('/api/stats').then(function (s) { renderTimeline(s, body); });
  else if (view === 'latency') done = getJson('/api/stats').then(function (s) { renderLatency(s, body); });
  else if (view === 'top') done = getJson('/api/stats').then(function (s) { renderTop(s, body); });
  else if (view === 'records') done = loadRecords();
  else if (view === 'sessions') done = getJson('/api/sessions').then(function (s) { renderSessions(s, body); });
  else done = getJson('/api/session?id=' + encodeURIComponent(decodeURIComponent(hash.slice(8)))).then(function (s) {
    if (s.error) body.replaceChildren(el('p', {}, 'No such session.')); else renderSession(s, body);
  });
  done.then(function () { document.body.setAttribute('data-ready', view); }, function (e) {
    body.replaceChildren(el('p', { 'class': 'bad' }, 'Could not load: ' + e));
  });
}
document.addEventListener('DOMContentLoaded', function () {
  document.getElementById('record-filters').addEventListener('submit', function (e) { e.preventDefault(); page.offset = 0; loadRecords(); });
  document.getElementById('prev').addEventListener('click', function () { page.offset = Math.max(0, page.offset - page.limit); loadRecords(); });
  document.getElementById('next').addEventListener('click', function () { if (page.offset + page.limit < page.total) { page.offset += page.limit; loadRecords(); } });
  window.addEventListener('hashchange', function () { document.body.removeAttribute('data-ready'); route(); });
  route();
});
`;

/** The whole page script, served as /app.js. */
export const PAGE_SCRIPT = CORE_SCRIPT + CHARTS_SCRIPT;
