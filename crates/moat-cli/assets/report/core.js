// The page's data and the lookups every view shares: names, port sets, peer sets, edges
// by their ends (built lazily), and the port filter.
// Part of one function body with the other report/*.js files (see report_html.rs).

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
// Whether every edge from and to a node is embedded: all are, unless the budget cut them;
// then only those of the workloads of the detail namespaces.
var detailArea = new Uint8Array(N + 1);
D.budget.detailNamespaces.forEach(function (a) { detailArea[a] = 1; });
function complete(n) { return !D.budget.cut || (!isExt(n) && detailArea[D.workloads[n].namespace] === 1); }

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
