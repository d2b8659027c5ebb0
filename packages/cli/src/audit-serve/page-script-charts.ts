/**
 * The chart views of the page script: decisions over time (stacked SVG bars), latency per layer (p50
 * and p95 bars) and the top lists. Plain browser JavaScript; every label is set as text.
 */
export const CHARTS_SCRIPT = `
var SVG_NS = 'http://www.w3.org/2000/svg';
function svgEl(name, attrs, text) {
  var e = document.createElementNS(SVG_NS, name);
  Object.keys(attrs).forEach(function (k) { e.setAttribute(k, String(attrs[k])); });
  if (text !== undefined) e.textContent = text;
  return e;
}
function chart(width, height, label) {
  return svgEl('svg', { width: width, height: height, viewBox: '0 0 ' + width + ' ' + height, role: 'img', 'aria-label': label });
}
var OUTCOMES = ['allow', 'deny', 'ask'];
function renderTimeline(stats, root) {
  root.replaceChildren();
  var rows = stats.timeline.slice(-120);
  if (rows.length === 0) { root.append(el('p', {}, 'No decisions.')); return; }
  var max = 1;
  rows.forEach(function (r) { var t = 0; Object.keys(r.counts).forEach(function (k) { t += r.counts[k]; }); if (t > max) max = t; });
  var w = Math.max(300, rows.length * 14 + 60), h = 220, bw = 10;
  var svg = chart(w, h, 'Decisions per minute by outcome');
  rows.forEach(function (r, i) {
    var y = h - 30;
    Object.keys(r.counts).forEach(function (k) {
      var bh = (r.counts[k] / max) * (h - 50);
      y -= bh;
      var rect = svgEl('rect', { x: 40 + i * 14, y: y, width: bw, height: bh, 'class': OUTCOMES.indexOf(k) >= 0 ? k : 'other' });
      rect.append(svgEl('title', {}, r.minute + ' ' + k + ': ' + r.counts[k]));
      svg.append(rect);
    });
  });
  svg.append(svgEl('text', { x: 2, y: 20 }, String(max)));
  svg.append(svgEl('text', { x: 40, y: h - 10 }, rows[0].minute));
  svg.append(svgEl('text', { x: Math.max(40, w - 120), y: h - 10 }, rows[rows.length - 1].minute));
  root.append(svg);
  var legend = el('p', { 'class': 'legend' });
  OUTCOMES.forEach(function (k) { legend.append(el('span', {}, k)); });
  root.append(legend);
  root.append(table('Decisions per minute', ['minute', 'allow', 'deny', 'ask'], rows.map(function (r) {
    return [r.minute, r.counts.allow || 0, r.counts.deny || 0, r.counts.ask || 0];
  })));
}
function renderLatency(stats, root) {
  root.replaceChildren();
  var rows = stats.latency;
  if (rows.length === 0) { root.append(el('p', {}, 'No layer timings.')); return; }
  var max = 1;
  rows.forEach(function (r) { if (r.p95 > max) max = r.p95; });
  var w = 640, lh = 34, h = rows.length * lh + 20;
  var svg = chart(w, h, 'p50 and p95 time per layer in microseconds');
  rows.forEach(function (r, i) {
    var y = 10 + i * lh;
    svg.append(svgEl('text', { x: 0, y: y + 12 }, r.layer));
    svg.append(svgEl('rect', { x: 120, y: y, width: Math.max(1, (r.p95 / max) * 420), height: 12, 'class': 'p95' }));
    svg.append(svgEl('rect', { x: 120, y: y + 13, width: Math.max(1, (r.p50 / max) * 420), height: 12, 'class': 'p50' }));
    svg.append(svgEl('text', { x: 550, y: y + 12 }, 'p95 ' + r.p95 + ' µs'));
    svg.append(svgEl('text', { x: 550, y: y + 25 }, 'p50 ' + r.p50 + ' µs'));
  });
  root.append(svg);
  root.append(table('Time per layer (µs)', ['layer', 'decisions', 'p50', 'p95'], rows.map(function (r) { return [r.layer, r.n, r.p50, r.p95]; })));
}
function bars(rows, label) {
  var max = 1;
  rows.forEach(function (r) { if (r.count > max) max = r.count; });
  var svg = chart(520, rows.length * 20 + 10, label);
  rows.forEach(function (r, i) {
    svg.append(svgEl('rect', { x: 0, y: 5 + i * 20, width: Math.max(1, (r.count / max) * 300), height: 14, 'class': 'deny' }));
    svg.append(svgEl('text', { x: 310, y: 16 + i * 20 }, r.name + ' (' + r.count + ')'));
  });
  return svg;
}
function renderTop(stats, root) {
  root.replaceChildren();
  root.append(el('h3', {}, 'Denied tools'));
  root.append(bars(stats.topDeniedTools, 'Most denied tools'));
  root.append(table('Most denied tools', ['tool', 'denials'], stats.topDeniedTools.map(function (r) { return [r.name, r.count]; })));
  root.append(el('h3', {}, 'Reason codes'));
  root.append(bars(stats.topReasons, 'Most frequent reason codes of deny and ask decisions'));
  root.append(table('Most frequent reason codes (deny and ask)', ['layer/code', 'count'], stats.topReasons.map(function (r) { return [r.name, r.count]; })));
}
`;
