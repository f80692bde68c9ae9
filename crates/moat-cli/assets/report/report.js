// The moat report page. Every verdict comes from the data (computed by moat); this script
// only looks values up: a port in a port set, a node in a peer set, an edge by its ends.
(function () {
  'use strict';

  var D = JSON.parse(document.getElementById('moat-data').textContent);
  var W = D.workloads.length;
  var N = D.namespaces.length;
  var EXT_AREA = N;
  // Drawing limits: above them the graph shows namespaces instead of workloads.
  var MAX_NODES = 250, MAX_EDGES = 2500, MAX_NS_EDGES = 3000;

  // ------------------------------------------------------------------ helpers
  function $(id) { return document.getElementById(id); }
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function h(tag, attrs, html) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (html != null) e.innerHTML = html;
    return e;
  }
  function fmt(n) { return Number(n).toLocaleString('en-US'); }
  function plural(n, one, many) { return fmt(n) + ' ' + (n === 1 ? one : (many || one + 's')); }
  function areaName(a) { return a === EXT_AREA ? 'external' : D.namespaces[a].name; }
  function isExt(n) { return n >= W; }
  function nodeName(n) {
    if (isExt(n)) return D.externals[n - W].name;
    var w = D.workloads[n];
    return D.namespaces[w.namespace].name + '/' + w.name;
  }
  function nodeArea(n) { return isExt(n) ? EXT_AREA : D.workloads[n].namespace; }
  function portSet(i) { return D.portSets[i]; }
  function inSet(ps, proto, port) {
    return ps.ranges.some(function (r) { return r[0] === proto && r[1] <= port && port <= r[2]; });
  }
  function inPeers(setIndex, node) {
    var rs = D.peerSets[setIndex], lo = 0, hi = rs.length - 1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (node < rs[mid][0]) hi = mid - 1; else if (node > rs[mid][1]) lo = mid + 1; else return true;
    }
    return false;
  }
  function policyName(p) { var q = D.policies[p]; return D.namespaces[q.namespace].name + '/' + q.name; }
  function where(file, line) { return file + ':' + line; }
  function shortPorts(t) { return t.length > 26 ? t.slice(0, 24) + '…' : t; }

  // ------------------------------------------------------------------ indexes (lazy)
  var outStart = null, inIndex = null;
  function outEdges(n) {
    if (!outStart) {
      outStart = new Int32Array(W + D.externals.length + 1);
      var i = 0;
      for (var s = 0; s <= W + D.externals.length; s++) {
        while (i < D.edges.length && D.edges[i][0] < s) i++;
        outStart[s] = i;
      }
    }
    return D.edges.slice(outStart[n], outStart[n + 1]);
  }
  function inEdges(n) {
    if (!inIndex) {
      inIndex = new Map();
      D.edges.forEach(function (e) {
        var l = inIndex.get(e[1]);
        if (!l) inIndex.set(e[1], l = []);
        l.push(e);
      });
    }
    return inIndex.get(n) || [];
  }
  function edgeBetween(a, b) {
    var l = outEdges(a), lo = 0, hi = l.length - 1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (l[mid][1] < b) lo = mid + 1; else if (l[mid][1] > b) hi = mid - 1; else return l[mid];
    }
    return null;
  }
  function sourceComplete(n) { return !D.budget.cut || n < D.budget.completeSources; }

  // ------------------------------------------------------------------ port filter
  // `443`, `tcp/53`, `UDP 53`, `8000-8999`: ports to keep (any protocol when unsaid).
  function parsePortFilter(s) {
    s = s.trim();
    if (!s) return null;
    var m = /^(?:(tcp|udp|sctp)\s*[\/ ]\s*)?(\d{1,5})(?:\s*-\s*(\d{1,5}))?$/i.exec(s);
    if (!m) return { invalid: true };
    var a = +m[2], b = m[3] ? +m[3] : a;
    if (a < 1 || b > 65535 || b < a) return { invalid: true };
    return { proto: m[1] ? m[1].toUpperCase() : null, a: a, b: b };
  }
  function setMatches(ps, f) {
    if (!f || f.invalid) return true;
    return ps.ranges.some(function (r) { return (!f.proto || r[0] === f.proto) && r[1] <= f.b && f.a <= r[2]; });
  }

  // ------------------------------------------------------------------ header, tabs
  $('inputs').textContent = D.inputs.join(' ') + ' · ' + D.tool + ' · ' + D.schema;
  var tabs = document.querySelectorAll('nav#tabs button');
  var shown = {};
  function showTab(name) {
    tabs.forEach(function (b) { b.classList.toggle('active', b.dataset.tab === name); });
    document.querySelectorAll('.tab').forEach(function (t) { t.classList.toggle('active', t.id === 'tab-' + name); });
    if (name === 'graph') { if (!shown.graph) { shown.graph = true; drawGraph(); } else if (cy) { cy.resize(); } }
    if (name === 'matrix' && !shown.matrix) { shown.matrix = true; drawHeatmap(); }
    if (name === 'findings' && !shown.findings) { shown.findings = true; renderFindings(); }
  }
  tabs.forEach(function (b) { b.addEventListener('click', function () { showTab(b.dataset.tab); }); });
  if (D.budget.note) { var bn = $('budget-note'); bn.hidden = false; bn.textContent = 'Data cut to stay usable: ' + D.budget.note; }

  // ------------------------------------------------------------------ summary
  function tile(n, label, cls) { return '<div class="tile ' + (cls || '') + '"><div class="n">' + n + '</div><div class="l">' + label + '</div></div>'; }
  (function summary() {
    var t = D.totals, f = t.findings;
    var iso = D.workloads.filter(function (w) { return w.ingress.isolated && w.egress.isolated; }).length;
    var html = tile(fmt(t.namespaces), 'namespaces') +
      tile(fmt(t.workloads), 'workloads (' + plural(t.pods, 'pod') + ')') +
      tile(fmt(t.policies), 'NetworkPolicies') +
      tile(fmt(iso), 'workloads isolated both ways', iso === t.workloads && t.workloads ? '' : 'warn') +
      tile(fmt(t.unselected), 'workloads no policy selects', t.unselected ? 'bad' : '') +
      tile(fmt(f.error) + ' / ' + fmt(f.warning) + ' / ' + fmt(f.info), 'lint errors / warnings / info', f.error ? 'bad' : (f.warning ? 'warn' : '')) +
      tile(fmt(t.externalRanges), 'external ranges');
    var sk = Object.keys(t.skipped);
    if (sk.length) html += tile(fmt(sk.reduce(function (s, k) { return s + t.skipped[k]; }, 0)), 'objects skipped: ' + esc(sk.map(function (k) { return t.skipped[k] + ' ' + k; }).join(', ')));
    $('tiles').innerHTML = html;
    $('findings-count').textContent = String(D.findings.length);

    var rows = ['<tr><th>Namespace</th><th>Workloads</th><th>Ingress isolated</th><th>Egress isolated</th><th>No policy selects</th><th>Default-deny</th><th>DNS</th><th>Findings</th></tr>'];
    function bar(n, of, pods, podsOf) {
      var pct = of ? Math.round(100 * n / of) : 0;
      return '<span class="bar' + (pct < 100 ? ' low' : '') + '"><i style="width:' + pct + '%"></i></span>' + fmt(n) + '/' + fmt(of) +
        ' <span class="muted" title="pods">(' + fmt(pods) + '/' + fmt(podsOf) + ' pods)</span>';
    }
    function dd(p) {
      return p == null ? '<span class="chip bad">none</span>' : '<span class="chip ok" title="' + esc(where(D.policies[p].file, D.policies[p].line)) + '">' + esc(D.policies[p].name) + '</span>';
    }
    var dnsText = {
      'open': ['mute', 'open (not isolated)'], 'ok': ['ok', 'UDP+TCP 53'], 'udp-only': ['warn', 'UDP only'],
      'blocked': ['bad', 'blocked'], 'unknown': ['info', 'no DNS pods in input']
    };
    D.namespaces.forEach(function (ns, i) {
      if (!ns.workloads) return;
      var d = dnsText[ns.dns.state];
      var dnsTitle = ns.dns.isolated ? ns.dns.udp + ' of ' + ns.dns.isolated + ' egress-isolated reach DNS on UDP, ' + ns.dns.tcp + ' on TCP' : '';
      var fc = ns.findings;
      rows.push('<tr class="click" data-ns="' + i + '"><td><b>' + esc(ns.name) + '</b>' + (ns.declared ? '' : ' <span class="muted" title="no Namespace object in the input">(undeclared)</span>') + '</td>' +
        '<td>' + fmt(ns.workloads) + ' <span class="muted">(' + plural(ns.pods, 'pod') + ')</span></td>' +
        '<td>' + bar(ns.ingressIsolated, ns.workloads, ns.podsIngressIsolated, ns.pods) + '</td><td>' + bar(ns.egressIsolated, ns.workloads, ns.podsEgressIsolated, ns.pods) + '</td>' +
        '<td>' + (ns.unselected ? '<span class="red">' + fmt(ns.unselected) + '</span> <span class="red" title="pods">(' + plural(ns.podsUnselected, 'pod') + ')</span>' : '<span class="muted">0</span>') + '</td>' +
        '<td>in ' + dd(ns.defaultDeny.ingress) + ' eg ' + dd(ns.defaultDeny.egress) + '</td>' +
        '<td><span class="chip ' + d[0] + '" title="' + esc(dnsTitle) + '">' + d[1] + '</span></td>' +
        '<td>' + (fc.error ? '<span class="chip bad">' + fc.error + ' error</span> ' : '') + (fc.warning ? '<span class="chip warn">' + fc.warning + ' warn</span> ' : '') + (fc.info ? '<span class="chip info">' + fc.info + ' info</span>' : '') + (fc.error + fc.warning + fc.info ? '' : '<span class="muted">none</span>') + '</td></tr>');
    });
    $('ns-table').innerHTML = rows.join('');
    $('ns-table').addEventListener('click', function (ev) {
      var tr = ev.target.closest('tr[data-ns]');
      if (!tr) return;
      selectOnly([+tr.dataset.ns]);
      showTab('graph');
    });
    var counts = { error: 0, warning: 0, info: 0 }, byRule = {};
    D.findings.forEach(function (f) { counts[f.severity]++; byRule[f.rule] = (byRule[f.rule] || 0) + 1; });
    var sf = $('summary-findings');
    if (!D.findings.length) { sf.innerHTML = '<p class="muted">No findings.</p>'; return; }
    sf.innerHTML = '<p>' + ['error', 'warning', 'info'].map(function (s) {
      return '<span class="chip ' + (s === 'error' ? 'bad' : s === 'warning' ? 'warn' : 'info') + '">' + counts[s] + ' ' + s + '</span>';
    }).join(' ') + ' — ' + Object.keys(byRule).sort().map(function (r) { return '<code>' + esc(r) + '</code> ×' + byRule[r]; }).join(', ') +
      ' · <a href="#" id="to-findings">all of them, by severity</a></p>' +
      ['error', 'warning', 'info'].map(function (sev) {
        var ids = [];
        D.findings.forEach(function (f, i) { if (f.severity === sev && ids.length < 5) ids.push(i); });
        return ids.map(function (i) { return findingHtml(i, i === 0); }).join('');
      }).join('') + (D.findings.length > 15 ? '<p class="muted">The first five of each severity; the Findings tab has every one.</p>' : '');
    $('to-findings').addEventListener('click', function (ev) { ev.preventDefault(); showTab('findings'); });
  })();

  // ------------------------------------------------------------------ findings
  function findingHtml(i, open) {
    var f = D.findings[i];
    return '<details class="finding ' + f.severity + '"' + (open ? ' open' : '') + '><summary><b>' + f.severity + '[' + esc(f.rule) + ']</b> ' + esc(f.message) +
      (f.file ? ' <span class="muted">' + esc(f.file + ':' + f.line) + '</span>' : '') + '</summary><pre>' + esc(f.frame) + '</pre></details>';
  }
  var sevShown = { error: true, warning: true, info: true };
  function renderFindings() {
    var sfil = $('severity-filter');
    sfil.innerHTML = ['error', 'warning', 'info'].map(function (s) {
      return '<label><input type="checkbox" data-sev="' + s + '"' + (sevShown[s] ? ' checked' : '') + '> ' + s + '</label>';
    }).join(' &nbsp; ');
    sfil.onchange = function (ev) { sevShown[ev.target.dataset.sev] = ev.target.checked; renderFindings(); };
    var out = [];
    ['error', 'warning', 'info'].forEach(function (s) {
      if (!sevShown[s]) return;
      var ids = [];
      D.findings.forEach(function (f, i) { if (f.severity === s) ids.push(i); });
      if (!ids.length) return;
      out.push('<div class="sev-group"><h3>' + plural(ids.length, s) + '</h3>' + ids.slice(0, 2000).map(function (i) { return findingHtml(i, ids.length <= 20); }).join('') +
        (ids.length > 2000 ? '<p class="muted">and ' + fmt(ids.length - 2000) + ' more (moat lint lists them all)</p>' : '') + '</div>');
    });
    $('findings').innerHTML = out.join('') || '<p class="muted">No findings.</p>';
  }

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
      var cutCount = vis.filter(function (n) { return !sourceComplete(n); }).length;
      if (cutCount) note.push(fmt(cutCount) + ' of these workloads (dashed) have connections that are not embedded (over the data budget): their edges here are only those from embedded sources; the namespace-level connections of their namespaces are drawn instead (grey).');
      var areasUsed = {};
      vis.forEach(function (n) { areasUsed[D.workloads[n].namespace] = 1; });
      Object.keys(areasUsed).forEach(function (a) { els.push({ data: { id: 'ns' + a, label: areaName(+a), kind: 'ns' }, classes: 'ns' }); });
      var extKeys = Object.keys(extUsed);
      if (extKeys.length) els.push({ data: { id: 'outside', label: 'outside the cluster', kind: 'ns' }, classes: 'ns outside' });
      vis.forEach(function (n) {
        var w = D.workloads[n];
        els.push({ data: { id: 'n' + n, node: n, parent: 'ns' + w.namespace, label: w.name + (w.pods > 1 ? ' ×' + w.pods : '') }, classes: 'workload ' + workloadClass(w) + (sourceComplete(n) ? '' : ' cut') });
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
        vis.forEach(function (n) { if (!sourceComplete(n)) cutAreas[D.workloads[n].namespace] = 1; });
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

  // ------------------------------------------------------------------ card
  var cardNode = null;
  // The card docks at the right of the graph: the graph narrows to stay in view.
  function dock(open) {
    var wrap = $('graph-wrap'), was = wrap.classList.contains('card-open');
    wrap.classList.toggle('card-open', open);
    if (cy && was !== open) { cy.resize(); cy.fit(undefined, 30); }
  }
  function highlight(n) {
    if (!cy) return;
    cy.edges().removeClass('hl hl-in');
    cy.nodes().unselect();
    if (n == null) return;
    var el = cy.getElementById('n' + n);
    if (!el.length) return;
    el.select();
    el.outgoers('edge').addClass('hl');
    el.incomers('edge').addClass('hl-in');
  }
  function peerList(list, key) {
    if (!list.length) return '<p class="muted">none</p>';
    list = list.slice().sort(function (a, b) { return nodeName(a[key]).localeCompare(nodeName(b[key])); });
    var more = list.length > 300 ? list.length - 300 : 0;
    return '<ul class="peers">' + list.slice(0, 300).map(function (e) {
      var n = e[key];
      return '<li><span class="peer" data-node="' + n + '">' + esc(n === cardNode ? nodeName(n) + ' (itself)' : nodeName(n)) + '</span><span class="ports mono">' + esc(portSet(e[2]).text) + (e[3] ? '' : ' <span class="muted" title="not every pod pair">(some pods)</span>') + '</span></li>';
    }).join('') + '</ul>' + (more ? '<p class="muted">and ' + fmt(more) + ' more</p>' : '');
  }
  function isoRow(w, dir) {
    var s = w[dir], label = dir === 'ingress' ? 'Ingress' : 'Egress';
    var chip = w.hostNetwork ? '<span class="chip info">hostNetwork: never isolated</span>' :
      s.isolated ? '<span class="chip ok">isolated</span>' : (s.policies.length ? '<span class="chip warn">partly isolated</span>' : '<span class="chip bad">open: no policy</span>');
    return '<span>' + label + '</span><span>' + chip + (s.policies.length ? ' <span class="muted">by ' + plural(s.policies.length, 'policy', 'policies') + '</span>' : '') + '</span>';
  }
  function openCard(n) {
    cardNode = n;
    var body = $('card-body'), html = [];
    if (isExt(n)) {
      var x = D.externals[n - W];
      html.push('<h3>' + esc(x.name) + '</h3><div class="sub">' + (x.internet ? 'internet range' : 'external range') + ': addresses outside the cluster that no known pod has</div>');
    } else {
      var w = D.workloads[n];
      html.push('<h3>' + esc(w.name) + '</h3><div class="sub">' + esc(w.kind) + ' in <b>' + esc(D.namespaces[w.namespace].name) + '</b> · ' + plural(w.pods, 'pod') + ' · <span class="mono">' + esc(where(w.file, w.line)) + '</span></div>');
      var labels = Object.keys(w.labels);
      if (labels.length) html.push('<div class="labels">' + labels.map(function (k) { return '<span class="mono">' + esc(k + '=' + w.labels[k]) + '</span>'; }).join('') + '</div>');
      html.push('<h4>Isolation</h4><div class="iso">' + isoRow(w, 'ingress') + isoRow(w, 'egress') + '</div>');
      var pols = w.ingress.policies.concat(w.egress.policies).filter(function (p, i, a) { return a.indexOf(p) === i; }).sort(function (a, b) { return a - b; });
      html.push('<h4>Policies that select it</h4>' + (pols.length ? '<ul class="peers">' + pols.map(function (p) {
        var q = D.policies[p];
        return '<li><span>' + esc(q.name) + ' <span class="muted">' + q.types.join('+') + (q.typesInferred ? ' (inferred)' : '') + '</span></span><span class="mono file" title="' + esc(where(q.file, q.line)) + '">' + esc(where(q.file, q.line)) + '</span></li>';
      }).join('') + '</ul>' : '<p class="red">No policy selects it: every pod can reach it, and it can reach everything.</p>'));
    }
    var ins = inEdges(n), outs = outEdges(n);
    var partialIn = D.budget.cut ? ' <span class="muted">(from embedded sources only)</span>' : '';
    var partialOut = sourceComplete(n) ? '' : ' <span class="muted">(not embedded: over the budget)</span>';
    html.push('<h4>Reached by (' + fmt(ins.length) + ')' + partialIn + '</h4>' + peerList(ins, 0));
    html.push('<h4>Reaches (' + fmt(outs.length) + ')' + partialOut + '</h4>' + peerList(outs, 1));
    if (!isExt(n)) {
      var w2 = D.workloads[n];
      var fids = w2.findings.slice();
      w2.ingress.policies.concat(w2.egress.policies).forEach(function (p) { D.policies[p].findings.forEach(function (f) { if (fids.indexOf(f) < 0) fids.push(f); }); });
      html.push('<h4>Lint findings (' + fids.length + ')</h4>' + (fids.length ? fids.map(function (i) { return findingHtml(i, false); }).join('') : '<p class="muted">none</p>'));
    }
    html.push('<h4>Explain</h4><div class="explain"><div class="row"><select id="ex-dir"><option value="to">to</option><option value="from">from</option></select><input id="ex-peer" list="ex-peers" placeholder="peer: namespace/name or range"></div>' +
      '<div class="row"><input id="ex-port" type="number" min="1" max="65535" placeholder="port"><select id="ex-proto"><option>TCP</option><option>UDP</option><option>SCTP</option></select><button class="btn" id="ex-go">Explain</button></div><datalist id="ex-peers"></datalist><div id="ex-result"></div></div>');
    body.innerHTML = html.join('');
    var dl = $('ex-peers'), opts = [];
    for (var m = 0; m < W + D.externals.length && opts.length < 3000; m++) opts.push('<option value="' + esc(nodeName(m)) + '">');
    dl.innerHTML = opts.join('');
    var first = outs.length ? outs[0] : null;
    if (first) { $('ex-peer').value = nodeName(first[1]); var r0 = portSet(first[2]).ranges[0]; $('ex-port').value = r0[1]; $('ex-proto').value = r0[0]; }
    $('ex-go').addEventListener('click', runExplain);
    $('card').hidden = false;
    highlight(n);
    dock(true);
  }
  $('card-close').addEventListener('click', function () { $('card').hidden = true; cardNode = null; highlight(null); dock(false); });
  $('card-body').addEventListener('click', function (ev) {
    var p = ev.target.closest('.peer[data-node]');
    if (p) openCard(+p.dataset.node);
  });

  // ------------------------------------------------------------------ explain
  var byName = null;
  function findNode(name) {
    if (!byName) { byName = new Map(); for (var n = 0; n < W + D.externals.length; n++) byName.set(nodeName(n), n); }
    return byName.has(name) ? byName.get(name) : null;
  }
  function namedPort(n, name, proto) {
    if (isExt(n)) return null;
    var p = D.workloads[n].ports.find(function (q) { return q.name === name && q.protocol === proto; });
    return p ? p.port : null;
  }
  // The rules of `subject`'s policies for `dir` that admit `peer` on the port (named ports
  // resolve on the destination `dst`), and those that do not.
  function side(subject, dir, peer, dst, port, proto) {
    if (isExt(subject)) return { html: '<b>' + (dir === 'egress' ? 'Egress' : 'Ingress') + '</b>: ' + esc(nodeName(subject)) + ' is outside the cluster; no policy applies on this side.', ok: true };
    var w = D.workloads[subject], s = w[dir], Dir = dir === 'egress' ? 'Egress' : 'Ingress';
    if (w.hostNetwork) return { html: '<b>' + Dir + '</b>: ' + esc(nodeName(subject)) + ' is hostNetwork: never isolated.', ok: true };
    if (!s.policies.length) return { html: '<b>' + Dir + '</b>: ' + esc(nodeName(subject)) + ' is not isolated for ' + dir + ' (no policy selects it with ' + Dir + ' in its policyTypes).', ok: true };
    var admit = [], miss = [];
    s.policies.forEach(function (p) {
      D.policies[p][dir].forEach(function (r, i) {
        var peerOk = r.peers == null || inPeers(r.peers, peer);
        var portOk = r.ports == null || r.ports.some(function (q) {
          if (q.protocol !== proto) return false;
          return q.name ? namedPort(dst, q.name, proto) === port : q.from <= port && port <= q.to;
        });
        var ref = esc(policyName(p)) + ' ' + dir + '[' + i + '] <span class="muted mono">' + esc(where(D.policies[p].file, r.line)) + '</span>';
        if (peerOk && portOk) admit.push(ref);
        else miss.push(ref + ': ' + (peerOk ? 'port not listed' : (portOk ? 'peer not matched' : 'neither peer nor port')));
      });
    });
    var head = '<b>' + Dir + '</b>: isolated by ' + s.policies.map(function (p) { return esc(policyName(p)); }).join(', ') + '. ';
    if (admit.length) return { html: head + 'Admitted by ' + admit.join('; ') + '.', ok: true };
    return { html: head + 'No rule admits it' + (miss.length ? ': ' + miss.join('; ') : ' (the policies have no ' + dir + ' rules)') + '.', ok: false };
  }
  function explainTarget(n) { return isExt(n) ? nodeName(n).split(/[\/-]/)[0] : nodeName(n); }
  function runExplain() {
    var out = $('ex-result');
    var peer = findNode($('ex-peer').value.trim());
    var port = parseInt($('ex-port').value, 10), proto = $('ex-proto').value;
    if (peer == null) { out.innerHTML = '<p class="red">Unknown peer: pick a workload or an external range from the list.</p>'; return; }
    if (!(port >= 1 && port <= 65535)) { out.innerHTML = '<p class="red">Give a port from 1 to 65535.</p>'; return; }
    var src = $('ex-dir').value === 'to' ? cardNode : peer, dst = $('ex-dir').value === 'to' ? peer : cardNode;
    var html = [];
    var cmd = 'moat explain ' + D.inputs.join(' ') + ' --from ' + explainTarget(src) + ' --to ' + explainTarget(dst) + ' --port ' + port + ' --protocol ' + proto;
    if (isExt(src) && isExt(dst)) {
      out.innerHTML = '<p>Between two outside addresses: no policy applies, moat does not decide it.</p>';
      return;
    }
    var e = edgeBetween(src, dst);
    if (!e && !sourceComplete(src)) {
      out.innerHTML = '<p class="muted">This pair is not embedded (over the data budget). Ask moat:</p><pre class="cmd">' + esc(cmd) + '</pre>';
      return;
    }
    var allowed = !!e && inSet(portSet(e[2]), proto, port);
    html.push('<div class="verdict ' + (allowed ? 'allowed' : 'denied') + '">' + (allowed ? 'ALLOWED' : 'DENIED') + ': ' + esc(nodeName(src)) + ' → ' + esc(nodeName(dst)) + ' ' + proto + '/' + port + '</div>');
    if (e && !e[3]) html.push('<p class="muted">Not every pod pair of these workloads is allowed the same ports; this is the union.</p>');
    if (src === dst && !isExt(src) && D.workloads[src].pods <= 1) html.push('<p class="muted">A pod talking to itself is always allowed.</p>');
    var eg = side(src, 'egress', dst, dst, port, proto), ing = side(dst, 'ingress', src, dst, port, proto);
    html.push('<div class="side ' + (eg.ok ? 'allow' : 'deny') + '">' + eg.html + '</div>');
    html.push('<div class="side ' + (ing.ok ? 'allow' : 'deny') + '">' + ing.html + '</div>');
    html.push('<p class="muted">Rule by rule, with every reason:</p><pre class="cmd">' + esc(cmd) + '</pre>');
    out.innerHTML = html.join('');
  }

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
    var rows = [], complete = true;
    var sources = [];
    for (var n = 0; n < W + D.externals.length; n++) if (nodeArea(n) === a) sources.push(n);
    sources.forEach(function (n) {
      if (!sourceComplete(n)) complete = false;
      outEdges(n).forEach(function (e) { if (nodeArea(e[1]) === b && e[0] !== e[1]) rows.push(e); });
    });
    var shownRows = rows.slice(0, 1000);
    $('drill').innerHTML = '<h2>' + esc(areaName(a)) + ' → ' + esc(areaName(b)) + ': ' + plural(rows.length, 'workload connection') + '</h2>' +
      (complete ? '' : '<p class="muted">Some sources are not embedded (over the data budget).</p>') +
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
})();
