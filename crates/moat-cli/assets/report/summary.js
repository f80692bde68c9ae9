// The header, the tabs, the summary and the findings.
// Part of one function body with the other report/*.js files (see report_html.rs).
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
