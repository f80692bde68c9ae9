// The workload card and its explain box: every verdict is the embedded matrix's; the
// sides name the rules found by looking the peer and port up in the rules' sets.
// Part of one function body with the other report/*.js files (see report_html.rs).
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
    }).join('') + '</ul>' : ''));
    var cps = (w.ingress.cluster || []).concat(w.egress.cluster || []).filter(function (c, i, a) { return a.indexOf(c) === i; });
    if (!pols.length) html.push(cps.length ? '<p class="muted">No NetworkPolicy selects it: the cluster policies below decide its traffic.</p>' : '<p class="red">No policy selects it: every pod can reach it, and it can reach everything.</p>');
    if (cps.length) html.push('<h4>Cluster policies that apply to it</h4><ul class="peers cluster-policies">' + cps.map(function (c) {
      var q = D.clusterPolicies[c], dirs = [];
      if ((w.ingress.cluster || []).indexOf(c) >= 0) dirs.push('Ingress');
      if ((w.egress.cluster || []).indexOf(c) >= 0) dirs.push('Egress');
      return '<li><span>' + esc(q.id) + ' <span class="muted">' + esc(q.tier + ' tier, ' + q.priority) + ' · ' + dirs.join('+') + '</span></span><span class="mono file" title="' + esc(where(q.file, q.line)) + '">' + esc(where(q.file, q.line)) + '</span></li>';
    }).join('') + '</ul>');
  }
  var ins = inEdges(n), outs = outEdges(n);
  var partial = complete(n) ? '' : ' <span class="muted">(only those embedded: over the data budget)</span>';
  html.push('<h4>Reached by (' + fmt(ins.length) + ')' + partial + '</h4>' + peerList(ins, 0));
  html.push('<h4>Reaches (' + fmt(outs.length) + ')' + partial + '</h4>' + peerList(outs, 1));
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
// Whether a rule (NetworkPolicy or cluster tier) matches `peer` on the port; named ports
// resolve on the destination `dst`.
function ruleMatch(r, peer, dst, port, proto) {
  var peerOk = r.peers == null || inPeers(r.peers, peer);
  var portOk = r.ports == null || r.ports.some(function (q) {
    if (q.protocol !== proto) return false;
    return q.name ? namedPort(dst, q.name, proto) === port : q.from <= port && port <= q.to;
  });
  return { peer: peerOk, port: portOk };
}
// The first rule of `tier` among the cluster policies applying to `subject` that matches:
// the engine's precedence order is the embedded order, so this is a lookup.
function tierMatch(w, dir, tier, peer, dst, port, proto) {
  var list = w[dir].cluster || [];
  for (var i = 0; i < list.length; i++) {
    var c = D.clusterPolicies[list[i]];
    if (c.tier !== tier) continue;
    var rules = c[dir];
    for (var j = 0; j < rules.length; j++) {
      var m = ruleMatch(rules[j], peer, dst, port, proto);
      if (m.peer && m.port) return { policy: c, rule: rules[j] };
    }
  }
  return null;
}
function tierRef(m) { return '<span class="tier-rule">' + esc(m.rule.text) + '</span> <span class="muted mono">' + esc(where(m.policy.file, m.rule.line)) + '</span>'; }
// One side: an Admin tier rule decides unless it passes; then the NetworkPolicies, where
// they isolate; else a Baseline tier rule, unless it passes; else the default, allow.
function side(subject, dir, peer, dst, port, proto) {
  if (isExt(subject)) return { html: '<b>' + (dir === 'egress' ? 'Egress' : 'Ingress') + '</b>: ' + esc(nodeName(subject)) + ' is outside the cluster; no policy applies on this side.', ok: true };
  var w = D.workloads[subject], s = w[dir], Dir = dir === 'egress' ? 'Egress' : 'Ingress';
  var admin = tierMatch(w, dir, 'Admin', peer, dst, port, proto), pass = '';
  if (admin && admin.rule.action !== 'Pass') return { html: '<b>' + Dir + '</b>: decided in the Admin tier by ' + tierRef(admin) + '.', ok: admin.rule.action === 'Accept' };
  if (admin) pass = 'Passed on by ' + tierRef(admin) + '. ';
  if (w.hostNetwork) return { html: '<b>' + Dir + '</b>: ' + pass + esc(nodeName(subject)) + ' is hostNetwork: never isolated.', ok: true };
  if (!s.policies.length) {
    var base = tierMatch(w, dir, 'Baseline', peer, dst, port, proto);
    if (base && base.rule.action !== 'Pass') return { html: '<b>' + Dir + '</b>: ' + pass + 'no NetworkPolicy isolates it; decided in the Baseline tier by ' + tierRef(base) + '.', ok: base.rule.action === 'Accept' };
    if (base) pass += 'Passed on by ' + tierRef(base) + '. ';
    return { html: '<b>' + Dir + '</b>: ' + pass + esc(nodeName(subject)) + ' is not isolated for ' + dir + ' (no policy selects it with ' + Dir + ' in its policyTypes).', ok: true };
  }
  var admit = [], miss = [];
  s.policies.forEach(function (p) {
    D.policies[p][dir].forEach(function (r, i) {
      var m = ruleMatch(r, peer, dst, port, proto);
      var ref = esc(policyName(p)) + ' ' + dir + '[' + i + '] <span class="muted mono">' + esc(where(D.policies[p].file, r.line)) + '</span>';
      if (m.peer && m.port) admit.push(ref);
      else miss.push(ref + ': ' + (m.peer ? 'port not listed' : (m.port ? 'peer not matched' : 'neither peer nor port')));
    });
  });
  var head = '<b>' + Dir + '</b>: ' + pass + 'isolated by ' + s.policies.map(function (p) { return esc(policyName(p)); }).join(', ') + '. ';
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
  if (!e && !complete(src) && !complete(dst)) {
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
