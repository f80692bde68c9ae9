// The connectivity graph (cytoscape): namespace filter, the workload and namespace views,
// layout, search.
// Part of one function body with the other report/*.js files (see report_html.rs).
// ------------------------------------------------------------------ namespace filter
var nsOn = D.namespaces.map(function () { return true; });
var nsList = $('ns-filter');
(function () {
  var html = [];
  D.namespaces.forEach(function (ns, i) {
    if (!ns.workloads) return;
    html.push('<li data-name="' + esc(ns.name) + '"><label><input type="checkbox" value="' + i + '" checked> ' + esc(ns.name) + ' <span class="muted">' + ns.workloads + '</span></label><span class="only" data-only="' + i + '">only</span></li>');
  });
  nsList.innerHTML = html.join('');
})();
function syncChecks() { nsList.querySelectorAll('input').forEach(function (c) { c.checked = nsOn[+c.value]; }); }
function selectOnly(list) {
  nsOn = D.namespaces.map(function () { return false; });
  list.forEach(function (a) { if (a < N) nsOn[a] = true; });
  syncChecks();
  if (shown.graph) drawGraph();
}
nsList.addEventListener('change', function (ev) { nsOn[+ev.target.value] = ev.target.checked; drawGraph(); });
nsList.addEventListener('click', function (ev) { if (ev.target.dataset.only) { ev.preventDefault(); selectOnly([+ev.target.dataset.only]); } });
$('ns-all').addEventListener('click', function (ev) { ev.preventDefault(); nsOn = nsOn.map(function () { return true; }); syncChecks(); drawGraph(); });
$('ns-none').addEventListener('click', function (ev) { ev.preventDefault(); nsOn = nsOn.map(function () { return false; }); syncChecks(); drawGraph(); });
$('ns-search').addEventListener('input', function () {
  var q = this.value.toLowerCase();
  nsList.querySelectorAll('li').forEach(function (li) { li.hidden = q && li.dataset.name.toLowerCase().indexOf(q) < 0; });
});

// ------------------------------------------------------------------ graph
var cy = null, graphMode = null;
function workloadClass(w) {
  if (w.hostNetwork) return 'host';
  if (!w.ingress.policies.length && !w.egress.policies.length) return 'none';
  return w.ingress.isolated && w.egress.isolated ? 'full' : 'part';
}
// A seeded random source, so that the same data is laid out the same way every time.
function seeded(seed) {
  return function () {
    seed |= 0; seed = seed + 0x6D2B79F5 | 0;
    var t = Math.imul(seed ^ seed >>> 15, 1 | seed);
    t = t + Math.imul(t ^ t >>> 7, 61 | t) ^ t;
    return ((t ^ t >>> 14) >>> 0) / 4294967296;
  };
}
function elements() {
  var f = parsePortFilter($('port-filter').value);
  var mode = $('view-mode').value;
  var vis = [];
  for (var n = 0; n < W; n++) if (nsOn[D.workloads[n].namespace]) vis.push(n);
  var visSet = new Uint8Array(W + D.externals.length);
  vis.forEach(function (n) { visSet[n] = 1; });
  var note = [];
  if (mode === 'auto') mode = vis.length > MAX_NODES ? 'namespaces' : 'workloads';
  var els = [];
  if (mode === 'workloads') {
    var edges = [], extUsed = {}, more = 0, nsEdges = [];
    var push = function (e) {
      if (e[0] === e[1] || !setMatches(portSet(e[2]), f)) return;
      if (edges.length >= MAX_EDGES) { more++; return; }
      edges.push(e);
      if (isExt(e[0])) extUsed[e[0]] = 1;
      if (isExt(e[1])) extUsed[e[1]] = 1;
    };
    vis.forEach(function (n) { outEdges(n).forEach(function (e) { if (visSet[e[1]] || isExt(e[1])) push(e); }); });
    for (var x = W; x < W + D.externals.length; x++) outEdges(x).forEach(function (e) { if (visSet[e[1]]) push(e); });
    if (more) note.push('Drawing the first ' + fmt(MAX_EDGES) + ' connections of ' + fmt(MAX_EDGES + more) + ': narrow by namespace or port.');
    var cutCount = vis.filter(function (n) { return !complete(n); }).length;
    if (cutCount) note.push(fmt(cutCount) + ' of these workloads (dashed) have connections that are not embedded (over the data budget): their edges here are only those with the embedded namespaces; the namespace-level connections of their namespaces are drawn instead (grey).');
    var areasUsed = {};
    vis.forEach(function (n) { areasUsed[D.workloads[n].namespace] = 1; });
    Object.keys(areasUsed).forEach(function (a) { els.push({ data: { id: 'ns' + a, label: areaName(+a), kind: 'ns' }, classes: 'ns' }); });
    var extKeys = Object.keys(extUsed);
    if (extKeys.length) els.push({ data: { id: 'outside', label: 'outside the cluster', kind: 'ns' }, classes: 'ns outside' });
    vis.forEach(function (n) {
      var w = D.workloads[n];
      els.push({ data: { id: 'n' + n, node: n, parent: 'ns' + w.namespace, label: w.name + (w.pods > 1 ? ' ×' + w.pods : '') }, classes: 'workload ' + workloadClass(w) + (complete(n) ? '' : ' cut') });
    });
    extKeys.forEach(function (x) {
      var e = D.externals[x - W];
      els.push({ data: { id: 'n' + x, node: +x, parent: 'outside', label: (e.internet ? 'internet ' : '') + e.name }, classes: 'external' + (e.internet ? ' internet' : '') });
    });
    // A connection both ways with the same ports is drawn once, with two arrows.
    var seen = new Map();
    edges.forEach(function (e) { seen.set(e[0] + ',' + e[1], e); });
    // Where workload connections are cut, the namespace matrix (never cut) stands in:
    // edges between the namespace box and the other namespaces, drawn as single nodes.
    if (cutCount) {
      var cutAreas = {};
      vis.forEach(function (n) { if (!complete(n)) cutAreas[D.workloads[n].namespace] = 1; });
      var others = {};
      D.namespaceMatrix.forEach(function (c, i) {
        if (c[0] === c[1] || !setMatches(portSet(c[2]), f)) return;
        var inA = cutAreas[c[0]], inB = cutAreas[c[1]];
        if (!inA && !inB) return;
        var end = function (a) { if (a < N && areasUsed[a]) return 'ns' + a; others[a] = 1; return 'a' + a; };
        var ps = portSet(c[2]);
        nsEdges.push({ data: { id: 'm' + i, source: end(c[0]), target: end(c[1]), label: ps.text === 'All' ? '' : shortPorts(ps.text), ports: ps.text + ' (namespace level)' }, classes: 'nslevel' });
      });
      Object.keys(others).forEach(function (a) {
        a = +a;
        els.push({ data: { id: 'a' + a, area: a, label: a === EXT_AREA ? 'external' : areaName(a) + ' (' + D.namespaces[a].workloads + ')', size: 22 }, classes: 'area' + (a === EXT_AREA ? ' external internet' : '') });
      });
    }
    edges.forEach(function (e, i) {
      var back = seen.get(e[1] + ',' + e[0]);
      var both = back && back[2] === e[2] && back[3] === e[3];
      if (both && e[0] > e[1]) return;
      var ps = portSet(e[2]), open = ps.text === 'All';
      var cls = (e[3] ? '' : 'partial ') + (open ? 'open ' : '') + (both ? 'both' : '');
      els.push({ data: { id: 'e' + i, source: 'n' + e[0], target: 'n' + e[1], label: open ? '' : shortPorts(ps.text) + (e[3] ? '' : ' (some pods)'), ports: (both ? '⇄ ' : '') + ps.text }, classes: cls });
    });
    nsEdges.forEach(function (e) { els.push(e); });
  } else {
    var cells = D.namespaceMatrix.filter(function (c) {
      return c[0] !== c[1] && (c[0] === EXT_AREA || nsOn[c[0]]) && (c[1] === EXT_AREA || nsOn[c[1]]) && !(c[0] === EXT_AREA && c[1] === EXT_AREA) && setMatches(portSet(c[2]), f);
    });
    if (cells.length > MAX_NS_EDGES) {
      note.push('Drawing the ' + fmt(MAX_NS_EDGES) + ' namespace connections with most allowed pairs, of ' + fmt(cells.length) + '.');
      cells = cells.slice().sort(function (a, b) { return b[3] - a[3]; }).slice(0, MAX_NS_EDGES);
    }
    note.push('Namespaces are shown as single nodes (' + fmt(vis.length) + ' workloads is too many to draw). Click a namespace to see its workloads.');
    var used = {};
    cells.forEach(function (c) { used[c[0]] = used[c[1]] = 1; });
    D.namespaces.forEach(function (ns, a) {
      if (!nsOn[a] || !ns.workloads) return;
      els.push({ data: { id: 'a' + a, area: a, label: ns.name + ' (' + ns.workloads + ')', size: 18 + Math.min(50, Math.sqrt(ns.workloads) * 5) }, classes: 'area ' + (ns.unselected ? 'none' : (ns.ingressIsolated === ns.workloads && ns.egressIsolated === ns.workloads ? 'full' : 'part')) });
    });
    if (used[EXT_AREA]) els.push({ data: { id: 'a' + EXT_AREA, area: EXT_AREA, label: 'external (' + D.externals.length + ' ranges)', size: 40 }, classes: 'area external internet' });
    cells.forEach(function (c, i) {
      var ps = portSet(c[2]);
      els.push({ data: { id: 'c' + i, source: 'a' + c[0], target: 'a' + c[1], label: ps.text === 'All' ? '' : shortPorts(ps.text), ports: ps.text }, classes: (c[3] === c[4] ? '' : 'partial') + (ps.text === 'All' ? ' open' : '') });
    });
  }
  if (f && f.invalid) note.push('Port filter not understood: use 443, udp/53 or 8000-8999.');
  return { els: els, mode: mode, note: note };
}
var style = [
  { selector: 'node', style: { 'label': 'data(label)', 'font-size': 11, 'color': '#0f172a', 'text-valign': 'bottom', 'text-margin-y': 4, 'width': 26, 'height': 26, 'border-width': 2.5, 'background-color': '#ccfbf1', 'border-color': '#0f766e', 'text-background-color': '#f8fafc', 'text-background-opacity': 0.85, 'text-background-padding': 2, 'min-zoomed-font-size': 7 } },
  { selector: 'node.part', style: { 'background-color': '#fef3c7', 'border-color': '#d97706' } },
  { selector: 'node.none', style: { 'background-color': '#fee2e2', 'border-color': '#dc2626', 'border-width': 3.5 } },
  { selector: 'node.host', style: { 'background-color': '#ede9fe', 'border-color': '#7c3aed' } },
  { selector: 'node.external', style: { 'shape': 'round-rectangle', 'background-color': '#dbeafe', 'border-color': '#2563eb', 'width': 30, 'height': 22 } },
  { selector: 'node.area', style: { 'width': 'data(size)', 'height': 'data(size)' } },
  { selector: 'node.ns', style: { 'shape': 'round-rectangle', 'background-color': '#f1f5f9', 'background-opacity': 0.75, 'border-width': 1.5, 'border-color': '#94a3b8', 'border-style': 'solid', 'label': 'data(label)', 'text-valign': 'bottom', 'text-halign': 'center', 'text-margin-y': 5, 'font-size': 13, 'font-weight': 700, 'color': '#334155', 'padding': 18, 'text-background-color': '#f8fafc', 'text-background-opacity': 0.9, 'text-background-padding': 2 } },
  { selector: 'node.ns.outside', style: { 'background-color': '#eff6ff', 'border-color': '#93c5fd', 'border-style': 'dashed' } },
  { selector: 'edge', style: { 'width': 2, 'line-color': '#0f766e', 'target-arrow-color': '#0f766e', 'source-arrow-color': '#0f766e', 'target-arrow-shape': 'triangle', 'arrow-scale': 0.9, 'curve-style': 'bezier', 'label': 'data(label)', 'font-size': 9.5, 'color': '#334155', 'text-rotation': 'autorotate', 'text-background-color': '#ffffff', 'text-background-opacity': 0.9, 'text-background-padding': 1.5, 'min-zoomed-font-size': 8 } },
  { selector: 'edge.partial', style: { 'line-style': 'dashed' } },
  { selector: 'edge.open', style: { 'line-color': '#cbd5e1', 'target-arrow-color': '#cbd5e1', 'source-arrow-color': '#cbd5e1', 'line-style': 'dotted', 'width': 1.4 } },
  { selector: 'edge.both', style: { 'source-arrow-shape': 'triangle' } },
  { selector: 'node.cut', style: { 'border-style': 'dashed' } },
  { selector: 'edge.nslevel', style: { 'line-color': '#94a3b8', 'target-arrow-color': '#94a3b8', 'source-arrow-color': '#94a3b8', 'line-style': 'dashed', 'width': 1.6 } },
  { selector: '.faded', style: { 'opacity': 0.15 } },
  { selector: 'node.match', style: { 'border-color': '#0f172a', 'border-width': 4 } },
  { selector: 'node:selected', style: { 'border-color': '#0f172a', 'border-width': 4, 'overlay-opacity': 0 } },
  { selector: 'edge.hl', style: { 'line-color': '#ea580c', 'target-arrow-color': '#ea580c', 'source-arrow-color': '#ea580c', 'line-style': 'solid', 'width': 3, 'z-index': 9 } },
  { selector: 'edge.hl-in', style: { 'line-color': '#2563eb', 'target-arrow-color': '#2563eb', 'source-arrow-color': '#2563eb', 'line-style': 'solid', 'width': 3, 'z-index': 9 } }
];
function layoutOptions(count) {
  if (count > 400) return { name: 'grid', avoidOverlap: true, nodeDimensionsIncludeLabels: true };
  return { name: typeof cytoscapeFcose === 'undefined' ? 'cose' : 'fcose', animate: false, randomize: true, quality: 'proof', nodeDimensionsIncludeLabels: true, idealEdgeLength: 110, nodeRepulsion: 9000, nestingFactor: 0.5, gravity: 0.3, packComponents: true, tilingPaddingVertical: 30, tilingPaddingHorizontal: 30, padding: 30 };
}
function runLayout() {
  var saved = Math.random;
  Math.random = seeded(7);
  try { cy.layout(layoutOptions(cy.nodes().length)).run(); } finally { Math.random = saved; }
  cy.fit(undefined, 30);
}
function drawGraph() {
  if (!shown.graph) return;
  var r = elements();
  graphMode = r.mode;
  var gn = $('graph-note');
  gn.hidden = !r.note.length;
  gn.textContent = r.note.join(' ');
  if (!cy) {
    if (typeof cytoscapeFcose !== 'undefined') cytoscape.use(cytoscapeFcose);
    cy = cytoscape({ container: $('graph'), elements: [], style: style, wheelSensitivity: 0.25, minZoom: 0.05, maxZoom: 4, boxSelectionEnabled: false });
    cy.on('tap', 'node', function (ev) {
      var d = ev.target.data();
      if (d.node != null) openCard(d.node);
      else if (d.area != null && d.area !== EXT_AREA) { selectOnly([d.area]); }
    });
    cy.on('mouseover', 'edge', function (ev) { ev.target.style('label', ev.target.data('ports')); });
    cy.on('mouseout', 'edge', function (ev) { ev.target.removeStyle('label'); });
  }
  cy.elements().remove();
  cy.add(r.els);
  if (cy.edges().length > 80) cy.edges().style('label', '');
  runLayout();
  applySearch();
  highlight(cardNode);
}
window.addEventListener('resize', function () { if (cy) cy.resize(); });
$('fit').addEventListener('click', function () { if (cy) cy.fit(undefined, 30); });
$('relayout').addEventListener('click', function () { if (cy) runLayout(); });
$('port-filter').addEventListener('input', function () { drawGraph(); });
$('view-mode').addEventListener('change', function () { drawGraph(); });

// ------------------------------------------------------------------ search
function applySearch() {
  var q = $('search').value.trim().toLowerCase();
  var res = $('search-results');
  res.innerHTML = '';
  if (cy) cy.nodes().removeClass('match faded');
  if (!q) return;
  var hits = [];
  for (var n = 0; n < W + D.externals.length && hits.length < 50; n++) if (nodeName(n).toLowerCase().indexOf(q) >= 0) hits.push(n);
  res.innerHTML = hits.map(function (n) { return '<li data-node="' + n + '">' + esc(nodeName(n)) + '</li>'; }).join('') || '<li class="muted">no match</li>';
  if (cy && graphMode === 'workloads') {
    var m = cy.nodes().filter(function (el) { return el.data('node') != null && nodeName(el.data('node')).toLowerCase().indexOf(q) >= 0; });
    cy.nodes('.workload, .external').not(m).addClass('faded');
    m.addClass('match');
  }
}
$('search').addEventListener('input', applySearch);
$('search').addEventListener('keydown', function (ev) {
  if (ev.key !== 'Enter') return;
  var first = $('search-results').querySelector('li[data-node]');
  if (first) openCard(+first.dataset.node);
});
$('search-results').addEventListener('click', function (ev) {
  var li = ev.target.closest('li[data-node]');
  if (li) openCard(+li.dataset.node);
});
