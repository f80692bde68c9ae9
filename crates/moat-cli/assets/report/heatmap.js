// The namespace × namespace heatmap and its drill-down, and the page's handle for tests.
// Part of one function body with the other report/*.js files (see report_html.rs).
// ------------------------------------------------------------------ heatmap
var heat = null;
function drawHeatmap() {
  var areas = [];
  D.namespaces.forEach(function (ns, a) { if (ns.workloads) areas.push(a); });
  if (D.externals.length) areas.push(EXT_AREA);
  var pos = {};
  areas.forEach(function (a, i) { pos[a] = i; });
  var k = areas.length;
  var cell = Math.max(3, Math.min(64, Math.floor(760 / Math.max(1, k))));
  var labels = cell >= 9;
  var ctx0 = document.createElement('canvas').getContext('2d');
  ctx0.font = '12px system-ui, sans-serif';
  var lw = labels ? Math.min(200, 12 + Math.max.apply(null, areas.map(function (a) { return ctx0.measureText(areaName(a)).width; }))) : 8;
  var canvas = $('heatmap'), dpr = window.devicePixelRatio || 1;
  var wpx = lw + k * cell + 4, hpx = lw + k * cell + 4;
  canvas.width = wpx * dpr; canvas.height = hpx * dpr;
  canvas.style.width = wpx + 'px'; canvas.style.height = hpx + 'px';
  var ctx = canvas.getContext('2d');
  ctx.scale(dpr, dpr);
  ctx.fillStyle = '#ffffff'; ctx.fillRect(0, 0, wpx, hpx);
  var grid = new Map();
  D.namespaceMatrix.forEach(function (c) { if (c[0] in pos && c[1] in pos) grid.set(pos[c[0]] * k + pos[c[1]], c); });
  var frac = 0;
  for (var i = 0; i < k; i++) for (var j = 0; j < k; j++) {
    var c = grid.get(i * k + j), x = lw + j * cell, y = lw + i * cell;
    if (!c) { ctx.fillStyle = '#f1f5f9'; }
    else {
      frac = c[4] ? c[3] / c[4] : 1;
      var t = 0.18 + 0.82 * Math.sqrt(frac);
      ctx.fillStyle = 'rgb(' + Math.round(204 - 189 * t) + ',' + Math.round(251 - 133 * t) + ',' + Math.round(241 - 131 * t) + ')';
    }
    ctx.fillRect(x + 0.5, y + 0.5, cell - 1, cell - 1);
    if (c && cell >= 48) {
      // Big enough cells name their ports.
      var txt = portSet(c[2]).text;
      ctx.fillStyle = frac > 0.45 ? '#ffffff' : '#0f172a';
      ctx.font = '10.5px system-ui, sans-serif'; ctx.textAlign = 'center'; ctx.textBaseline = 'middle';
      var parts = txt.split('; ');
      parts.slice(0, 3).forEach(function (t, q) {
        if (ctx.measureText(t).width > cell - 6) t = t.slice(0, Math.max(3, Math.floor((cell - 6) / 6))) + '…';
        ctx.fillText(t, x + cell / 2, y + cell / 2 + (q - (Math.min(3, parts.length) - 1) / 2) * 12);
      });
    }
  }
  if (labels) {
    ctx.fillStyle = '#334155'; ctx.font = '12px system-ui, sans-serif'; ctx.textBaseline = 'middle';
    areas.forEach(function (a, i) {
      ctx.textAlign = 'right'; ctx.fillText(areaName(a), lw - 6, lw + i * cell + cell / 2);
      ctx.save(); ctx.translate(lw + i * cell + cell / 2, lw - 6); ctx.rotate(-Math.PI / 2); ctx.textAlign = 'left'; ctx.fillText(areaName(a), 0, 0); ctx.restore();
    });
  }
  heat = { areas: areas, cell: cell, lw: lw, grid: grid, k: k };
}
function heatCell(ev) {
  if (!heat) return null;
  var r = $('heatmap').getBoundingClientRect();
  var j = Math.floor((ev.clientX - r.left - heat.lw) / heat.cell), i = Math.floor((ev.clientY - r.top - heat.lw) / heat.cell);
  if (i < 0 || j < 0 || i >= heat.k || j >= heat.k) return null;
  return { from: heat.areas[i], to: heat.areas[j], c: heat.grid.get(i * heat.k + j) };
}
$('heatmap').addEventListener('mousemove', function (ev) {
  var t = heatCell(ev), tip = $('heat-tip');
  if (!t) { tip.hidden = true; return; }
  tip.hidden = false;
  tip.style.left = (ev.clientX + 14) + 'px'; tip.style.top = (ev.clientY + 14) + 'px';
  tip.innerHTML = esc(areaName(t.from)) + ' → ' + esc(areaName(t.to)) + '<br>' + (t.c ? esc(portSet(t.c[2]).text) + '<br>' + fmt(t.c[3]) + ' of ' + fmt(t.c[4]) + ' pairs allowed' : 'nothing allowed');
});
$('heatmap').addEventListener('mouseleave', function () { $('heat-tip').hidden = true; });
$('heatmap').addEventListener('click', function (ev) { var t = heatCell(ev); if (t) drill(t.from, t.to); });
function drill(a, b) {
  var rows = [], whole = detailArea[a] === 1 || detailArea[b] === 1 || !D.budget.cut;
  var sources = [];
  for (var n = 0; n < W + D.externals.length; n++) if (nodeArea(n) === a) sources.push(n);
  sources.forEach(function (n) {
    outEdges(n).forEach(function (e) { if (nodeArea(e[1]) === b && e[0] !== e[1]) rows.push(e); });
  });
  var shownRows = rows.slice(0, 1000);
  $('drill').innerHTML = '<h2>' + esc(areaName(a)) + ' → ' + esc(areaName(b)) + ': ' + plural(rows.length, 'workload connection') + '</h2>' +
    (whole ? '' : '<p class="muted">These namespaces\' workload connections are not embedded (over the data budget); the cell above is complete.</p>') +
    (rows.length ? '<table class="grid" id="drill-table"><tr><th>From</th><th>To</th><th>Ports</th></tr>' + shownRows.map(function (e) {
      return '<tr class="click" data-node="' + e[0] + '"><td>' + esc(nodeName(e[0])) + '</td><td>' + esc(nodeName(e[1])) + '</td><td class="mono">' + esc(portSet(e[2]).text) + (e[3] ? '' : ' <span class="muted">(some pods)</span>') + '</td></tr>';
    }).join('') + '</table>' + (rows.length > 1000 ? '<p class="muted">and ' + fmt(rows.length - 1000) + ' more</p>' : '') : '<p class="muted">Nothing is allowed between them.</p>');
}
$('drill').addEventListener('click', function (ev) { var tr = ev.target.closest('tr[data-node]'); if (tr) openCard(+tr.dataset.node); });

// For tests and the console: a small read-only handle.
window.moatReport = {
  data: D,
  cy: function () { return cy; },
  mode: function () { return graphMode; },
  visibleWorkloads: function () {
    return cy ? cy.nodes('.workload').filter(function (n) { return n.visible(); }).map(function (n) { return nodeName(n.data('node')); }) : [];
  },
  showTab: showTab,
  // The viewport point at the centre of a heatmap cell, by area names.
  heatPoint: function (from, to) {
    if (!heat) return null;
    var i = heat.areas.findIndex(function (a) { return areaName(a) === from; });
    var j = heat.areas.findIndex(function (a) { return areaName(a) === to; });
    var r = $('heatmap').getBoundingClientRect();
    return [r.left + heat.lw + (j + 0.5) * heat.cell, r.top + heat.lw + (i + 0.5) * heat.cell];
  }
};
var hash = location.hash.replace('#', '');
if (['graph', 'matrix', 'findings'].indexOf(hash) >= 0) showTab(hash);
