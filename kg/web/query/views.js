/* Views of a SELECT result besides the table, offered where the data suits them (query.js shows the choice):
 *
 *   timeline  a column whose every value is a date, month or year: each row a dot on a line of years;
 *   bars      a column of numbers beside a column of names: a bar per row, longest first;
 *   graph     two columns of IRIs: each row a link between two nodes, laid out by a small force simulation.
 *
 * Drawn as SVG with createElementNS and textContent only (nothing is parsed as HTML, nothing is fetched).
 * Every dot, bar and node links to its page through the query page's own "page?iri=" address.
 * window.KGViews.available(result, helpers) lists the views that suit a result:
 *   [{id, label, render: function () { return node; }}]
 * helpers: {shortIri(iri), pageHref(iri), localType(datatype), readableDate(value, type), numeric(type)}. */
(function () {
  "use strict";

  var SVG = ["http:", "", "www.w3.org", "2000", "svg"].join("/");  // the SVG namespace's name (no address is asked)
  var MAX_POINTS = 500, MAX_BARS = 40, MAX_NODES = 150, MAX_EDGES = 400;
  var DATE_TYPES = ["date", "dateTime", "gYear", "gYearMonth"];

  function svg(tag, attributes, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attributes || {}).forEach(function (key) { node.setAttribute(key, String(attributes[key])); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function titled(node, text) {
    node.appendChild(svg("title", {}, text));
    return node;
  }

  /** A link round an SVG piece when the IRI has a page (through page?iri=, as the table's links). */
  function linked(node, iri, helpers) {
    if (!iri) return node;
    var a = svg("a", { href: helpers.pageHref(iri), class: "chart-link" });
    a.appendChild(node);
    return a;
  }

  function variables(result) { return (result.head && result.head.vars) || []; }
  function bindings(result) { return (result.results && result.results.bindings) || []; }

  function every(rows, v, test) {
    var seen = 0;
    for (var i = 0; i < rows.length; i++) {
      var term = rows[i][v];
      if (!term) continue;
      if (!test(term)) return false;
      seen++;
    }
    return seen >= 2;
  }

  /** The name to show for a row's IRI column: its ?xLabel / ?xName / ?xTitle column, else the short IRI. */
  function nameOf(row, v, vars, helpers) {
    var names = [v + "Label", v + "Name", v + "Title"];
    if (["document", "doc", "entity", "item", "s"].indexOf(v) >= 0) names = names.concat(["title", "label", "name"]);
    for (var i = 0; i < names.length; i++) {
      if (vars.indexOf(names[i]) >= 0 && row[names[i]] && row[names[i]].type === "literal") return row[names[i]].value;
    }
    var term = row[v];
    if (!term) return "";
    return term.type === "uri" ? helpers.shortIri(term.value) : term.value;
  }

  /** The IRI a row stands for: its first IRI column. */
  function rowIri(row, vars) {
    for (var i = 0; i < vars.length; i++) if (row[vars[i]] && row[vars[i]].type === "uri") return { v: vars[i], iri: row[vars[i]].value };
    return null;
  }

  function isDate(helpers) {
    return function (term) {
      if (term.type !== "literal") return false;
      var type = helpers.localType(term.datatype);
      return DATE_TYPES.indexOf(type) >= 0 && /^\d{4}/.test(term.value);
    };
  }

  function isNumber(helpers) {
    return function (term) { return term.type === "literal" && helpers.numeric(helpers.localType(term.datatype)) && !isNaN(Number(term.value)); };
  }

  /** A date, month or year as a fraction of years (2018-07-01 → 2018.5). */
  function yearsOf(value) {
    var m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(value);
    var year = parseInt(m[1], 10), month = m[2] ? parseInt(m[2], 10) - 1 : 0, day = m[3] ? parseInt(m[3], 10) - 1 : 0;
    return year + (month + day / 31) / 12;
  }

  function frame(kind, width, height, label) {
    var root = svg("svg", { class: "chart chart-" + kind, viewBox: "0 0 " + width + " " + height, role: "figure", "aria-label": label });
    root.style.maxWidth = width + "px";
    return root;
  }

  // ------------------------------------------------------------------ timeline

  function timeline(result, v, helpers) {
    var vars = variables(result);
    var rows = bindings(result).filter(function (row) { return row[v]; }).slice(0, MAX_POINTS);
    var points = rows.map(function (row) {
      var subject = rowIri(row, vars);
      var other = subject ? nameOf(row, subject.v, vars, helpers) : "";
      var shown = helpers.readableDate(row[v].value, helpers.localType(row[v].datatype)) || row[v].value;
      return { at: yearsOf(row[v].value), text: (other ? other + ": " : "") + shown, iri: subject && subject.iri };
    }).sort(function (a, b) { return a.at - b.at; });
    var first = Math.floor(points[0].at), last = Math.floor(points[points.length - 1].at) + 1;
    var width = 900, left = 30, right = 30, perYear = {};
    var x = function (at) { return left + (at - first) / Math.max(1, last - first) * (width - left - right); };
    var stacked = points.map(function (p) {
      var bucket = Math.round(x(p.at) / 8);
      perYear[bucket] = (perYear[bucket] || 0) + 1;
      return { p: p, level: perYear[bucket] - 1 };
    });
    var tallest = Math.max.apply(null, stacked.map(function (s) { return s.level; })) + 1;
    var axis = 40 + Math.min(tallest, 40) * 12, height = axis + 40;
    var root = frame("timeline", width, height,
      "A timeline of " + points.length + " rows by ?" + v + ", " + first + " to " + (last - 1));
    root.setAttribute("data-count", String(points.length));
    root.appendChild(svg("line", { x1: left, x2: width - right, y1: axis, y2: axis, class: "axis" }));
    var step = Math.max(1, Math.ceil((last - first) / 12));
    for (var year = first; year <= last; year += step) {
      root.appendChild(svg("line", { x1: x(year), x2: x(year), y1: axis, y2: axis + 6, class: "tick" }));
      root.appendChild(svg("text", { x: x(year), y: axis + 22, "text-anchor": "middle", class: "tick-label" }, String(year)));
    }
    stacked.forEach(function (s) {
      var dot = titled(svg("circle", { cx: x(s.p.at), cy: axis - 8 - Math.min(s.level, 39) * 12, r: 5, class: "point" }), s.p.text);
      root.appendChild(linked(dot, s.p.iri, helpers));
    });
    return root;
  }

  // ------------------------------------------------------------------ bars

  function bars(result, valueVar, nameVar, helpers) {
    var vars = variables(result);
    var rows = bindings(result).filter(function (row) { return row[valueVar]; }).map(function (row) {
      var term = row[nameVar];
      return {
        value: Number(row[valueVar].value),
        name: term ? nameOf(row, nameVar, vars, helpers) : "(none)",
        iri: term && term.type === "uri" ? term.value : (rowIri(row, vars) || {}).iri
      };
    }).sort(function (a, b) { return b.value - a.value; }).slice(0, MAX_BARS);
    var biggest = Math.max.apply(null, rows.map(function (r) { return Math.abs(r.value); })) || 1;
    var width = 900, labelWidth = 320, row = 24, height = rows.length * row + 10;
    var root = frame("bars", width, height, "A bar chart of ?" + valueVar + " by ?" + nameVar + ", " + rows.length + " bars");
    root.setAttribute("data-count", String(rows.length));
    rows.forEach(function (r, i) {
      var y = 5 + i * row;
      var name = r.name.length > 48 ? r.name.slice(0, 47) + "…" : r.name;
      root.appendChild(linked(titled(svg("text", { x: labelWidth - 8, y: y + 16, "text-anchor": "end", class: "bar-label" }, name), r.name), r.iri, helpers));
      var length = Math.max(1, Math.abs(r.value) / biggest * (width - labelWidth - 70));
      var bar = titled(svg("rect", { x: labelWidth, y: y + 3, width: length, height: row - 8, class: "bar", "data-value": r.value }),
        r.name + ": " + r.value.toLocaleString("en-GB"));
      root.appendChild(bar);
      root.appendChild(svg("text", { x: labelWidth + length + 6, y: y + 16, class: "bar-value" }, r.value.toLocaleString("en-GB")));
    });
    return root;
  }

  // ------------------------------------------------------------------ graph

  function graph(result, a, b, helpers) {
    var vars = variables(result);
    var link = ["p", "predicate", "relation", "property"].filter(function (v) { return vars.indexOf(v) >= 0; })[0];
    var nodes = [], index = {}, edges = [];
    function node(row, v) {
      var iri = row[v].value;
      if (!(iri in index)) {
        if (nodes.length >= MAX_NODES) return -1;
        index[iri] = nodes.length;
        nodes.push({ iri: iri, name: nameOf(row, v, vars, helpers), x: 0, y: 0, dx: 0, dy: 0 });
      }
      return index[iri];
    }
    bindings(result).forEach(function (row) {
      if (edges.length >= MAX_EDGES || !row[a] || !row[b] || row[a].type !== "uri" || row[b].type !== "uri") return;
      var s = node(row, a), o = node(row, b);
      if (s < 0 || o < 0 || s === o) return;
      edges.push({ s: s, o: o, text: link && row[link] ? helpers.shortIri(row[link].value) : "" });
    });
    var n = nodes.length;
    nodes.forEach(function (d, i) { d.x = Math.cos(2 * Math.PI * i / n) * 200; d.y = Math.sin(2 * Math.PI * i / n) * 200; });
    for (var step = 0; step < 300; step++) {  // repulsion between every pair, springs along links, a pull to the centre
      var heat = 1 - step / 300;
      for (var i = 0; i < n; i++) {
        for (var j = i + 1; j < n; j++) {
          var dx = nodes[i].x - nodes[j].x, dy = nodes[i].y - nodes[j].y, d2 = dx * dx + dy * dy + 0.01;
          var push = 2000 / d2;
          nodes[i].dx += dx * push; nodes[i].dy += dy * push; nodes[j].dx -= dx * push; nodes[j].dy -= dy * push;
        }
      }
      edges.forEach(function (e) {
        var s = nodes[e.s], o = nodes[e.o], dx = o.x - s.x, dy = o.y - s.y, d = Math.sqrt(dx * dx + dy * dy) + 0.01;
        var pull = (d - 90) / d * 0.1;
        s.dx += dx * pull; s.dy += dy * pull; o.dx -= dx * pull; o.dy -= dy * pull;
      });
      nodes.forEach(function (d) {
        d.dx -= d.x * 0.01; d.dy -= d.y * 0.01;
        var speed = Math.sqrt(d.dx * d.dx + d.dy * d.dy), limit = 20 * heat + 1;
        if (speed > limit) { d.dx *= limit / speed; d.dy *= limit / speed; }
        d.x += d.dx; d.y += d.dy; d.dx = 0; d.dy = 0;
      });
    }
    var xs = nodes.map(function (d) { return d.x; }), ys = nodes.map(function (d) { return d.y; });
    var minX = Math.min.apply(null, xs) - 120, maxX = Math.max.apply(null, xs) + 120;
    var minY = Math.min.apply(null, ys) - 30, maxY = Math.max.apply(null, ys) + 30;
    var root = frame("graph", Math.round(maxX - minX), Math.round(maxY - minY),
      "A graph of " + n + " nodes and " + edges.length + " links from ?" + a + " to ?" + b);
    root.setAttribute("viewBox", [minX, minY, maxX - minX, maxY - minY].map(Math.round).join(" "));
    root.style.maxWidth = "100%";
    root.setAttribute("data-nodes", String(n));
    root.setAttribute("data-edges", String(edges.length));
    edges.forEach(function (e) {
      var s = nodes[e.s], o = nodes[e.o];
      var line = svg("line", { x1: s.x, y1: s.y, x2: o.x, y2: o.y, class: "edge" });
      root.appendChild(titled(line, s.name + (e.text ? " " + e.text + " " : " → ") + o.name));
    });
    nodes.forEach(function (d) {
      var group = svg("g", { class: "node", transform: "translate(" + d.x.toFixed(1) + "," + d.y.toFixed(1) + ")" });
      group.appendChild(svg("circle", { r: 6 }));
      group.appendChild(svg("text", { x: 9, y: 4, class: "node-label" }, d.name.length > 40 ? d.name.slice(0, 39) + "…" : d.name));
      root.appendChild(linked(titled(group, d.name), d.iri, helpers));
    });
    return root;
  }

  // ------------------------------------------------------------------ which views suit a result

  function available(result, helpers) {
    var vars = variables(result), rows = bindings(result), views = [];
    if (rows.length < 2) return views;
    var dateVar = vars.filter(function (v) { return every(rows, v, isDate(helpers)); })[0];
    if (dateVar) views.push({ id: "timeline", label: "Timeline", render: function () { return timeline(result, dateVar, helpers); } });
    var numberVar = vars.filter(function (v) { return every(rows, v, isNumber(helpers)); })[0];
    var nameVar = vars.filter(function (v) {
      return v !== numberVar && v !== dateVar && !every(rows, v, isNumber(helpers)) && rows.some(function (r) { return r[v]; });
    })[0];
    if (numberVar && nameVar) views.push({ id: "bars", label: "Bar chart", render: function () { return bars(result, numberVar, nameVar, helpers); } });
    var iriVars = vars.filter(function (v) { return every(rows, v, function (t) { return t.type === "uri"; }); });
    var ends = iriVars.filter(function (v) { return ["p", "predicate", "relation", "property"].indexOf(v) < 0; });
    if (ends.length >= 2) views.push({ id: "graph", label: "Graph", render: function () { return graph(result, ends[0], ends[1], helpers); } });
    return views;
  }

  window.KGViews = { available: available };
})();
