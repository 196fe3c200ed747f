/* The explorable map of the knowledge graph, drawn with vis-network.
 *
 * Reads window.KG_MAP (written by kg.view.map_data_js) and the page's controls
 * (viz/site/templates/map.html): search by any name or acronym, filters by
 * type, link, publisher and date, a side panel for the selected node or link,
 * and the neighbourhood of one node (#node=<IRI>&hops=1..3). Works from
 * file:// with no other host. window.kgMap is the API for tests and scripts;
 * window.kgMapReady is set (performance.now()) once the map is drawn.
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

  var nodes = data.nodes;
  var edges = data.edges;
  var typeOf = {};
  data.types.forEach(function (t) { typeOf[t.key] = t; });
  var relationOf = {};  // predicate -> relation filter entry
  data.relations.forEach(function (r) { r.predicates.forEach(function (p) { relationOf[p] = r; }); });
  var fallbackType = { key: "Concept", label: "Other", color: "#a9b4b5", shape: "ellipse" };
  var fallbackRelation = { key: "default", label: "related", color: "#999999", dashes: false };
  var byId = new Map();
  nodes.forEach(function (n, i) { byId.set(n.id, i); });
  var adjacency = nodes.map(function () { return []; });  // [neighbour index, edge index]
  edges.forEach(function (e, j) {
    adjacency[e.from].push([e.to, j]);
    adjacency[e.to].push([e.from, j]);
  });

  function typeFor(n) { return typeOf[n.type] || fallbackType; }
  function relationFor(e) { return relationOf[e.predicate] || fallbackRelation; }
  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }
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

  // ------------------------------------------------------------ vis data sets

  /* Big maps (positions computed ahead, no physics) get their labels lazily: a label is only
     readable when zoomed in, so nodes and links are labelled as they come into such a view.
     That keeps the first drawing fast and boxes small on the overview. */
  var lazy = !data.physics;
  var LABEL_SCALE = 0.3;
  var animate = !reduceMotion && !lazy;  // vis animates by frames: too slow where a frame is costly
  var nodeLabelled = new Uint8Array(nodes.length);
  var edgeLabelled = new Uint8Array(edges.length);

  var visNodes = new vis.DataSet(nodes.map(function (n, i) {
    var t = typeFor(n);
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
      hidden: false
    };
    if (!inside(t.shape)) node.size = Math.round(9 + Math.min(16, Math.sqrt(n.degree || 0) * 2.5));
    if (n.x !== undefined) { node.x = n.x; node.y = n.y; }
    return node;
  }));
  var visEdges = new vis.DataSet(edges.map(function (e, j) {
    var r = relationFor(e);
    var edge = {
      id: j, from: e.from, to: e.to, label: lazy ? undefined : r.label,
      title: r.label + (e.evidence ? " (" + plural(e.evidence, "quoted sentence", "quoted sentences") + ")" : ""),
      color: { color: r.color, highlight: "#102a43", hover: "#102a43" },
      dashes: !!r.dashes, hidden: false
    };
    if (e.evidence && e.predicate !== "mentions") edge.width = Math.min(4, 1 + Math.log2(e.evidence));
    return edge;
  }));

  timings.datasets = performance.now();

  // ------------------------------------------------------------ filter state and visibility

  var dates = data.dates;
  var state = {
    types: new Set(data.types.map(function (t) { return t.key; })),
    relations: new Set(data.relations.map(function (r) { return r.key; })),
    publisher: "",
    from: dates ? dates.min : null,
    to: dates ? dates.max : null,
    undated: true,
    ego: null,
    hops: 1
  };
  var shownNodes = new Uint8Array(nodes.length).fill(1);
  var shownEdges = new Uint8Array(edges.length).fill(1);
  var shown = { nodes: nodes.length, edges: edges.length };

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

  function computeVisible() {
    var keep = new Uint8Array(nodes.length);
    var narrowed = documentsFiltered();
    var i;
    for (i = 0; i < nodes.length; i++) {
      var n = nodes[i];
      if (!state.types.has(typeFor(n).key)) continue;
      if (n.document) { if (!narrowed || documentPasses(n)) keep[i] = 1; }
      else keep[i] = 2;  // decided below, once documents are known
    }
    for (i = 0; i < nodes.length; i++) {
      if (keep[i] !== 2) continue;
      if (!narrowed) { keep[i] = 1; continue; }
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
    }
    if (state.ego !== null) {
      var reach = neighbourhood(state.ego, state.hops, keep);
      for (i = 0; i < nodes.length; i++) keep[i] = reach.has(i) ? 1 : 0;
    }
    return keep;
  }

  /* nodes within `hops` links of `start`, walking only over shown nodes and switched-on links */
  function neighbourhood(start, hops, keep) {
    var seen = new Set([start]);
    var frontier = [start];
    for (var step = 0; step < hops && frontier.length; step++) {
      var next = [];
      frontier.forEach(function (i) {
        adjacency[i].forEach(function (pair) {
          var other = pair[0];
          if (seen.has(other) || !keep[other] || !relationOn(edges[pair[1]])) return;
          seen.add(other);
          next.push(other);
        });
      });
      frontier = next;
    }
    return seen;
  }

  function applyFilters(fit) {
    var keep = computeVisible();
    var nodeChanges = [], edgeChanges = [];
    var countN = 0, countE = 0, i;
    for (i = 0; i < nodes.length; i++) {
      var on = keep[i] ? 1 : 0;
      countN += on;
      if (on !== shownNodes[i]) { shownNodes[i] = on; nodeChanges.push({ id: i, hidden: !on }); }
    }
    for (i = 0; i < edges.length; i++) {
      var e = edges[i];
      var onE = (keep[e.from] && keep[e.to] && relationOn(e)) ? 1 : 0;
      countE += onE;
      if (onE !== shownEdges[i]) { shownEdges[i] = onE; edgeChanges.push({ id: i, hidden: !onE }); }
    }
    if (nodeChanges.length) visNodes.update(nodeChanges);
    if (edgeChanges.length) visEdges.update(edgeChanges);
    shown = { nodes: countN, edges: countE };
    countEl.textContent = plural(countN, "node", "nodes") + ", " + plural(countE, "link", "links");
    countEl.title = "shown, of " + plural(nodes.length, "node", "nodes") + " and " + plural(edges.length, "link", "links");
    if (selected !== null && !shownNodes[selected]) closePanel();
    if (fit && network) fitShown();
  }

  // ------------------------------------------------------------ the network

  var container = $("kg-network");
  var options = data.options || {};
  var network = new vis.Network(container, { nodes: [], edges: [] }, options);
  var selected = null;       // node index whose panel is open
  var selectedEdge = null;   // edge index whose panel is open
  var ready = false;

  function fitShown() {
    var ids = [];
    for (var i = 0; i < nodes.length; i++) if (shownNodes[i]) ids.push(i);
    if (!ids.length) return;
    network.fit(ids.length === nodes.length ? { animation: false } : { nodes: ids, animation: false });
    if (ids.length === 1) network.moveTo({ scale: 1.2, animation: false });
    var width = container.clientWidth, free = width - (panel.hidden ? 0 : panel.offsetWidth + 16);
    if (!panel.hidden && free > 320) {  // keep the drawing clear of the open panel
      var scale = network.getScale() * free / width, at = network.getViewPosition();
      network.moveTo({ scale: scale, position: { x: at.x + (width - free) / 2 / scale, y: at.y }, animation: false });
    }
    labelSoon();
  }

  function markReady() {
    if (ready) return;
    ready = true;
    timings.drawn = performance.now();
    applyHash(true);
    window.kgMapReady = performance.now();
    app.setAttribute("data-ready", "true");
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
  if (!nodes.length) setTimeout(markReady, 0);

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
    fact("Links on the map", String(adjacency[i].length));
    var others = (n.labels || []).filter(function (name) { return name !== n.label; });
    if (others.length) fact("Other names", others.join(", "));
    panelBody.appendChild(facts);

    var actions = el("p", { className: "kg-panel-actions" });
    if (withPages && n.page) {
      actions.appendChild(el("a", { href: root + n.page, className: "kg-page-link", text: "Open the page for " + short(n.label, 60) }));
    }
    var egoButton = el("button", { type: "button", className: "kg-ego-button", text: state.ego === i ? "Neighbours shown" : "Show only its neighbours" });
    egoButton.addEventListener("click", function () { setHash(i, state.ego === i ? state.hops : 1); });
    actions.appendChild(egoButton);
    panelBody.appendChild(actions);

    var links = adjacency[i].filter(function (pair) { return shownEdges[pair[1]]; });
    if (links.length) {
      panelBody.appendChild(el("h3", { text: "Links (" + links.length + ")" }));
      var list = el("ul", { className: "kg-panel-links" });
      links.slice(0, 40).forEach(function (pair) {
        var e = edges[pair[1]], r = relationFor(e);
        var outgoing = e.from === i;
        var item = el("li", {}, [
          el("span", { className: "kg-relation", text: outgoing ? r.label + " →" : "← " + r.label }),
          " ", nodeButton(pair[0])
        ]);
        list.appendChild(item);
      });
      panelBody.appendChild(list);
      if (links.length > 40) panelBody.appendChild(el("p", { className: "kg-help", text: "and " + (links.length - 40) + " more: see its page or the neighbours view." }));
    }
    panel.hidden = false;
  }

  function openEdgePanel(j) {
    var e = edges[j], r = relationFor(e);
    selected = null;
    selectedEdge = j;
    panelBody.textContent = "";
    panelBody.appendChild(el("h2", { id: "kg-panel-title", text: "Link: " + r.label }));
    panelBody.appendChild(el("p", { className: "kg-panel-type" }, [lineIcon(r), r.label]));
    var list = el("ul", { className: "kg-panel-links" });
    list.appendChild(el("li", {}, [el("span", { className: "kg-relation", text: "from" }), " ", nodeButton(e.from)]));
    list.appendChild(el("li", {}, [el("span", { className: "kg-relation", text: "to" }), " ", nodeButton(e.to)]));
    panelBody.appendChild(list);
    panelBody.appendChild(el("p", {
      text: e.evidence ? "Backed by " + plural(e.evidence, "quoted sentence", "quoted sentences") + " in the documents."
        : (e.predicate === "publisher" ? "From the document's details." : "From the vocabulary.")
    }));
    panel.hidden = false;
  }

  function closePanel() {
    var hadFocus = panel.contains(document.activeElement);
    panel.hidden = true;
    panelBody.textContent = "";
    selected = null;
    selectedEdge = null;
    if (network) network.unselectAll();
    if (hadFocus) searchInput.focus();
  }

  panelBody.addEventListener("click", function (event) {
    var button = event.target.closest("[data-node]");
    if (button) selectNode(Number(button.getAttribute("data-node")), { panel: true });
  });
  $("kg-panel-close").addEventListener("click", closePanel);

  /* select a node, bring it into view and open its panel; filters that hide it are lifted */
  function selectNode(i, how) {
    how = how || {};
    if (!shownNodes[i] && state.ego !== null) exitEgo(false);
    if (!shownNodes[i]) { resetFilters(); announce("The filters were reset to show " + nodes[i].label + "."); }
    network.selectNodes([i]);
    if (how.panel !== false) openPanel(i);
    // centre it in the part of the map the panel leaves free
    var free = container.clientWidth - (panel.hidden ? 0 : panel.offsetWidth + 16);
    network.focus(i, {
      scale: Math.max(network.getScale(), 1.0),
      offset: { x: free > 320 && !panel.hidden ? -(panel.offsetWidth + 16) / 2 : 0, y: 0 },
      animation: animate ? { duration: 400, easingFunction: "easeInOutQuad" } : false
    });
    labelSoon();
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
    if (!lazy || network.getScale() < LABEL_SCALE) return;
    var box = container.getBoundingClientRect();
    var a = network.DOMtoCanvas({ x: 0, y: 0 }), b = network.DOMtoCanvas({ x: box.width, y: box.height });
    var margin = 200, inView = [];
    for (var i = 0; i < nodes.length; i++) {
      var n = nodes[i];
      if (!nodeLabelled[i] && shownNodes[i] && n.x >= a.x - margin && n.x <= b.x + margin && n.y >= a.y - margin && n.y <= b.y + margin) inView.push(i);
    }
    labelAround(inView);
  }
  var labelTimer = null;
  function labelSoon() { if (lazy) { clearTimeout(labelTimer); labelTimer = setTimeout(labelInView, 120); } }
  network.on("zoom", labelSoon);
  network.on("dragEnd", function (params) {
    if (lazy && params.nodes.length) {  // keep our copy of moved nodes' places
      var moved = network.getPositions(params.nodes);
      params.nodes.forEach(function (i) { nodes[i].x = moved[i].x; nodes[i].y = moved[i].y; });
    }
    labelSoon();
  });
  network.on("animationFinished", labelSoon);

  network.on("click", function (params) {
    if (params.nodes.length) openPanel(params.nodes[0]);
    else if (params.edges.length) openEdgePanel(params.edges[0]);
    else closePanel();
  });

  // ------------------------------------------------------------ search

  var searchInput = $("kg-search");
  var list = $("kg-suggestions");
  var index = nodes.map(function (n) {
    var names = n.labels && n.labels.length ? n.labels : [n.label];
    return names.map(function (name, k) { return { text: fold(name), name: name, primary: name === n.label || k === 0 }; });
  });
  var results = [];
  var active = -1;

  var nodeOf = {};
  nodes.forEach(function (n, i) { nodeOf[n.id] = i; });

  /** With the site's name index (find.js), the names' rules of every other search rank first:
   * an entity the query names (plurals, spellings, acronyms), then names holding its words. */
  function ranked(query) {
    if (!window.KGFind) return { scores: {}, suggestions: [] };
    var answer = window.KGFind.find(query);
    var scores = {};
    answer.exact.forEach(function (e, k) { if (e.iri in nodeOf) scores[nodeOf[e.iri]] = k * 0.01 - 1; });
    answer.partial.forEach(function (e, k) {
      if (e.iri in nodeOf && !(nodeOf[e.iri] in scores)) scores[nodeOf[e.iri]] = 1 + k * 0.01;
    });
    var suggestions = answer.suggestions.filter(function (e) { return e.iri in nodeOf; });
    return { scores: scores, suggestions: suggestions };
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
    for (var i = 0; i < nodes.length; i++) {
      var best = null;
      var names = index[i];
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
        found.push({ i: nodeOf[e.iri], score: 10 + k, name: nodes[nodeOf[e.iri]].label, suggestion: true });
      });
    }
    found.sort(function (a, b) {
      return a.score - b.score || (nodes[b.i].degree || 0) - (nodes[a.i].degree || 0) ||
        nodes[a.i].label.localeCompare(nodes[b.i].label);
    });
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
      var n = nodes[r.i], t = typeFor(n);
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
    searchInput.value = nodes[r.i].label;
    closeSuggestions();
    selectNode(r.i, { panel: true });
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
    var label = el("label", { "for": id }, labelChildren.concat([el("span", { className: "kg-n", text: " " + count })]));
    return el("li", {}, [input, label]);
  }
  var typeList = document.querySelector("#kg-types .kg-checks");
  data.types.forEach(function (t) { typeList.appendChild(checkbox("kg-type", t.key, [shapeIcon(t), " " + t.label], t.count)); });
  var relationList = document.querySelector("#kg-relations .kg-checks");
  data.relations.forEach(function (r) { relationList.appendChild(checkbox("kg-rel", r.key, [lineIcon(r), " " + r.label], r.count)); });

  function readChecks(fieldset, set) {
    set.clear();
    fieldset.querySelectorAll("input[type=checkbox]").forEach(function (c) { if (c.checked) set.add(c.value); });
  }
  $("kg-types").addEventListener("change", function () { readChecks($("kg-types"), state.types); applyFilters(false); });
  $("kg-relations").addEventListener("change", function () { readChecks($("kg-relations"), state.relations); applyFilters(false); });
  document.querySelectorAll("[data-all],[data-none]").forEach(function (button) {
    button.addEventListener("click", function () {
      var fieldset = $(button.getAttribute("data-all") || button.getAttribute("data-none"));
      var on = button.hasAttribute("data-all");
      fieldset.querySelectorAll("input[type=checkbox]").forEach(function (c) { c.checked = on; });
      fieldset.dispatchEvent(new Event("change"));
    });
  });

  var publisherSelect = $("kg-publisher");
  var documentCount = nodes.filter(function (n) { return n.document; }).length;
  var withoutPublisher = nodes.filter(function (n) { return n.document && !n.publisher; }).length;
  data.publishers.forEach(function (p) { publisherSelect.appendChild(el("option", { value: p.label, text: p.label + " (" + p.count + ")" })); });
  if (withoutPublisher && data.publishers.length) publisherSelect.appendChild(el("option", { value: "\u0000none", text: "Not stated (" + withoutPublisher + ")" }));
  if (!documentCount) $("kg-documents").hidden = true;
  if (!data.publishers.length) { publisherSelect.hidden = true; document.querySelector("label[for=kg-publisher]").hidden = true; }
  publisherSelect.addEventListener("change", function () { state.publisher = publisherSelect.value; applyFilters(false); });

  var fromInput = $("kg-from"), toInput = $("kg-to"), undatedInput = $("kg-undated");
  if (dates) {
    [fromInput, toInput].forEach(function (input) { input.min = dates.min; input.max = dates.max; });
    fromInput.value = dates.min;
    toInput.value = dates.max;
  } else {
    $("kg-dates").hidden = true;
  }
  function readDates() {
    if (!dates) return;
    var a = parseInt(fromInput.value, 10), b = parseInt(toInput.value, 10);
    state.from = isNaN(a) ? dates.min : a;
    state.to = isNaN(b) ? dates.max : b;
    state.undated = undatedInput.checked;
    applyFilters(false);
  }
  [fromInput, toInput].forEach(function (input) { input.addEventListener("change", readDates); input.addEventListener("input", readDates); });
  undatedInput.addEventListener("change", function () { state.undated = undatedInput.checked; applyFilters(false); });

  function resetFilters() {
    document.querySelectorAll("#kg-types input, #kg-relations input").forEach(function (c) { c.checked = true; });
    readChecks($("kg-types"), state.types);
    readChecks($("kg-relations"), state.relations);
    publisherSelect.value = "";
    state.publisher = "";
    undatedInput.checked = true;
    state.undated = true;
    if (dates) { fromInput.value = dates.min; toInput.value = dates.max; state.from = dates.min; state.to = dates.max; }
    applyFilters(false);
  }
  $("kg-reset").addEventListener("click", function () { resetFilters(); announce(""); });

  // ------------------------------------------------------------ neighbourhood (#node=IRI&hops=N)

  var egoBox = $("kg-ego"), egoText = $("kg-ego-text"), hopsSelect = $("kg-hops");
  function parseHash() {
    var params = new URLSearchParams(location.hash.replace(/^#/, ""));
    var hops = parseInt(params.get("hops"), 10);
    return { node: params.get("node"), hops: hops >= 1 && hops <= 3 ? hops : null };
  }
  function setHash(i, hops) {
    var hash = "#node=" + encodeURIComponent(nodes[i].id) + "&hops=" + hops;
    if (location.hash === hash) applyHash(false);
    else location.hash = hash;  // a new history entry: Back returns to the view before
  }
  function announce(text) { $("kg-note").textContent = text; }

  function applyHash(first) {
    var wanted = parseHash();
    if (!wanted.node) { if (state.ego !== null) exitEgo(true); return; }
    var i = byId.get(wanted.node);
    if (i === undefined) {
      state.ego = null;
      egoBox.hidden = false;
      hopsSelect.disabled = true;
      egoText.textContent = "That entity or document is not on the map (no document mentions it yet).";
      applyFilters(true);
      return;
    }
    hopsSelect.disabled = false;
    if (wanted.hops === null) {  // just pick the node out on the whole map
      state.ego = null;
      egoBox.hidden = true;
      applyFilters(false);
      if (first) fitShown();
      selectNode(i, { panel: true });
      return;
    }
    state.ego = i;
    state.hops = wanted.hops;
    hopsSelect.value = String(wanted.hops);
    applyFilters(false);
    egoBox.hidden = false;
    egoText.textContent = "Showing " + nodes[i].label + " and what is within " + plural(state.hops, "link", "links") +
      " of it (" + plural(shown.nodes, "node", "nodes") + ").";
    network.selectNodes([i]);
    openPanel(i);
    fitShown();
  }
  function exitEgo(fromHash) {
    state.ego = null;
    egoBox.hidden = true;
    if (!fromHash && location.hash) {
      try { history.pushState(null, "", location.pathname + location.search); } catch (err) { location.hash = ""; }
    }
    applyFilters(true);
  }
  hopsSelect.addEventListener("change", function () {
    if (state.ego !== null) setHash(state.ego, parseInt(hopsSelect.value, 10));
  });
  $("kg-ego-exit").addEventListener("click", function () { exitEgo(false); searchInput.focus(); });
  window.addEventListener("hashchange", function () { if (ready) applyHash(false); });
  window.addEventListener("popstate", function () { if (ready) applyHash(false); });

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
    if (key === "ArrowLeft") pan(-step, 0);
    else if (key === "ArrowRight") pan(step, 0);
    else if (key === "ArrowUp") pan(0, -step);
    else if (key === "ArrowDown") pan(0, step);
    else if (key === "+" || key === "=") zoom(1.25);
    else if (key === "-" || key === "_") zoom(0.8);
    else if (key === "0") fitShown();
    else if (key === "Enter") {
      var chosen = network.getSelectedNodes();
      if (chosen.length) openPanel(chosen[0]);
      else return;
    } else return;
    event.preventDefault();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !panel.hidden && list.hidden) closePanel();
  });

  // ------------------------------------------------------------ API for scripts and tests

  window.kgMap = {
    network: network,
    nodes: visNodes,
    edges: visEdges,
    data: data,
    indexOf: function (iri) { var i = byId.get(iri); return i === undefined ? null : i; },
    iriOf: function (i) { return nodes[i] ? nodes[i].id : null; },
    selectedIris: function () { return network.getSelectedNodes().map(function (i) { return nodes[i].id; }); },
    shownIris: function () { var out = []; for (var i = 0; i < nodes.length; i++) if (shownNodes[i]) out.push(nodes[i].id); return out; },
    shownCount: function () { return { nodes: shown.nodes, edges: shown.edges }; },
    search: function (text) { return search(text).map(function (r) { return nodes[r.i].id; }); },
    select: function (iri) { var i = byId.get(iri); if (i !== undefined) selectNode(i, { panel: true }); return i !== undefined; },
    state: state,
    applyFilters: applyFilters
  };

  applyFilters(false);
})();
