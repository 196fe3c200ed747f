/* "Why are these connected?": shortest chains between two entities, with the evidence for each step.
 *
 * Reads window.KG_CONNECT (connect-data.js, written by `kg site`, kg/web/connectfiles.py):
 *   nodes: [{id, label, alt, type, page}]
 *   docs:  [{id, title, date, page}]
 *   edges: [[a, b, documents naming both, statements]]
 *   files: {base, per}: the evidence of edge k is in base + floor(k / per) + ".js", added as a script when a
 *   step needs it; it pushes [file number, {k: {rel: [{s, p, i, o, d?, q?, note?, date?}], co: [docIndex, ...],
 *   m: {node: {docIndex: [[start, quote], ...]}}}}] onto window.KG_CONNECT_FILES
 *   (p reads the statement from s to o, i from o to s)
 * where a quote is [before, [[text, marked], ...], after, fragment] (an ellipsis is in the text where words
 * were cut; fragment 1: the words do not read as a sentence and are not shown in quotation marks).
 * Everything is written to the page with textContent and createElement, never as HTML.
 * The hash carries the question: connect.html#from=<IRI>&to=<IRI>. */
(function () {
  "use strict";

  var D = window.KG_CONNECT;
  var form = document.getElementById("connect-form");
  var status = document.getElementById("connect-status");
  var out = document.getElementById("connect-paths");
  if (!form || !status || !out) return;
  if (!D || !D.nodes) {
    status.textContent = "The connection data (connect-data.js) is missing: rebuild the site with kg site.";
    return;
  }
  var MAX_PATHS = D.maxPaths || 5;
  var MAX_LENGTH = D.maxLength || 4;
  var nodes = D.nodes, docs = D.docs || [];
  var edges = (D.edges || []).map(function (e) { return { a: e[0], b: e[1], n: e[2], r: e[3] }; });
  var files = D.files;

  // ---------------------------------------------------------------- evidence files, read when a step needs them
  var evidence = {}, loaded = {}, waits = {};
  function received(entry) {
    var data = entry[1];
    Object.keys(data).forEach(function (k) { evidence[k] = data[k]; });
    loaded[entry[0]] = true;
    (waits[entry[0]] || []).forEach(function (w) { w[0](); });
    delete waits[entry[0]];
  }
  (window.KG_CONNECT_FILES || []).forEach(received);
  window.KG_CONNECT_FILES = { push: received };
  function loadFile(number) {
    if (loaded[number]) return Promise.resolve();
    return new Promise(function (resolve, reject) {
      var first = !waits[number];
      (waits[number] = waits[number] || []).push([resolve, reject]);
      if (!first) return;
      var script = document.createElement("script");
      script.src = files.base + number + ".js";
      function fail() {
        (waits[number] || []).forEach(function (w) {
          w[1](new Error("The evidence file " + files.base + number + ".js could not be read: rebuild the site with kg site."));
        });
        delete waits[number];
      }
      script.onload = function () { if (!loaded[number]) fail(); };
      script.onerror = fail;
      document.head.appendChild(script);
    });
  }
  var fromInput = document.getElementById("connect-from");
  var toInput = document.getElementById("connect-to");

  function norm(text) {
    return (text || "").toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(/[^a-z0-9&]+/g, " ").trim();
  }

  // ---------------------------------------------------------------- names -> nodes
  var byIri = new Map();
  var byOption = new Map(); // exact text of a datalist option -> node index
  var byName = new Map(); // normal form of a label or alt label -> [node indexes]
  var labelCount = new Map();
  nodes.forEach(function (n) { labelCount.set(n.label, (labelCount.get(n.label) || 0) + 1); });
  function optionText(n) {
    return labelCount.get(n.label) > 1 ? n.label + " (" + n.type + ")" : n.label;
  }
  function addName(name, i) {
    var key = norm(name);
    if (!key) return;
    if (!byName.has(key)) byName.set(key, []);
    if (byName.get(key).indexOf(i) === -1) byName.get(key).push(i);
  }
  var list = document.getElementById("connect-entities");
  var fragment = document.createDocumentFragment();
  nodes.forEach(function (n, i) {
    byIri.set(n.id, i);
    var text = optionText(n);
    byOption.set(text, i);
    addName(n.label, i);
    var option = document.createElement("option");
    option.value = text;
    option.label = n.type;
    fragment.appendChild(option);
    (n.alt || []).forEach(function (alt) {
      addName(alt, i);
      var key = alt + " – " + n.label;
      if (byOption.has(key)) return;
      byOption.set(key, i);
      var o = document.createElement("option");
      o.value = key;
      o.label = n.type;
      fragment.appendChild(o);
    });
  });
  if (list) list.appendChild(fragment);

  function resolve(text) {
    text = (text || "").trim();
    if (!text) return { error: "Type the name of an entity." };
    if (byOption.has(text)) return { index: byOption.get(text) };
    if (byIri.has(text)) return { index: byIri.get(text) };
    var found = byName.get(norm(text));
    if (found && found.length) return { index: found[0], also: found.slice(1) };
    var q = norm(text), partial = [];
    nodes.forEach(function (n, i) { if (norm(n.label).indexOf(q) !== -1) partial.push(i); });
    if (partial.length === 1) return { index: partial[0] };
    if (partial.length > 1) return { error: "“" + text + "” matches " + partial.length + " entities: choose one from the list." };
    return { error: "No entity is called “" + text + "”." };
  }

  // ---------------------------------------------------------------- graph
  var adj = nodes.map(function () { return []; });
  edges.forEach(function (e, k) {
    if (e.a === e.b) return;
    adj[e.a].push([e.b, k]);
    adj[e.b].push([e.a, k]);
  });
  function weight(k) { // statements first, then pairs named together in many documents
    var e = edges[k];
    return (e.r ? 1000 : 0) + Math.min(e.n || 0, 999);
  }
  adj.forEach(function (list) { list.sort(function (x, y) { return weight(y[1]) - weight(x[1]); }); });

  function distances(target, limit) {
    var dist = new Int32Array(nodes.length).fill(-1);
    dist[target] = 0;
    var queue = [target], head = 0;
    while (head < queue.length) {
      var v = queue[head++];
      if (dist[v] >= limit) continue;
      var around = adj[v];
      for (var x = 0; x < around.length; x++) {
        var w = around[x][0];
        if (dist[w] === -1) { dist[w] = dist[v] + 1; queue.push(w); }
      }
    }
    return dist;
  }

  /* Simple paths from source to target, shortest first, at most MAX_PATHS and MAX_LENGTH steps.
   * For each length L, a depth-first walk only steps to nodes that can still reach the target
   * in the steps left, so nearly every branch ends in a path; candidates of one length are
   * ranked by how many of their steps are statements rather than shared documents. */
  function findPaths(source, target) {
    var dist = distances(target, MAX_LENGTH);
    if (dist[source] === -1) return [];
    var found = [];
    var onPath = new Uint8Array(nodes.length);
    var budget = 200000;
    for (var L = dist[source]; L <= MAX_LENGTH && found.length < MAX_PATHS; L++) {
      var candidates = [];
      var path = [source], via = [];
      onPath[source] = 1;
      (function walk(v) {
        if (candidates.length >= 400 || budget <= 0) return;
        var left = L - (path.length - 1);
        if (v === target) { if (left === 0) candidates.push({ nodes: path.slice(), edges: via.slice() }); return; }
        if (left === 0) return;
        var around = adj[v];
        for (var x = 0; x < around.length; x++) {
          var w = around[x][0];
          budget -= 1;
          if (onPath[w] || dist[w] === -1 || dist[w] > left - 1) continue;
          if (w === target && left - 1 !== 0) continue;
          onPath[w] = 1; path.push(w); via.push(around[x][1]);
          walk(w);
          onPath[w] = 0; path.pop(); via.pop();
          if (candidates.length >= 400 || budget <= 0) return;
        }
      })(source);
      onPath[source] = 0;
      candidates.forEach(function (c) {
        c.score = c.edges.reduce(function (sum, k) { return sum + weight(k); }, 0);
      });
      candidates.sort(function (x, y) { return y.score - x.score; });
      for (var c = 0; c < candidates.length && found.length < MAX_PATHS; c++) found.push(candidates[c]);
    }
    return found;
  }

  // ---------------------------------------------------------------- drawing
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  function nodeLink(i) {
    var n = nodes[i];
    if (!n.page) return el("span", "no-page", n.label);
    var a = el("a", null, n.label);
    a.href = n.page;
    return a;
  }
  function docLink(d) {
    var doc = docs[d];
    var span = el("span", "doc");
    if (!doc) return span;
    if (doc.page) {
      var a = el("a", null, doc.title);
      a.href = doc.page;
      span.appendChild(a);
    } else {
      span.appendChild(document.createTextNode(doc.title));
    }
    if (doc.date) span.appendChild(el("span", "muted", " (" + doc.date + ")"));
    return span;
  }
  /** A quote [before, segments, after, fragment]: in quotation marks, or marked as a fragment of the text. */
  function quote(q) {
    var box = el(q && q[3] ? "span" : "q", q && q[3] ? "evidence fragment" : "evidence");
    if (!q) return box;
    if (q[3]) box.appendChild(el("span", "fragment-note", "from the text: "));
    if (q[0]) box.appendChild(el("span", "ctx", q[0]));
    (q[1] || []).forEach(function (seg) {
      if (seg[1]) box.appendChild(el("mark", null, seg[0]));
      else box.appendChild(document.createTextNode(seg[0]));
    });
    if (q[2]) box.appendChild(el("span", "ctx", q[2]));
    return box;
  }
  function nearestQuotes(proof, a, b, d) {
    var qa = (proof.m[a] || {})[d] || [], qb = (proof.m[b] || {})[d] || [];
    if (!qa.length || !qb.length) return [qa[0] ? qa[0][1] : null, qb[0] ? qb[0][1] : null];
    var best = null, pair = [qa[0][1], qb[0][1]];
    qa.forEach(function (x) {
      qb.forEach(function (y) {
        if (x[0] < 0 || y[0] < 0) return;
        var gap = Math.abs(x[0] - y[0]);
        if (best === null || gap < best) { best = gap; pair = [x[1], y[1]]; }
      });
    });
    return pair;
  }

  function stepSummary(from, to, e, proof) {
    if (proof.rel.length) {
      var r = proof.rel[0];
      return r.s === from ? r.p : (r.i || "(" + r.p + ")");
    }
    return "named together in " + e.n + " document" + (e.n === 1 ? "" : "s");
  }

  function drawStep(from, to, k) {
    var e = edges[k], proof = evidence[k] || { rel: [], co: [], m: {} };
    var li = el("li", "step");
    var head = el("p", "step-head");
    head.appendChild(nodeLink(from));
    head.appendChild(document.createTextNode(" "));
    var verb = el("span", "verb", stepSummary(from, to, e, proof));
    head.appendChild(verb);
    head.appendChild(document.createTextNode(" "));
    head.appendChild(nodeLink(to));
    li.appendChild(head);
    var ev = el("ul", "evidence-list");
    var seen = {};
    proof.rel.forEach(function (r) {
      var item = el("li");
      var statement = el("span", "statement");
      statement.appendChild(document.createTextNode(nodes[r.s].label + " " + r.p + " " + nodes[r.o].label));
      item.appendChild(statement);
      if (r.d !== undefined) {
        item.appendChild(document.createTextNode(" — read in "));
        item.appendChild(docLink(r.d));
        if (r.q) { item.appendChild(document.createTextNode(": ")); item.appendChild(quote(r.q)); }
      } else {
        var where = r.note ? " — vocabulary" + (r.date ? ", " + r.date : "") + ": " : " — stated in the vocabulary";
        item.appendChild(el("span", "muted", where));
        if (r.note) item.appendChild(el("span", "note", r.note));
      }
      var key = item.textContent;
      if (!seen[key]) { seen[key] = 1; ev.appendChild(item); }
    });
    proof.co.forEach(function (d) {
      var item = el("li");
      item.appendChild(document.createTextNode("Both named in "));
      item.appendChild(docLink(d));
      var pair = nearestQuotes(proof, from, to, String(d));
      var inner = el("ul", "quotes");
      [[from, pair[0]], [to, pair[1]]].forEach(function (side) {
        if (!side[1]) return;
        var q = el("li");
        q.appendChild(el("span", "who", nodes[side[0]].label + ": "));
        q.appendChild(quote(side[1]));
        inner.appendChild(q);
      });
      if (inner.children.length) item.appendChild(inner);
      ev.appendChild(item);
    });
    if (e.n > proof.co.length) {
      ev.appendChild(el("li", "muted", "and " + (e.n - proof.co.length) + " more document" + (e.n - proof.co.length === 1 ? "" : "s") + " naming both"));
    }
    li.appendChild(ev);
    return li;
  }

  var drawing = 0; // the newest question: an answer whose files come after a newer question's is dropped
  function draw(source, target, paths) {
    var asked = ++drawing;
    out.textContent = "";
    if (paths.length) {
      var numbers = {};
      paths.forEach(function (p) { p.edges.forEach(function (k) { numbers[Math.floor(k / files.per)] = true; }); });
      status.textContent = "Reading the evidence …";
      Promise.all(Object.keys(numbers).map(function (n) { return loadFile(Number(n)); })).then(
        function () { if (asked === drawing) show(source, target, paths); },
        function (err) { if (asked === drawing) status.textContent = err.message; }
      );
      return;
    }
    show(source, target, paths);
  }

  function show(source, target, paths) {
    out.textContent = "";
    if (!paths.length) {
      status.textContent = "No connection between " + nodes[source].label + " and " + nodes[target].label +
        " within " + MAX_LENGTH + " steps.";
      return;
    }
    status.textContent = (paths.length === 1 ? "1 chain" : paths.length + " chains") + " between " +
      nodes[source].label + " and " + nodes[target].label + ", shortest first.";
    var ol = el("ol", "paths");
    paths.forEach(function (p, x) {
      var li = el("li", "path");
      var steps = p.edges.length;
      li.appendChild(el("h3", null, "Chain " + (x + 1) + ": " + steps + " step" + (steps === 1 ? "" : "s")));
      var chain = el("p", "chain");
      p.nodes.forEach(function (i, y) {
        if (y) chain.appendChild(el("span", "arrow", " → "));
        chain.appendChild(nodeLink(i));
      });
      li.appendChild(chain);
      var list = el("ol", "steps");
      p.edges.forEach(function (k, y) { list.appendChild(drawStep(p.nodes[y], p.nodes[y + 1], k)); });
      li.appendChild(list);
      ol.appendChild(li);
    });
    out.appendChild(ol);
  }

  function run(updateHash) {
    var a = resolve(fromInput.value), b = resolve(toInput.value);
    drawing++; // an earlier question's answer, still reading its files, is not shown
    out.textContent = "";
    if (a.error || b.error) {
      status.textContent = (a.error ? "From: " + a.error + " " : "") + (b.error ? "To: " + b.error : "");
      return;
    }
    if (a.index === b.index) {
      status.textContent = "Choose two different entities.";
      return;
    }
    if (updateHash) {
      var hash = "#from=" + encodeURIComponent(nodes[a.index].id) + "&to=" + encodeURIComponent(nodes[b.index].id);
      try { history.replaceState(null, "", hash); } catch (err) { /* file: pages in some browsers */ }
    }
    draw(a.index, b.index, findPaths(a.index, b.index));
  }

  function fromHash() {
    var params = new URLSearchParams(location.hash.replace(/^#/, ""));
    var f = params.get("from"), t = params.get("to");
    if (f && byIri.has(f)) fromInput.value = optionText(nodes[byIri.get(f)]);
    if (t && byIri.has(t)) toInput.value = optionText(nodes[byIri.get(t)]);
    if (f && t && byIri.has(f) && byIri.has(t)) run(false);
    else if (f && byIri.has(f)) toInput.focus();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    run(true);
  });
  document.getElementById("connect-swap").addEventListener("click", function () {
    var x = fromInput.value;
    fromInput.value = toInput.value;
    toInput.value = x;
    if (fromInput.value && toInput.value) run(true);
  });
  window.addEventListener("hashchange", fromHash);
  window.KG_CONNECT_FIND = function (fromIri, toIri) { // for tests and the console
    return findPaths(byIri.get(fromIri), byIri.get(toIri)).map(function (p) {
      return p.nodes.map(function (i) { return nodes[i].id; });
    });
  };
  fromHash();
})();
