/* The explorable map of the knowledge graph, drawn with vis-network.
 *
 * Reads window.KG_MAP (written by kg.web.mapfiles) and the page's controls
 * (kg/web/templates/map.html): search by any name or acronym, filters by
 * type, link, publisher and date, a side panel for the selected node or link
 * (with the quoted sentences behind a link), the neighbourhood of one node
 * (#node=<IRI>&hops=1..3), and nodes opened by double-click (or E) to add
 * their neighbours. The whole view is in the address's #fragment, so a link
 * gives the same view and Back/Forward step through views.
 *
 * A big graph opens on an overview (its most connected nodes); the rest comes
 * from files beside the page (map/nodes-K.js, links-K.js, ids-H.js,
 * evidence-K.js) added as script elements, so it works from file:// with no
 * other host. window.kgMap is the API for tests and scripts; window.kgMapReady
 * is set (performance.now()) once the map is drawn.
 */
(function () {
  "use strict";

  var timings = window.kgMapTimings = { start: performance.now() };
  var data = window.KG_MAP;
  var app = document.getElementById("kg-map-app");
  var countEl = document.getElementById("kg-count");
  if (!app) return;
  if (!data || !data.nodes || typeof vis === "undefined") {
    countEl.textContent = "The map's data or drawing library did not load.";
    return;
  }

  var root = app.getAttribute("data-root") || "";
  var withPages = app.getAttribute("data-pages") !== "false";
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var $ = function (id) { return document.getElementById(id); };

  // ------------------------------------------------------------ the data

  var files = data.files || { base: "map/", chunk: 500, evidence: [], buckets: 0, predicates: [], links: 0 };
  var complete = data.complete !== false;
  var TOTAL = (data.total && data.total.nodes) || data.nodes.length;
  var OVERVIEW = data.nodes.length;
  var nodes = [];          // global index -> node record (holes for nodes not loaded yet)
  var loaded = [];         // indices of loaded nodes, in load order
  var edges = [];          // loaded links: {from, to, predicate, evidence}
  var edgeAt = new Map();  // "from>to>predicate" -> index in edges
  var adjacency = [];      // global index -> [[neighbour, edge index], ...] among loaded links
  var linksRead = new Uint8Array(TOTAL);  // 1 once a node's links file entry has been read
  var linkTotal = {};      // index -> how many links it has in all (overview only)
  var byId = new Map();
  var home = [];           // index -> {x, y}: where a node sits on the whole map (or the overview)

  var typeOf = {};
  data.types.forEach(function (t) { typeOf[t.key] = t; });
  var relationOf = {};  // predicate -> relation filter entry
  data.relations.forEach(function (r) { r.predicates.forEach(function (p) { relationOf[p] = r; }); });
  var fallbackType = { key: "Concept", label: "Other", color: "#a9b4b5", shape: "ellipse" };
  var fallbackRelation = { key: "default", label: "related", color: "#999999", dashes: false };

  function typeFor(n) { return typeOf[n.type] || fallbackType; }
  function relationFor(e) { return relationOf[e.predicate] || fallbackRelation; }
  function plural(n, one, many) { return n.toLocaleString("en-GB") + " " + (n === 1 ? one : many); }
  function fold(text) {
    return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/\s+/g, " ").trim();
  }
  function darker(hex, amount) {
    var v = parseInt(hex.slice(1), 16);
    var f = 1 - amount;
    var r = Math.round(((v >> 16) & 255) * f), g = Math.round(((v >> 8) & 255) * f), b = Math.round((v & 255) * f);
    return "#" + ((1 << 24) | (r << 16) | (g << 8) | b).toString(16).slice(1);
  }
  function inside(shape) { return shape === "box" || shape === "ellipse" || shape === "circle" || shape === "database"; }
  function short(text, max) { return text.length > max ? text.slice(0, max - 1) + "…" : text; }

  // ------------------------------------------------------------ files loaded on demand

  var fileData = {};   // "kind-number" -> payload
  var fileWaits = {};  // "kind-number" -> [resolve, reject] pairs
  function received(entry) {
    var key = entry[0] + "-" + entry[1];
    fileData[key] = entry[2];
    (fileWaits[key] || []).forEach(function (w) { w[0](entry[2]); });
    delete fileWaits[key];
  }
  (window.KG_MAP_FILES || []).forEach(received);
  window.KG_MAP_FILES = { push: received };
  var pending = 0;
  /** the payload of files.base + kind-number.js, added as a script the first time it is asked for */
  function loadFile(kind, number) {
    var key = kind + "-" + number;
    if (key in fileData) return Promise.resolve(fileData[key]);
    return new Promise(function (resolve, reject) {
      var first = !fileWaits[key];
      (fileWaits[key] = fileWaits[key] || []).push([resolve, reject]);
      if (!first) return;
      pending++;
      var script = document.createElement("script");
      script.src = root + files.base + key + ".js";
      script.onload = function () {
        pending--;
        if (!(key in fileData)) fail();
      };
      script.onerror = function () { pending--; fail(); };
      function fail() {
        (fileWaits[key] || []).forEach(function (w) { w[1](new Error("The map could not read " + files.base + key + ".js.")); });
        delete fileWaits[key];
      }
      document.head.appendChild(script);
    });
  }
  function fnv1a(text) {
    var bytes = new TextEncoder().encode(text), h = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) { h ^= bytes[i]; h = Math.imul(h, 0x01000193) >>> 0; }
    return h >>> 0;
  }
  /** the global index of an IRI, loading its ids file when the node is not loaded (null: not on the map) */
  function findIndex(iri) {
    if (byId.has(iri)) return Promise.resolve(byId.get(iri));
    if (complete || !files.buckets) return Promise.resolve(null);
    return loadFile("ids", fnv1a(iri) % files.buckets).then(function (ids) {
      return iri in ids ? ids[iri] : null;
    });
  }
  /** make sure node i is loaded (its record from its nodes file) */
  function ensureNode(i) {
    if (nodes[i]) return Promise.resolve(i);
    var size = files.nodeChunk || files.chunk, chunk = Math.floor(i / size);
    return loadFile("nodes", chunk).then(function (records) {
      records.forEach(function (rec, k) { addNode(chunk * size + k, rec, true); });
      return i;
    });
  }
  /** make sure every link of node i (up to files.links of them) is loaded, with the nodes at their other ends */
  function ensureLinks(i) {
    if (complete || linksRead[i]) return Promise.resolve(i);
    return ensureNode(i).then(function () {
      return loadFile("links", Math.floor(i / files.chunk));
    }).then(function (lists) {
      var entry = lists[i % files.chunk], flat = entry[1], others = [];
      for (var k = 0; k < flat.length; k += 4) others.push(flat[k]);
      var chunks = {};
      var size = files.nodeChunk || files.chunk;
      others.forEach(function (o) { if (!nodes[o] && !(Math.floor(o / size) in chunks)) chunks[Math.floor(o / size)] = o; });
      return Promise.all(Object.keys(chunks).map(function (c) { return ensureNode(chunks[c]); })).then(function () {
        for (var k = 0; k < flat.length; k += 4) {
          var other = flat[k], predicate = files.predicates[flat[k + 1]];
          if (flat[k + 2]) addEdge(i, other, predicate, flat[k + 3]);
          else addEdge(other, i, predicate, flat[k + 3]);
        }
        linksRead[i] = 1;
        linkTotal[i] = entry[0];
        flushAdded();
        return i;
      });
    });
  }

  // ------------------------------------------------------------ vis data sets

  /* Big maps (positions computed ahead, no physics) get their labels lazily: a label is only
     readable when zoomed in, so nodes and links are labelled as they come into such a view.
     That keeps the first drawing fast and boxes small on the overview. */
  var lazy = !data.physics;
  var LABEL_SCALE = 0.3;
  var animate = !reduceMotion && !lazy;  // vis animates by frames: too slow where a frame is costly
  var nodeLabelled = new Uint8Array(TOTAL);
  var edgeLabelled = [];

  function visNode(i) {
    var n = nodes[i], t = typeFor(n);
    var border = darker(t.color, 0.35);
    var node = {
      id: i,
      label: lazy ? undefined : short(n.label, 60),
      title: n.label + "\n" + t.label + (n.issued ? ", " + n.issued : ""),
      shape: t.shape,
      color: {
        background: t.color, border: border,
        highlight: { background: t.color, border: "#102a43" },
        hover: { background: t.color, border: "#102a43" }
      },
      hidden: !!n.hiddenAtFirst
    };
    if (!inside(t.shape)) node.size = Math.round(9 + Math.min(16, Math.sqrt(n.degree || 0) * 2.5));
    if (n.x !== undefined) { node.x = n.x; node.y = n.y; }
    return node;
  }
  function visEdge(j) {
    var e = edges[j], r = relationFor(e);
    var edge = {
      id: j, from: e.from, to: e.to, label: lazy ? undefined : r.label,
      title: r.label + (e.evidence ? " (" + plural(e.evidence, "quoted sentence", "quoted sentences") + ")" : ""),
      color: { color: r.color, highlight: "#102a43", hover: "#102a43" },
      dashes: !!r.dashes, hidden: !!e.hiddenAtFirst
    };
    if (e.evidence && e.predicate !== "mentions") edge.width = Math.min(4, 1 + Math.log2(e.evidence));
    return edge;
  }

  var addedNodes = [], addedEdges = [];  // waiting to go into the vis data sets (flushAdded)
  function addNode(i, rec, later) {
    if (nodes[i]) return;
    nodes[i] = rec;
    if (rec.x !== undefined) home[i] = { x: rec.x, y: rec.y };
    loaded.push(i);
    byId.set(rec.id, i);
    adjacency[i] = adjacency[i] || [];
    if (later) { rec.hiddenAtFirst = true; addedNodes.push(i); }
  }
  function addEdge(from, to, predicate, evidence, later) {
    var key = from + ">" + to + ">" + predicate;
    if (edgeAt.has(key)) return edgeAt.get(key);
    var j = edges.length;
    var e = { from: from, to: to, predicate: predicate };
    if (evidence) e.evidence = evidence;
    edges.push(e);
    edgeAt.set(key, j);
    adjacency[from].push([to, j]);
    adjacency[to].push([from, j]);
    shownEdges.push(0);
    if (later !== false && ready !== null) { e.hiddenAtFirst = true; addedEdges.push(j); }
    return j;
  }
  var ready = null;  // null while the first data goes in; then false until drawn, then true
  var shownEdges = [];
  data.nodes.forEach(function (rec, i) { addNode(i, rec, false); });
  data.edges.forEach(function (e) { addEdge(e.from, e.to, e.predicate, e.evidence); });
  ready = false;
  var visNodes = new vis.DataSet(loaded.map(visNode));
  var visEdges = new vis.DataSet(edges.map(function (e, j) { return visEdge(j); }));
  for (var j0 = 0; j0 < edges.length; j0++) shownEdges[j0] = 1;
  function flushAdded() {
    if (addedNodes.length) { visNodes.add(addedNodes.map(visNode)); addedNodes = []; }
    if (addedEdges.length) { visEdges.add(addedEdges.map(visEdge)); addedEdges = []; }
  }

  timings.datasets = performance.now();

  // ------------------------------------------------------------ the view: filters, neighbourhood, opened nodes

  var dates = data.dates;
  function defaultState() {
    return {
      types: new Set(data.types.map(function (t) { return t.key; })),
      relations: new Set(data.relations.map(function (r) { return r.key; })),
      publisher: "",
      from: dates ? dates.min : null,
      to: dates ? dates.max : null,
      undated: true,
      ego: null,     // index of the node whose neighbourhood is shown
      hops: 1,
      expanded: []   // indices of nodes opened to show their neighbours, in order
    };
  }
  var state = defaultState();
  var shownNodes = new Uint8Array(TOTAL);
  for (var i0 = 0; i0 < loaded.length; i0++) shownNodes[loaded[i0]] = 1;
  var shown = { nodes: loaded.length, edges: edges.length };
  var addedBy = new Map();   // index -> the opened node that brought it into the view
  var viewPos = new Map();   // index -> {x, y} in a neighbourhood view or for opened nodes' neighbours
  var drawnAt = new Map();   // index -> the position last given to vis
  var layers = new Map();    // index -> links from the ego node

  function documentsFiltered() {
    return state.publisher !== "" || !state.undated ||
      (dates && (state.from > dates.min || state.to < dates.max));
  }
  function documentPasses(n) {
    if (state.publisher === "\u0000none") { if (n.publisher) return false; }
    else if (state.publisher !== "" && n.publisher !== state.publisher) return false;
    if (n.year === undefined) return state.undated;
    return !dates || (n.year >= state.from && n.year <= state.to);
  }
  function relationOn(e) { return state.relations.has(relationFor(e).key); }

  /** 1 for each node the filters let through (loaded nodes only) */
  function filtered() {
    var keep = new Uint8Array(TOTAL);
    var narrowed = documentsFiltered();
    loaded.forEach(function (i) {
      var n = nodes[i];
      if (!state.types.has(typeFor(n).key)) return;
      if (n.document) { if (!narrowed || documentPasses(n)) keep[i] = 1; }
      else keep[i] = 2;  // decided below, once documents are known
    });
    loaded.forEach(function (i) {
      if (keep[i] !== 2) return;
      if (!narrowed) { keep[i] = 1; return; }
      // an entity stays when a shown document links to it, or when no document links to it at all
      var linkedToDocument = false, linkedToShown = false;
      var around = adjacency[i];
      for (var k = 0; k < around.length; k++) {
        var other = nodes[around[k][0]];
        if (!other.document) continue;
        linkedToDocument = true;
        if (keep[around[k][0]] === 1) { linkedToShown = true; break; }
      }
      keep[i] = (linkedToShown || !linkedToDocument) ? 1 : 0;
    });
    return keep;
  }

  /* nodes within `hops` links of `start`, walking only over kept nodes and switched-on links; layers noted */
  function neighbourhood(start, hops, keep) {
    var seen = new Set([start]);
    layers = new Map([[start, 0]]);
    var frontier = [start];
    for (var step = 0; step < hops && frontier.length; step++) {
      var next = [];
      frontier.forEach(function (i) {
        adjacency[i].forEach(function (pair) {
          var other = pair[0];
          if (seen.has(other) || !keep[other] || !relationOn(edges[pair[1]])) return;
          seen.add(other);
          layers.set(other, step + 1);
          next.push(other);
        });
      });
      frontier = next;
    }
    return seen;
  }

  function computeVisible() {
    var keep = filtered();
    var view;
    if (state.ego !== null) view = neighbourhood(state.ego, state.hops, keep);
    else if (complete) return keep;
    else { view = new Set(); for (var i = 0; i < OVERVIEW; i++) if (keep[i]) view.add(i); }
    addedBy = new Map();
    state.expanded.forEach(function (x) {
      if (!view.has(x)) return;
      adjacency[x].forEach(function (pair) {
        var other = pair[0];
        if (view.has(other) || !keep[other] || !relationOn(edges[pair[1]])) return;
        view.add(other);
        addedBy.set(other, x);
      });
    });
    var out = new Uint8Array(TOTAL);
    view.forEach(function (i) { out[i] = 1; });
    return out;
  }

  /** Nodes waiting to be loaded before the view can be drawn: the ego's neighbourhood, opened nodes. */
  function loadView() {
    if (complete) return Promise.resolve();
    var wanted = state.expanded.slice();
    var chain = Promise.resolve();
    if (state.ego !== null) {
      var ego = state.ego, hops = state.hops;
      chain = ensureLinks(ego).then(function () {
        if (hops < 2) return;
        // the second ring: the links of the first ring's best-connected nodes (a hub would bring thousands)
        var ring = adjacency[ego].map(function (p) { return p[0]; }).slice(0, 30);
        return Promise.all(ring.map(ensureLinks));
      });
    }
    return chain.then(function () { return Promise.all(wanted.map(ensureLinks)); });
  }

  function applyFilters(fit) {
    var keep = computeVisible();
    var nodeChanges = [], edgeChanges = [];
    var countN = 0, countE = 0;
    var typeCounts = {}, relationCounts = {};
    placeView(keep);
    loaded.forEach(function (i) {
      var on = keep[i] ? 1 : 0;
      countN += on;
      if (on) typeCounts[typeFor(nodes[i]).key] = (typeCounts[typeFor(nodes[i]).key] || 0) + 1;
      var change = null;
      if (on !== shownNodes[i]) { shownNodes[i] = on; change = { id: i, hidden: !on }; }
      if (on) {
        var want = viewPos.get(i) || home[i], at = drawnAt.get(i);
        if (want && (!at || at.x !== want.x || at.y !== want.y)) {
          change = change || { id: i };
          change.x = want.x; change.y = want.y;
          drawnAt.set(i, want);
        }
      }
      if (change) nodeChanges.push(change);
    });
    for (var j = 0; j < edges.length; j++) {
      var e = edges[j];
      var onE = (keep[e.from] && keep[e.to] && relationOn(e)) ? 1 : 0;
      countE += onE;
      if (onE) relationCounts[relationFor(e).key] = (relationCounts[relationFor(e).key] || 0) + 1;
      if (onE !== shownEdges[j]) { shownEdges[j] = onE; edgeChanges.push({ id: j, hidden: !onE }); }
    }
    if (nodeChanges.length) visNodes.update(nodeChanges);
    if (edgeChanges.length) visEdges.update(edgeChanges);
    shown = { nodes: countN, edges: countE };
    countEl.textContent = plural(countN, "node", "nodes") + ", " + plural(countE, "link", "links");
    countEl.title = "shown, of " + plural(TOTAL, "node", "nodes") + " and " + plural(data.total.edges, "link", "links");
    legendCounts(typeCounts, relationCounts);
    if (selected !== null && !shownNodes[selected]) closePanel();
    if (fit && network) fitShown();
    else if (network) readableLabels();
  }

  // ------------------------------------------------------------ where nodes go

  function homeOf(i) { return home[i] || viewPos.get(i) || { x: 0, y: 0 }; }
  /* the ego at the centre, each ring of links further out; a ring with many nodes is split into
     circles close together, so neighbours on a circle are a label's width apart */
  function radial(ego, members) {
    var SPACE = 170, GAP = 70;
    var rings = [];
    members.forEach(function (i) { var k = layers.get(i) || 0; (rings[k] = rings[k] || []).push(i); });
    var angle = new Map([[ego, 0]]);
    viewPos.set(ego, { x: 0, y: 0 });
    var radius = 0;
    for (var k = 1; k < rings.length; k++) {
      var ring = rings[k] || [];
      // in the order of the node nearer the centre they hang from, so links cross less
      ring.forEach(function (i) {
        var best = null;
        adjacency[i].forEach(function (p) { if (layers.get(p[0]) === k - 1 && angle.has(p[0]) && best === null) best = angle.get(p[0]); });
        angle.set(i, best === null ? 0 : best);
      });
      ring.sort(function (a, b) { return angle.get(a) - angle.get(b) || a - b; });
      // the first ring's labels are drawn large (readableLabels): it gets more room
      if (k === 1) radius = Math.max(260, ring.length * 2 * SPACE / (2 * Math.PI));
      else radius += 260;
      var at = 0;
      while (at < ring.length) {
        var room = Math.max(6, Math.floor(2 * Math.PI * radius / (k === 1 ? 2 * SPACE : SPACE)));
        var circle = ring.slice(at, at + room);
        var turn = (k % 2) * Math.PI / Math.max(6, circle.length);
        circle.forEach(function (i, m) {
          var a = 2 * Math.PI * m / circle.length + turn - Math.PI / 2;
          angle.set(i, a);
          viewPos.set(i, { x: Math.round(radius * Math.cos(a)), y: Math.round(radius * Math.sin(a)) });
        });
        at += circle.length;
        if (at < ring.length) radius += GAP;
      }
    }
  }
  /* the neighbours an opened node brought, on a fan round it facing away from the middle of the view */
  function around(x, added) {
    var c = viewPos.get(x) || homeOf(x);
    var middle = { x: 0, y: 0 };
    if (state.ego === null) {
      var count = 0;
      viewPos.forEach(function (p) { middle.x += p.x; middle.y += p.y; count++; });
      if (count) { middle.x /= count; middle.y /= count; }
    }
    var away = Math.atan2(c.y - middle.y, c.x - middle.x);
    if (!isFinite(away) || (c.x === middle.x && c.y === middle.y)) away = 0;
    var radius = Math.max(160, added.length * 150 / (1.5 * Math.PI)), spread = Math.min(2 * Math.PI, 1.5 * Math.PI);
    added.forEach(function (i, m) {
      var a = away - spread / 2 + spread * (m + 0.5) / added.length;
      var r = radius + (m % 2) * 60;
      viewPos.set(i, { x: Math.round(c.x + r * Math.cos(a)), y: Math.round(c.y + r * Math.sin(a)) });
    });
  }
  var placedFor = null;  // the (ego, hops) the radial layout was made for
  function placeView(keep) {
    if (!ready) return;
    var key = state.ego === null ? null : state.ego + "/" + state.hops;
    if (key !== placedFor) {
      viewPos = new Map();
      placedFor = key;
      if (state.ego !== null) {
        var members = [];
        layers.forEach(function (k, i) { if (keep[i]) members.push(i); });
        radial(state.ego, members);
      }
    }
    viewPos.forEach(function (p, i) { if (!keep[i]) viewPos.delete(i); });
    var byOpener = new Map();
    addedBy.forEach(function (x, i) {
      if (viewPos.has(i)) return;
      if (!byOpener.has(x)) byOpener.set(x, []);
      byOpener.get(x).push(i);
    });
    state.expanded.forEach(function (x) { if (byOpener.has(x)) around(x, byOpener.get(x)); });
    if (state.ego === null && !state.expanded.length) viewPos = new Map();
  }

  // ------------------------------------------------------------ the network

  var container = $("kg-network");
  var options = data.options || {};
  var network = new vis.Network(container, { nodes: [], edges: [] }, options);
  var selected = null;       // node index whose panel is open
  var selectedEdge = null;   // edge index whose panel is open
  var BASE_FONT = (options.nodes && options.nodes.font && options.nodes.font.size) || 14;
  var EDGE_FONT = 12;
  var MIN_PIXELS = 12;       // a label on screen is at least this big where it is drawn at all
  var MAX_FONT = 4 * BASE_FONT;  // the largest a label grows to (in the canvas's units) to stay readable

  /** The part of the canvas the panel leaves free, in the canvas's own pixels. */
  function freeArea() {
    var box = container.getBoundingClientRect();
    var area = { left: 0, top: 0, right: box.width, bottom: box.height };
    if (!panel.hidden) {
      var p = panel.getBoundingClientRect();
      var overlapsX = p.left < box.right && p.right > box.left, overlapsY = p.top < box.bottom && p.bottom > box.top;
      if (overlapsX && overlapsY) {
        if (p.top > box.top + box.height / 3) area.bottom = Math.max(80, p.top - box.top);  // a sheet from below
        else area.right = Math.max(160, p.left - box.left);  // a panel at the side
      }
    }
    return area;
  }

  function fitShown() {
    var ids = [];
    loaded.forEach(function (i) { if (shownNodes[i]) ids.push(i); });
    if (!ids.length) return;
    var area = freeArea(), w = area.right - area.left, h = area.bottom - area.top;
    var at = network.getPositions(ids);
    var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    ids.forEach(function (i) {
      var p = at[i];
      if (!p) return;
      x0 = Math.min(x0, p.x); x1 = Math.max(x1, p.x); y0 = Math.min(y0, p.y); y1 = Math.max(y1, p.y);
    });
    if (!isFinite(x0)) return;
    var focused = state.ego !== null || state.expanded.length > 0 || !complete;
    function scaleFor(font) {  // room for half a label either side, and a line above and below
      var s = Math.min(w / (x1 - x0 + 2 * 80 * font / BASE_FONT), h / (y1 - y0 + 2 * 24 * font / BASE_FONT));
      return Math.max(0.02, Math.min(s, 1.3));
    }
    var scale = scaleFor(BASE_FONT);
    if (focused) scale = scaleFor(Math.min(MAX_FONT, Math.max(BASE_FONT, MIN_PIXELS / scale)));
    var wanted = focused ? Math.max(BASE_FONT, MIN_PIXELS / scale) : BASE_FONT;
    var centre = { x: (x0 + x1) / 2, y: (y0 + y1) / 2 };
    if (wanted > MAX_FONT) {
      // too many to label readably at a scale showing them all: readable labels round the middle of the view
      scale = MIN_PIXELS / (MAX_FONT);
      if (state.ego !== null) centre = at[state.ego] || centre;
    }
    var box = container.getBoundingClientRect();
    var offset = { x: (area.left + area.right) / 2 - box.width / 2, y: (area.top + area.bottom) / 2 - box.height / 2 };
    network.moveTo({ position: centre, scale: scale, animation: false, offset: offset });
    readableLabels();
    // now that the labels have their sizes, fit what is drawn (labels too), twice: a smaller scale makes them grow
    for (var pass = 0; pass < 2 && wanted <= MAX_FONT && ids.length <= 1000; pass++) {
      var bx0 = Infinity, by0 = Infinity, bx1 = -Infinity, by1 = -Infinity;
      ids.forEach(function (i) {
        var b = network.getBoundingBox(i);
        if (!b) return;
        bx0 = Math.min(bx0, b.left); bx1 = Math.max(bx1, b.right); by0 = Math.min(by0, b.top); by1 = Math.max(by1, b.bottom);
      });
      if (!isFinite(bx0)) break;
      var fits = Math.max(0.02, Math.min(1.3, (w - 16) / (bx1 - bx0), (h - 16) / (by1 - by0)));
      if (pass > 0 && fits >= scale * 0.98) break;
      scale = fits;
      network.moveTo({ position: { x: (bx0 + bx1) / 2, y: (by0 + by1) / 2 }, scale: scale, animation: false, offset: offset });
      readableLabels();
    }
    labelSoon();
  }
  /** The nodes a view is about: their labels grow so they stay readable at the scale shown
   * (the ego and its nearest ring, the nodes opened and what they added, an overview's best connected);
   * every other label keeps its size and shows once a zoom makes it readable. */
  var nodeFont = new Map();  // index -> font size given to vis, where it differs from the base
  var FEATURED = 40;
  function featured() {
    var out = [];
    if (state.ego !== null) {
      out.push(state.ego);
      var ring = [];
      layers.forEach(function (k, i) { if (k === 1 && shownNodes[i]) ring.push(i); });
      ring.sort(function (a, b) { return (nodes[b].degree || 0) - (nodes[a].degree || 0) || a - b; });
      out = out.concat(ring.slice(0, FEATURED));
    } else if (!complete) {
      for (var i = 0; i < Math.min(OVERVIEW, FEATURED); i++) if (shownNodes[i]) out.push(i);
    }
    state.expanded.forEach(function (x) { if (shownNodes[x]) out.push(x); });
    addedBy.forEach(function (x, i) { if (shownNodes[i]) out.push(i); });
    return out;
  }
  function readableLabels() {
    var size = Math.min(MAX_FONT, Math.max(BASE_FONT, Math.ceil(MIN_PIXELS / network.getScale())));
    var want = new Map();
    featured().forEach(function (i) { if (size !== BASE_FONT) want.set(i, size); });
    var updates = [];
    nodeFont.forEach(function (v, i) { if (!want.has(i)) updates.push({ id: i, font: { size: BASE_FONT }, widthConstraint: { maximum: 200 } }); });
    want.forEach(function (v, i) {
      if (nodeFont.get(i) !== v) updates.push({ id: i, font: { size: v }, widthConstraint: { maximum: Math.round(200 * v / BASE_FONT) } });
    });
    nodeFont = want;
    if (updates.length) visNodes.update(updates);
    labelAround(Array.from(want.keys()));
  }
  function fontOf(i) { return nodeFont.get(i) || BASE_FONT; }

  function markReady() {
    if (ready) return;
    ready = true;
    timings.drawn = performance.now();
    if (data.physics) {
      var at = network.getPositions();
      loaded.forEach(function (i) { if (at[i]) { home[i] = { x: at[i].x, y: at[i].y }; drawnAt.set(i, home[i]); } });
    } else {
      loaded.forEach(function (i) { if (home[i]) drawnAt.set(i, home[i]); });
    }
    function done() {
      window.kgMapReady = performance.now();
      app.setAttribute("data-ready", "true");
    }
    applyHash(true).then(done, function (err) { announce(err.message); done(); });
  }

  if (data.physics) {
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: { enabled: false } });  // stop moving once settled
      network.once("afterDrawing", markReady);
      network.redraw();
    });
  } else {
    network.once("afterDrawing", markReady);
  }
  // the data goes in once the handlers above listen, so no event of a quick stabilisation is missed
  network.setData({ nodes: visNodes, edges: visEdges });
  timings.network = performance.now();
  if (!loaded.length) setTimeout(markReady, 0);

  // ------------------------------------------------------------ the side panel

  var panel = $("kg-panel");
  var panelBody = $("kg-panel-body");

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "className") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  }
  var SVG = "http://www.w3.org/2000/svg";
  /* a small picture of a type's shape in its colour, so the legend is not colour alone */
  function shapeIcon(type) {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 20 20");
    svg.setAttribute("width", "18");
    svg.setAttribute("height", "18");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("class", "kg-icon");
    var s, shape = type.shape;
    if (shape === "box" || shape === "square") {
      s = document.createElementNS(SVG, "rect");
      if (shape === "box") { s.setAttribute("x", "1"); s.setAttribute("y", "5"); s.setAttribute("width", "18"); s.setAttribute("height", "10"); s.setAttribute("rx", "2"); }
      else { s.setAttribute("x", "3"); s.setAttribute("y", "3"); s.setAttribute("width", "14"); s.setAttribute("height", "14"); }
    } else if (shape === "dot" || shape === "circle") {
      s = document.createElementNS(SVG, "circle");
      s.setAttribute("cx", "10"); s.setAttribute("cy", "10"); s.setAttribute("r", "7");
    } else if (shape === "ellipse") {
      s = document.createElementNS(SVG, "ellipse");
      s.setAttribute("cx", "10"); s.setAttribute("cy", "10"); s.setAttribute("rx", "9"); s.setAttribute("ry", "6");
    } else {
      var points = {
        diamond: "10,1 19,10 10,19 1,10",
        triangle: "10,2 19,18 1,18",
        triangleDown: "1,2 19,2 10,18",
        hexagon: "5,2 15,2 19,10 15,18 5,18 1,10",
        star: "10,1 12.6,7.2 19,7.6 14,11.8 15.6,18.5 10,14.8 4.4,18.5 6,11.8 1,7.6 7.4,7.2"
      }[shape] || "10,1 19,10 10,19 1,10";
      s = document.createElementNS(SVG, "polygon");
      s.setAttribute("points", points);
    }
    s.setAttribute("fill", type.color);
    s.setAttribute("stroke", darker(type.color, 0.45));
    s.setAttribute("stroke-width", "1.5");
    svg.appendChild(s);
    return svg;
  }
  function lineIcon(relation) {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 28 12");
    svg.setAttribute("width", "28");
    svg.setAttribute("height", "12");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("class", "kg-icon");
    var line = document.createElementNS(SVG, "line");
    line.setAttribute("x1", "1"); line.setAttribute("y1", "6"); line.setAttribute("x2", "21"); line.setAttribute("y2", "6");
    line.setAttribute("stroke", relation.color); line.setAttribute("stroke-width", "2.5");
    if (relation.dashes) line.setAttribute("stroke-dasharray", "4 3");
    var head = document.createElementNS(SVG, "polygon");
    head.setAttribute("points", "20,1 27,6 20,11");
    head.setAttribute("fill", relation.color);
    svg.appendChild(line);
    svg.appendChild(head);
    return svg;
  }

  function nodeButton(i) {
    var n = nodes[i];
    var b = el("button", { type: "button", className: "kg-link-button", "data-node": String(i) }, [shapeIcon(typeFor(n)), short(n.label, 80)]);
    return b;
  }


  function isOpened(i) { return state.expanded.indexOf(i) >= 0; }
  function linkCount(i) { return complete ? adjacency[i].length : (linkTotal[i] !== undefined ? linkTotal[i] : nodes[i].degree || 0); }

  function openPanel(i) {
    var n = nodes[i], t = typeFor(n);
    labelAround([i].concat(adjacency[i].map(function (pair) { return pair[0]; })));
    selected = i;
    selectedEdge = null;
    panelBody.textContent = "";
    panelBody.appendChild(el("h2", { id: "kg-panel-title", text: n.label }));
    panelBody.appendChild(el("p", { className: "kg-panel-type" }, [shapeIcon(t), t.label]));
    if (n.definition) panelBody.appendChild(el("p", { className: "kg-panel-definition", text: n.definition }));
    var facts = el("dl", { className: "kg-facts" });
    function fact(term, value) { facts.appendChild(el("dt", { text: term })); facts.appendChild(el("dd", { text: value })); }
    if (n.document) {
      if (n.issued) fact("Issued", n.issued);
      if (n.publisher) fact("Publisher", n.publisher);
      fact("Mentions", plural(n.mentions || 0, "entity", "entities"));
    } else {
      fact("Mentioned in", plural(n.mentions || 0, "document", "documents"));
    }
    fact("Links", String(linkCount(i)));
    var others = (n.labels || []).filter(function (name) { return name !== n.label; });
    if (others.length) fact("Other names", others.join(", "));
    panelBody.appendChild(facts);

    var actions = el("p", { className: "kg-panel-actions" });
    if (withPages && n.page) {
      actions.appendChild(el("a", { href: root + n.page, className: "kg-page-link", text: "Open the page for " + short(n.label, 60) }));
    }
    var egoButton = el("button", { type: "button", className: "kg-ego-button", text: state.ego === i ? "Neighbours shown" : "Show only its neighbours" });
    egoButton.addEventListener("click", function () { showEgo(i, state.ego === i ? state.hops : 1); });
    actions.appendChild(egoButton);
    if (state.ego !== null || !complete || state.expanded.length) {
      var open = isOpened(i);
      var expandButton = el("button", {
        type: "button", className: "kg-expand-button", id: "kg-expand",
        text: open ? "Remove the neighbours it added (C)" : "Add its neighbours to the view (E)"
      });
      expandButton.addEventListener("click", function () { if (isOpened(i)) collapse(i); else expand(i); });
      actions.appendChild(expandButton);
    }
    panelBody.appendChild(actions);

    var links = adjacency[i].filter(function (pair) { return shownEdges[pair[1]]; });
    if (links.length) {
      panelBody.appendChild(el("h3", { text: "Links shown (" + links.length + ")" }));
      var list = el("ul", { className: "kg-panel-links" });
      links.slice(0, 40).forEach(function (pair) {
        var e = edges[pair[1]], r = relationFor(e);
        var outgoing = e.from === i;
        list.appendChild(el("li", {}, [
          el("button", { type: "button", className: "kg-link-button kg-relation", "data-edge": String(pair[1]),
                         "aria-label": "The link: " + (outgoing ? n.label + " " + r.label + " " + nodes[pair[0]].label : nodes[pair[0]].label + " " + r.label + " " + n.label) },
             [outgoing ? r.label + " →" : "← " + r.label]),
          " ", nodeButton(pair[0])
        ]));
      });
      panelBody.appendChild(list);
      if (links.length > 40) panelBody.appendChild(el("p", { className: "kg-help", text: "and " + (links.length - 40) + " more: see its page." }));
    }
    if (linkCount(i) > links.length) {
      panelBody.appendChild(el("p", { className: "kg-help", text: plural(linkCount(i) - links.length, "more link is", "more links are") + " not in this view" + (!complete && linkCount(i) > files.links ? " (the map lists its " + files.links + " best connected; its page has all)." : ".") }));
    }
    showPanel();
  }

  function quoteBlock(q) {
    // [document title, page, text before, the sentence, text after]
    var cite = withPages && q[1] ? el("a", { href: root + q[1], text: q[0] }) : el("span", { text: q[0] });
    return el("li", { className: "kg-quote" }, [
      el("blockquote", {}, [
        q[2] ? el("span", { className: "kg-context", text: q[2] + " " }) : null,
        el("mark", { text: q[3] }),
        q[4] ? el("span", { className: "kg-context", text: " " + q[4] }) : null
      ]),
      el("p", { className: "kg-cite" }, ["— ", cite])
    ]);
  }

  function openEdgePanel(j) {
    var e = edges[j], r = relationFor(e);
    selected = null;
    selectedEdge = j;
    panelBody.textContent = "";
    panelBody.appendChild(el("h2", { id: "kg-panel-title", text: nodes[e.from].label + " " + r.label + " " + nodes[e.to].label }));
    panelBody.appendChild(el("p", { className: "kg-panel-type" }, [lineIcon(r), "Link: " + r.label]));
    var list = el("ul", { className: "kg-panel-links" });
    list.appendChild(el("li", {}, [el("span", { className: "kg-relation", text: "from" }), " ", nodeButton(e.from)]));
    list.appendChild(el("li", {}, [el("span", { className: "kg-relation", text: "to" }), " ", nodeButton(e.to)]));
    panelBody.appendChild(list);
    var evidence = el("div", { id: "kg-evidence", className: "kg-evidence" });
    panelBody.appendChild(evidence);
    showPanel();
    var doc = nodes[e.from].document ? nodes[e.from] : null;
    if (!e.evidence) {
      evidence.appendChild(el("p", { text: e.predicate === "publisher" ? "From the document's details." : "From the vocabulary." }));
      return;
    }
    evidence.appendChild(el("h3", { text: "Backed by " + plural(e.evidence, "quoted sentence", "quoted sentences") }));
    var chunk = Math.floor(e.from / files.chunk);
    var note = el("p", { className: "kg-help", text: "Reading the quoted sentences…" });
    evidence.appendChild(note);
    function pageNote() {
      if (withPages && doc && doc.page) {
        note.textContent = "";
        note.appendChild(el("a", { href: root + doc.page, text: "The quoted sentences are on the page of " + short(doc.label, 80) }));
      } else note.textContent = "The documents' pages show the quoted sentences.";
    }
    if ((files.evidence || []).indexOf(chunk) < 0) { pageNote(); return; }
    loadFile("evidence", chunk).then(function (payload) {
      if (selectedEdge !== j) return;
      var entry = (payload[String(e.from)] || []).filter(function (x) { return x[0] === e.to && x[1] === e.predicate; })[0];
      if (!entry) { pageNote(); return; }
      var quotes = el("ul", { className: "kg-quotes" });
      entry[3].forEach(function (q) { quotes.appendChild(quoteBlock(q)); });
      note.replaceWith(quotes);
      if (entry[2] > entry[3].length) {
        evidence.appendChild(el("p", { className: "kg-help", text: "and " + plural(entry[2] - entry[3].length, "more", "more") + " in the documents' pages." }));
      }
    }, function (err) { note.textContent = err.message; });
  }

  function showPanel() {
    var wasHidden = panel.hidden;
    panel.hidden = false;
    app.classList.add("kg-with-panel");
    if (getComputedStyle(panel).position === "fixed") {
      // a sheet over the lower part of a phone's screen: the canvas goes to the top, its upper part shows the graph
      var top = container.getBoundingClientRect().top;
      if (Math.abs(top) > 2) window.scrollBy(0, top);
    }
    if (wasHidden) keepInView();
  }
  function closePanel() {
    var hadFocus = panel.contains(document.activeElement);
    panel.hidden = true;
    app.classList.remove("kg-with-panel");
    panelBody.textContent = "";
    selected = null;
    selectedEdge = null;
    if (network) network.unselectAll();
    if (hadFocus) searchInput.focus();
  }
  /* the panel took room from the canvas (beside it, or a sheet over its lower part): keep the selection in sight */
  function keepInView() {
    if (!ready) return;
    requestAnimationFrame(function () {
      var target = selected !== null ? [selected] : (selectedEdge !== null ? [edges[selectedEdge].from, edges[selectedEdge].to] : []);
      if (!target.length) return;
      var area = freeArea(), at = network.getPositions(target), p = { x: 0, y: 0 };
      target.forEach(function (i) { p.x += at[i].x / target.length; p.y += at[i].y / target.length; });
      var dom = network.canvasToDOM(p);
      if (dom.x > area.left + 20 && dom.x < area.right - 20 && dom.y > area.top + 20 && dom.y < area.bottom - 20) return;
      var box = container.getBoundingClientRect();
      network.moveTo({
        position: p, animation: false,
        offset: { x: (area.left + area.right) / 2 - box.width / 2, y: (area.top + area.bottom) / 2 - box.height / 2 }
      });
      labelSoon();
    });
  }

  panelBody.addEventListener("click", function (event) {
    var button = event.target.closest("[data-node]");
    if (button) { selectNode(Number(button.getAttribute("data-node")), { panel: true }); return; }
    var link = event.target.closest("[data-edge]");
    if (link) {
      var j = Number(link.getAttribute("data-edge"));
      network.selectEdges([j]);
      openEdgePanel(j);
      var title = $("kg-panel-title");
      if (title) { title.setAttribute("tabindex", "-1"); title.focus(); }
    }
  });
  $("kg-panel-close").addEventListener("click", closePanel);

  /* select a node, bring it into view and open its panel; filters that hide it are lifted */
  function selectNode(i, how) {
    how = how || {};
    if (!shownNodes[i] && (state.ego !== null || state.expanded.length || !complete)) {
      // not in this view: the neighbourhood of it instead
      return showEgo(i, 1);
    }
    if (!shownNodes[i]) {
      resetFilters(false);
      announce("The filters were reset to show " + nodes[i].label + ".");
    }
    network.selectNodes([i]);
    if (how.panel !== false) openPanel(i);
    var area = freeArea(), box = container.getBoundingClientRect();
    network.moveTo({
      position: network.getPositions([i])[i],
      scale: Math.max(network.getScale(), 1.0, MIN_PIXELS / fontOf(i)),
      offset: { x: (area.left + area.right) / 2 - box.width / 2, y: (area.top + area.bottom) / 2 - box.height / 2 },
      animation: animate ? { duration: 400, easingFunction: "easeInOutQuad" } : false
    });
    labelSoon();
    return Promise.resolve(true);
  }

  function labelAround(indices) {
    if (!lazy) return;
    var nodeUpdates = [], edgeUpdates = [];
    indices.forEach(function (i) {
      if (!nodeLabelled[i]) { nodeLabelled[i] = 1; nodeUpdates.push({ id: i, label: short(nodes[i].label, 60) }); }
      adjacency[i].forEach(function (pair) {
        var j = pair[1];
        if (!edgeLabelled[j]) { edgeLabelled[j] = 1; edgeUpdates.push({ id: j, label: relationFor(edges[j]).label }); }
      });
    });
    if (nodeUpdates.length) visNodes.update(nodeUpdates);
    if (edgeUpdates.length) visEdges.update(edgeUpdates);
  }
  function labelInView() {
    if (!lazy || network.getScale() * BASE_FONT < MIN_PIXELS - 1) return;
    var box = container.getBoundingClientRect();
    var a = network.DOMtoCanvas({ x: 0, y: 0 }), b = network.DOMtoCanvas({ x: box.width, y: box.height });
    var margin = 200, inView = [];
    var at = network.getPositions(loaded.filter(function (i) { return shownNodes[i] && !nodeLabelled[i]; }));
    Object.keys(at).forEach(function (key) {
      var p = at[key];
      if (p.x >= a.x - margin && p.x <= b.x + margin && p.y >= a.y - margin && p.y <= b.y + margin) inView.push(Number(key));
    });
    labelAround(inView);
  }
  var labelTimer = null;
  function labelSoon() { if (lazy) { clearTimeout(labelTimer); labelTimer = setTimeout(labelInView, 120); } }
  network.on("zoom", function () { readableLabels(); labelSoon(); });
  network.on("dragEnd", function (params) {
    if (params.nodes.length) {  // a node moved by hand stays where it was put
      var moved = network.getPositions(params.nodes);
      params.nodes.forEach(function (i) {
        var p = { x: moved[i].x, y: moved[i].y };
        if (viewPos.has(i)) viewPos.set(i, p); else home[i] = p;
        drawnAt.set(i, p);
      });
    }
    labelSoon();
  });
  network.on("animationFinished", labelSoon);

  network.on("click", function (params) {
    if (params.nodes.length) openPanel(params.nodes[0]);
    else if (params.edges.length) openEdgePanel(params.edges[0]);
    else closePanel();
  });
  network.on("doubleClick", function (params) {
    if (!params.nodes.length) return;
    var i = params.nodes[0];
    if (isOpened(i)) collapse(i); else expand(i);
  });
  // ------------------------------------------------------------ search

  var searchInput = $("kg-search");
  var list = $("kg-suggestions");
  var index = [];  // index -> folded names, made when first searched
  function namesOf(i) {
    if (!index[i]) {
      var n = nodes[i], names = n.labels && n.labels.length ? n.labels : [n.label];
      index[i] = names.map(function (name, k) { return { text: fold(name), name: name, primary: name === n.label || k === 0 }; });
    }
    return index[i];
  }
  var results = [];
  var active = -1;


  /** With the site's name index (find.js), the names' rules of every other search rank first:
   * an entity the query names (plurals, spellings, acronyms), then names holding its words. */
  function ranked(query) {
    if (!window.KGFind) return { scores: {}, suggestions: [], away: [] };
    var answer = window.KGFind.find(query);
    var scores = {}, away = [];
    // an entity of the overview's graph that is not loaded yet is listed too: choosing it loads it
    function score(e, value) {
      if (!e || !e.iri) return;
      if (byId.has(e.iri)) { if (!(byId.get(e.iri) in scores)) scores[byId.get(e.iri)] = value; }
      else if (!complete && !away.some(function (a) { return a.iri === e.iri; })) away.push({ iri: e.iri, label: e.label || e.iri, score: value });
    }
    answer.exact.forEach(function (e, k) { score(e, k * 0.01 - 1); });
    answer.partial.forEach(function (p, k) { score(p.entity || p, 1 + k * 0.01); });
    var suggestions = answer.suggestions.filter(function (e) { return byId.has(e.iri); });
    return { scores: scores, suggestions: suggestions, away: away };
  }

  function search(query) {
    var q = fold(query);
    if (!q) return [];
    var rules = ranked(query);
    var found = [];
    Object.keys(rules.scores).forEach(function (i) {
      found.push({ i: Number(i), score: rules.scores[i], name: nodes[Number(i)].label });
    });
    var listed = {};
    found.forEach(function (f) { listed[f.i] = true; });
    for (var m = 0; m < loaded.length; m++) {
      var i = loaded[m], best = null;
      var names = namesOf(i);
      for (var k = 0; k < names.length; k++) {
        var t = names[k].text, score;
        if (t === q) score = 0;
        else if (t.indexOf(q) === 0) score = 2;
        else if ((" " + t).indexOf(" " + q) >= 0 || t.indexOf("(" + q) >= 0) score = 4;
        else if (t.indexOf(q) >= 0) score = 6;
        else continue;
        if (!names[k].primary) score += 1;
        if (best === null || score < best.score) best = { score: score, name: names[k].name };
      }
      if (best && !listed[i]) found.push({ i: i, score: best.score, name: best.name });
    }
    if (!found.length) {
      rules.suggestions.forEach(function (e, k) {
        found.push({ i: byId.get(e.iri), score: 10 + k, name: nodes[byId.get(e.iri)].label, suggestion: true });
      });
    }
    found.sort(function (a, b) {
      return a.score - b.score || (nodes[b.i].degree || 0) - (nodes[a.i].degree || 0) ||
        nodes[a.i].label.localeCompare(nodes[b.i].label);
    });
    rules.away.forEach(function (a) { found.push({ i: null, iri: a.iri, score: a.score, name: a.label, label: a.label }); });
    found.sort(function (a, b) { return a.score - b.score; });
    return found.slice(0, 12);
  }

  function showSuggestions() {
    results = search(searchInput.value);
    active = -1;
    list.textContent = "";
    searchInput.removeAttribute("aria-activedescendant");
    if (!searchInput.value.trim()) { closeSuggestions(); return; }
    if (!results.length) {
      list.appendChild(el("li", { className: "kg-none", role: "option", "aria-disabled": "true", text: "No name matches." }));
    }
    results.forEach(function (r, k) {
      var n = r.i !== null ? nodes[r.i] : { label: r.label, type: "" }, t = typeFor(n);
      var item = el("li", { id: "kg-option-" + k, role: "option", "aria-selected": "false", "data-k": String(k) }, [
        shapeIcon(t),
        el("span", { className: "kg-option-text" }, [
          r.suggestion ? el("span", { className: "kg-option-alt", text: "Did you mean " }) : null,
          el("span", { className: "kg-option-label", text: n.label }),
          r.name !== n.label ? el("span", { className: "kg-option-alt", text: " (" + r.name + ")" }) : null,
          el("span", { className: "kg-option-type", text: " " + t.label })
        ])
      ]);
      list.appendChild(item);
    });
    list.hidden = false;
    searchInput.setAttribute("aria-expanded", "true");
  }
  function closeSuggestions() {
    list.hidden = true;
    searchInput.setAttribute("aria-expanded", "false");
    searchInput.removeAttribute("aria-activedescendant");
    active = -1;
  }
  function setActive(k) {
    var items = list.querySelectorAll("[role=option][data-k]");
    if (!items.length) return;
    active = (k + items.length) % items.length;
    items.forEach(function (item, m) { item.setAttribute("aria-selected", m === active ? "true" : "false"); });
    searchInput.setAttribute("aria-activedescendant", items[active].id);
    items[active].scrollIntoView({ block: "nearest" });
  }
  function choose(k) {
    var r = results[k];
    if (!r) return;
    closeSuggestions();
    if (r.i !== null) { searchInput.value = nodes[r.i].label; selectNode(r.i, { panel: true }); return; }
    searchInput.value = r.label;
    findIndex(r.iri).then(function (i) {
      if (i === null) { announce(r.label + " is not on the map."); return; }
      return ensureNode(i).then(function () { flushAdded(); showEgo(i, 1); });
    });
  }

  searchInput.addEventListener("input", showSuggestions);
  searchInput.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") { event.preventDefault(); if (list.hidden) showSuggestions(); setActive(active + 1); }
    else if (event.key === "ArrowUp") { event.preventDefault(); setActive(active - 1); }
    else if (event.key === "Enter") {
      event.preventDefault();
      if (list.hidden) showSuggestions();
      choose(active >= 0 ? active : 0);
    } else if (event.key === "Escape" && !list.hidden) {
      event.preventDefault();
      event.stopPropagation();
      closeSuggestions();
    }
  });
  searchInput.addEventListener("blur", function () { setTimeout(function () { if (document.activeElement !== searchInput) closeSuggestions(); }, 150); });
  list.addEventListener("mousedown", function (event) { event.preventDefault(); });  // keep focus in the box
  list.addEventListener("click", function (event) {
    var item = event.target.closest("[data-k]");
    if (item) choose(Number(item.getAttribute("data-k")));
  });

  // ------------------------------------------------------------ filter controls

  function checkbox(group, value, labelChildren, count) {
    var id = group + "-" + value.replace(/[^A-Za-z0-9_-]/g, "_");
    var input = el("input", { type: "checkbox", id: id, value: value });
    input.checked = true;
    var label = el("label", { "for": id }, labelChildren.concat([el("span", { className: "kg-n", "data-total": String(count), text: " " + count })]));
    return el("li", {}, [input, label]);
  }
  var typeList = document.querySelector("#kg-types .kg-checks");
  data.types.forEach(function (t) { typeList.appendChild(checkbox("kg-type", t.key, [shapeIcon(t), " " + t.label], t.count)); });
  var relationList = document.querySelector("#kg-relations .kg-checks");
  data.relations.forEach(function (r) { relationList.appendChild(checkbox("kg-rel", r.key, [lineIcon(r), " " + r.label], r.count)); });

  /* each legend entry counts what the view shows (of how many in all, when that differs) */
  function legendCounts(typeCounts, relationCounts) {
    [[typeList, typeCounts], [relationList, relationCounts]].forEach(function (pair) {
      pair[0].querySelectorAll("input").forEach(function (input) {
        var span = input.parentNode.querySelector(".kg-n"), all = Number(span.getAttribute("data-total"));
        var now = pair[1][input.value] || 0;
        span.textContent = " " + now.toLocaleString("en-GB") + (now !== all ? " of " + all.toLocaleString("en-GB") : "");
        span.setAttribute("data-shown", String(now));
      });
    });
  }

  function readChecks(fieldset, set) {
    set.clear();
    fieldset.querySelectorAll("input[type=checkbox]").forEach(function (c) { if (c.checked) set.add(c.value); });
  }
  $("kg-types").addEventListener("change", function () { readChecks($("kg-types"), state.types); changed(false); });
  $("kg-relations").addEventListener("change", function () { readChecks($("kg-relations"), state.relations); changed(false); });
  document.querySelectorAll("[data-all],[data-none]").forEach(function (button) {
    button.addEventListener("click", function () {
      var fieldset = $(button.getAttribute("data-all") || button.getAttribute("data-none"));
      var on = button.hasAttribute("data-all");
      fieldset.querySelectorAll("input[type=checkbox]").forEach(function (c) { c.checked = on; });
      fieldset.dispatchEvent(new Event("change"));
    });
  });

  var publisherSelect = $("kg-publisher");
  var documentCount = data.types.filter(function (t) { return /^(Document|PolicyBriefing|Report|NewsItem|SlideDeck)$/.test(t.key); }).length ||
    loaded.filter(function (i) { return nodes[i].document; }).length;
  var withoutPublisher = loaded.filter(function (i) { return nodes[i].document && !nodes[i].publisher; }).length;
  data.publishers.forEach(function (p) { publisherSelect.appendChild(el("option", { value: p.label, text: p.label + " (" + p.count + ")" })); });
  if (withoutPublisher && data.publishers.length) publisherSelect.appendChild(el("option", { value: "\u0000none", text: "Not stated (" + withoutPublisher + ")" }));
  if (!documentCount) $("kg-documents").hidden = true;
  if (!data.publishers.length) { publisherSelect.hidden = true; document.querySelector("label[for=kg-publisher]").hidden = true; }
  publisherSelect.addEventListener("change", function () { state.publisher = publisherSelect.value; changed(false); });

  var fromInput = $("kg-from"), toInput = $("kg-to"), undatedInput = $("kg-undated");
  if (dates) {
    [fromInput, toInput].forEach(function (input) { input.min = dates.min; input.max = dates.max; });
    fromInput.value = dates.min;
    toInput.value = dates.max;
  } else {
    $("kg-dates").hidden = true;
  }
  function readDates(record) {
    if (!dates) return;
    var a = parseInt(fromInput.value, 10), b = parseInt(toInput.value, 10);
    state.from = isNaN(a) ? dates.min : a;
    state.to = isNaN(b) ? dates.max : b;
    state.undated = undatedInput.checked;
    changed(false, !record);
  }
  [fromInput, toInput].forEach(function (input) {
    input.addEventListener("input", function () { readDates(false); });  // as typed: one history entry, kept up to date
    input.addEventListener("change", function () { readDates(true); });
  });
  undatedInput.addEventListener("change", function () { state.undated = undatedInput.checked; changed(false); });

  /** the controls show `state` */
  function showState() {
    document.querySelectorAll("#kg-types input").forEach(function (c) { c.checked = state.types.has(c.value); });
    document.querySelectorAll("#kg-relations input").forEach(function (c) { c.checked = state.relations.has(c.value); });
    publisherSelect.value = state.publisher;
    if (publisherSelect.value !== state.publisher) { publisherSelect.value = ""; state.publisher = ""; }
    undatedInput.checked = state.undated;
    if (dates) { fromInput.value = state.from; toInput.value = state.to; }
    hopsSelect.value = String(state.hops);
  }

  function resetFilters(record) {
    var fresh = defaultState();
    ["types", "relations", "publisher", "from", "to", "undated"].forEach(function (k) { state[k] = fresh[k]; });
    showState();
    changed(false, !record);
  }
  $("kg-reset").addEventListener("click", function () { resetFilters(true); announce(""); });

  // ------------------------------------------------------------ the view in the address: #node=IRI&hops=N&hide=…

  var egoBox = $("kg-ego"), egoText = $("kg-ego-text"), hopsSelect = $("kg-hops");
  function announce(text) { $("kg-note").textContent = text; }

  /** the address's fragment for `state` (only what differs from the default view) */
  function hashOf() {
    var p = new URLSearchParams(), fresh = defaultState();
    if (state.ego !== null) { p.set("node", nodes[state.ego].id); p.set("hops", String(state.hops)); }
    var hiddenTypes = data.types.filter(function (t) { return !state.types.has(t.key); }).map(function (t) { return t.key; });
    if (hiddenTypes.length) p.set("hide", hiddenTypes.join(","));
    var hiddenLinks = data.relations.filter(function (r) { return !state.relations.has(r.key); }).map(function (r) { return r.key; });
    if (hiddenLinks.length) p.set("unlink", hiddenLinks.join(","));
    if (state.publisher) p.set("publisher", state.publisher === "\u0000none" ? "-" : state.publisher);
    if (dates && state.from !== fresh.from) p.set("from", String(state.from));
    if (dates && state.to !== fresh.to) p.set("to", String(state.to));
    if (!state.undated) p.set("undated", "0");
    state.expanded.forEach(function (x) { p.append("open", nodes[x].id); });
    var text = p.toString();
    return text ? "#" + text : "";
  }
  function record(replace) {
    var hash = hashOf();
    if (hash === location.hash || (!hash && !location.hash)) return;
    var url = location.pathname + location.search + hash;
    try {
      if (replace) history.replaceState(null, "", url); else history.pushState(null, "", url);
    } catch (err) {
      location.hash = hash;  // where the history API refuses (some file:// pages)
    }
  }
  var busy = Promise.resolve();
  /** after a change of `state`: load what the view needs, draw it, note it in the address */
  function changed(fit, replace) {
    record(replace);
    return draw(fit);
  }
  function draw(fit) {
    busy = busy.then(loadView).then(function () {
      flushAdded();
      applyFilters(fit);
      describeEgo();
    }, function (err) { announce(err.message); });
    return busy;
  }
  function describeEgo() {
    if (state.ego === null) {
      egoBox.hidden = !missing;
      return;
    }
    egoBox.hidden = false;
    hopsSelect.disabled = false;
    egoText.textContent = "Showing " + nodes[state.ego].label + " and what is within " + plural(state.hops, "link", "links") +
      " of it (" + plural(shown.nodes, "node", "nodes") + ")." + (state.expanded.length ? " " + plural(state.expanded.length, "node is", "nodes are") + " opened." : "");
  }
  var missing = false;

  /** read the address into `state` and draw that view */
  function applyHash(first) {
    var p = new URLSearchParams(location.hash.replace(/^#/, ""));
    var fresh = defaultState();
    var hops = parseInt(p.get("hops"), 10);
    hops = hops >= 1 && hops <= 3 ? hops : null;
    var hide = (p.get("hide") || "").split(",").filter(Boolean), unlink = (p.get("unlink") || "").split(",").filter(Boolean);
    fresh.types = new Set(data.types.map(function (t) { return t.key; }).filter(function (k) { return hide.indexOf(k) < 0; }));
    fresh.relations = new Set(data.relations.map(function (r) { return r.key; }).filter(function (k) { return unlink.indexOf(k) < 0; }));
    var pub = p.get("publisher");
    fresh.publisher = pub === "-" ? "\u0000none" : (pub || "");
    if (dates) {
      var a = parseInt(p.get("from"), 10), b = parseInt(p.get("to"), 10);
      if (!isNaN(a)) fresh.from = a;
      if (!isNaN(b)) fresh.to = b;
    }
    fresh.undated = p.get("undated") !== "0";
    var wanted = p.get("node"), opened = p.getAll("open");
    return Promise.all([wanted ? findIndex(wanted) : Promise.resolve(null)].concat(opened.map(findIndex))).then(function (found) {
      var ego = found[0];
      var loads = found.filter(function (i) { return i !== null; }).map(ensureNode);
      return Promise.all(loads).then(function () {
        flushAdded();
        missing = !!wanted && ego === null;
        fresh.expanded = found.slice(1).filter(function (i) { return i !== null; });
        Object.keys(fresh).forEach(function (k) { state[k] = fresh[k]; });
        if (ego !== null && hops !== null) { state.ego = ego; state.hops = hops; }
        showState();
        if (missing) {
          egoBox.hidden = false;
          hopsSelect.disabled = true;
          egoText.textContent = "That entity or document is not on the map (no document mentions it yet).";
        }
        return draw(false).then(function () {
          if (ego !== null && hops === null) return settle().then(function () { fitShown(); return selectNode(ego, { panel: true }); });
          if (ego !== null) {
            network.selectNodes([ego]);
            openPanel(ego);
          } else if (!first && selected !== null && !shownNodes[selected]) closePanel();
          return settle().then(fitShown);
        });
      });
    }, function (err) { announce(err.message); });
  }

  /** after the browser has laid the page out again (the panel opened or closed: the canvas changed size) */
  function settle() {
    return new Promise(function (resolve) { requestAnimationFrame(function () { requestAnimationFrame(resolve); }); });
  }
  network.on("resize", function () { if (ready) { readableLabels(); keepInView(); } });

  function showEgo(i, hops) {
    state.ego = i;
    state.hops = hops;
    state.expanded = [];
    missing = false;
    showState();
    return changed(false).then(function () {
      network.selectNodes([i]);
      openPanel(i);
      return settle().then(fitShown);
    });
  }
  function exitEgo() {
    state.ego = null;
    state.expanded = [];
    missing = false;
    return changed(true).then(function () { if (selected !== null) openPanel(selected); });
  }
  /** add the neighbours of node i to the view (on the whole map: show its neighbourhood) */
  function expand(i) {
    if (complete && state.ego === null) return showEgo(i, 1);
    if (isOpened(i)) return Promise.resolve();
    state.expanded.push(i);
    var before = shown.nodes;
    return changed(false).then(function () {
      announce(plural(shown.nodes - before, "node was", "nodes were") + " added round " + nodes[i].label + ".");
      if (selected === i) openPanel(i);
      keepAddedInView(i);
    });
  }
  function collapse(i) {
    var k = state.expanded.indexOf(i);
    if (k < 0) return Promise.resolve();
    state.expanded.splice(k, 1);
    var before = shown.nodes;
    return changed(false).then(function () {
      announce(plural(before - shown.nodes, "node was", "nodes were") + " taken away from round " + nodes[i].label + ".");
      if (selected === i) openPanel(i);
    });
  }
  function resetView() {
    state.expanded = [];
    return changed(true);
  }
  /* zoom out just enough that the opened node's new neighbours are on screen too */
  function keepAddedInView(i) {
    var ids = [i];
    addedBy.forEach(function (x, n) { if (x === i) ids.push(n); });
    var at = network.getPositions(ids), area = freeArea();
    var outside = ids.some(function (n) {
      var d = network.canvasToDOM(at[n]);
      return d.x < area.left || d.x > area.right || d.y < area.top || d.y > area.bottom;
    });
    if (outside) fitShown();
  }

  hopsSelect.addEventListener("change", function () {
    if (state.ego !== null) showEgo(state.ego, parseInt(hopsSelect.value, 10));
  });
  $("kg-ego-exit").addEventListener("click", function () { exitEgo(); searchInput.focus(); });
  $("kg-view-reset").addEventListener("click", function () { resetView(); });
  window.addEventListener("popstate", function () { if (ready) applyHash(false); });
  window.addEventListener("hashchange", function () { if (ready && location.hash !== lastApplied) applyHash(false); });
  var lastApplied = null;
  window.addEventListener("popstate", function () { lastApplied = location.hash; });

  // ------------------------------------------------------------ keyboard and view buttons

  function zoom(factor) {
    network.moveTo({ scale: network.getScale() * factor, animation: animate ? { duration: 200 } : false });
    labelSoon();
  }
  function pan(dx, dy) {
    var p = network.getViewPosition(), s = network.getScale();
    network.moveTo({ position: { x: p.x + dx / s, y: p.y + dy / s }, animation: false });
    labelSoon();
  }
  $("kg-zoom-in").addEventListener("click", function () { zoom(1.4); });
  $("kg-zoom-out").addEventListener("click", function () { zoom(1 / 1.4); });
  $("kg-fit").addEventListener("click", fitShown);
  container.addEventListener("keydown", function (event) {
    var key = event.key, step = event.shiftKey ? 300 : 80;
    var chosen = network.getSelectedNodes();
    if (key === "ArrowLeft") pan(-step, 0);
    else if (key === "ArrowRight") pan(step, 0);
    else if (key === "ArrowUp") pan(0, -step);
    else if (key === "ArrowDown") pan(0, step);
    else if (key === "+" || key === "=") zoom(1.25);
    else if (key === "-" || key === "_") zoom(0.8);
    else if (key === "0") fitShown();
    else if ((key === "e" || key === "E") && chosen.length) expand(chosen[0]);
    else if ((key === "c" || key === "C") && chosen.length) collapse(chosen[0]);
    else if (key === "Enter") {
      if (chosen.length) openPanel(chosen[0]);
      else return;
    } else return;
    event.preventDefault();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !panel.hidden && list.hidden) closePanel();
  });

  // ------------------------------------------------------------ API for scripts and tests

  function iris(indices) { return indices.map(function (i) { return nodes[i].id; }); }
  window.kgMap = {
    network: network,
    nodes: visNodes,
    edges: visEdges,
    data: data,
    indexOf: function (iri) { var i = byId.get(iri); return i === undefined ? null : i; },
    iriOf: function (i) { return nodes[i] ? nodes[i].id : null; },
    edgeOf: function (from, to, predicate) {
      var a = byId.get(from), b = byId.get(to);
      var j = edgeAt.get(a + ">" + b + ">" + predicate);
      return j === undefined ? null : j;
    },
    selectedIris: function () { return iris(network.getSelectedNodes()); },
    shownIris: function () { return iris(loaded.filter(function (i) { return shownNodes[i]; })); },
    shownCount: function () { return { nodes: shown.nodes, edges: shown.edges }; },
    loadedCount: function () { return loaded.length; },
    search: function (text) { return search(text).map(function (r) { return r.i !== null ? nodes[r.i].id : r.iri; }); },
    select: function (iri) { var i = byId.get(iri); if (i !== undefined) selectNode(i, { panel: true }); return i !== undefined; },
    openLink: function (j) { network.selectEdges([j]); openEdgePanel(j); },
    expand: function (iri) { return findIndex(iri).then(function (i) { return i === null ? false : ensureNode(i).then(function () { flushAdded(); return expand(i); }).then(function () { return true; }); }); },
    collapse: function (iri) { var i = byId.get(iri); return i === undefined ? Promise.resolve(false) : collapse(i).then(function () { return true; }); },
    reset: resetView,
    idle: function () { return busy.then(function () { return pending; }); },
    /** on-screen size (CSS px) of a node's label at the current zoom (the ego's, or the selected node's) */
    labelPixels: function (iri) {
      var i = iri ? byId.get(iri) : (state.ego !== null ? state.ego : network.getSelectedNodes()[0]);
      return i === undefined || i === null ? network.getScale() * BASE_FONT : network.getScale() * fontOf(i);
    },
    /** IRIs of the nodes whose labels are kept readable in this view */
    featuredIris: function () { return iris(Array.from(nodeFont.keys())); },
    state: state,
    applyFilters: applyFilters
  };

  applyFilters(false);
})();
