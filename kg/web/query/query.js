/* The query page served at / by `kg serve`.
 *
 * Talks only to its own host: api/saved, api/saved/NAME, sparql, api/search, api/names and page, each
 * relative to the page's own address, so the page works behind a proxy that publishes the server
 * under a path (kg serve --base-url on a proxy path /kg/: the page at /kg/ asks /kg/sparql).
 * Text from the server or the user is only ever put on the page with textContent or
 * attribute setters, never parsed as HTML.
 */
(function () {
  "use strict";

  // ------------------------------------------------------------------ constants

  /** The prefixes kg/namespaces.py declares for every query. Their IRIs are asked of the server
   * (kgid: follows its KG_BASE), so this file names no other host. */
  var PREFIX_NAMES = ["kg", "kgid", "kgdoc", "rdf", "rdfs", "owl", "xsd", "skos", "dcterms", "schema",
    "prov", "org", "foaf", "oa", "sh"];
  /** Page names allowed by kg/pages.py; only IRIs under kgid: and kgdoc: have pages. */
  var PAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9._~-]*$/;
  var NUMERIC_TYPES = ["integer", "decimal", "double", "float", "int", "long", "short", "byte",
    "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger",
    "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte"];
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];
  var SEARCH_SHOWN = 8;           // matches shown before "Show all"
  var TABLE_ROWS = 500;           // rows the table shows; the downloads hold them all
  var ACCEPT = "application/sparql-results+json, application/json;q=0.9, text/turtle;q=0.8, text/plain;q=0.5, */*;q=0.1";

  var EXAMPLES = [
    {
      label: "Documents, newest first",
      text: "# Every document with its title and issue date, newest first\n" +
        "SELECT ?document ?title ?issued\nWHERE {\n  ?document a kg:Document ;\n            dcterms:title ?title .\n" +
        "  OPTIONAL { ?document dcterms:issued ?issued }\n}\nORDER BY DESC(?issued)\nLIMIT 50\n"
    },
    {
      label: "Care models and what they became",
      text: "# Care models that evolved into, or were superseded by, another\n" +
        "SELECT ?older ?olderName ?relation ?newer ?newerName\nWHERE {\n" +
        "  VALUES ?relation { kg:evolvesInto kg:supersedes }\n  ?older ?relation ?newer .\n" +
        "  ?older skos:prefLabel ?olderName .\n  ?newer skos:prefLabel ?newerName .\n}\nORDER BY ?olderName\n"
    },
    {
      label: "Documents that mention an entity, with the words used",
      text: "# Which documents mention integrated care systems, and the words they used\n" +
        "SELECT ?title ?exact\nWHERE {\n  ?document dcterms:title ?title ;\n" +
        "            schema:mentions kgid:integrated-care-system .\n" +
        "  GRAPH ?document { ?evidence oa:hasBody kgid:integrated-care-system ; oa:exact ?exact }\n}\nLIMIT 100\n"
    },
    {
      label: "Entities by type, with definitions",
      text: "# Every care model, organisation and concept with its type and definition\n" +
        "SELECT ?entity ?name ?typeName ?definition\nWHERE {\n  ?entity skos:prefLabel ?name ; a ?type .\n" +
        "  ?type rdfs:label ?typeName .\n  OPTIONAL { ?entity skos:definition ?definition }\n}\nORDER BY ?typeName ?name\n"
    },
    {
      label: "Is there a document published by NHS England? (yes/no)",
      text: "# An ASK query answers yes or no\nASK { ?document dcterms:publisher kgid:nhs-england }\n"
    },
    {
      label: "The statements behind relations (a graph, in Turtle)",
      text: "# A CONSTRUCT query returns triples, shown as Turtle\n" +
        "CONSTRUCT { ?s ?p ?o }\nWHERE {\n  VALUES ?p { kg:evolvesInto kg:supersedes }\n  ?s ?p ?o .\n}\n"
    }
  ];

  // ------------------------------------------------------------------ state

  var prefixes = {};              // prefix -> namespace IRI, as the server declares them
  var savedQueries = [];          // from /api/saved
  var savedByName = {};
  var editor = null;              // CodeMirror, or null when the textarea is used as it is
  var errorMark = null;           // the line marked by the last syntax error
  var running = null;             // AbortController of the run under way
  var runNumber = 0;
  var current = null;             // the last run: {kind, name, values, query, result}
  var searchNumber = 0;

  var $ = function (id) { return document.getElementById(id); };

  // ------------------------------------------------------------------ small helpers

  /** An element with attributes and children (strings become text nodes, never HTML). */
  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (key) {
      var value = attributes[key];
      if (value === null || value === undefined || value === false) return;
      if (key === "text") node.textContent = value;
      else if (key === "className") node.className = value;
      else node.setAttribute(key, value === true ? "" : String(value));
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function plural(count, one, many) {
    return count.toLocaleString("en-GB") + " " + (count === 1 ? one : many);
  }

  /** "reviewDue" or "review_due" as "Review due". */
  function humanise(name) {
    var words = name.replace(/_/g, " ").replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase().trim();
    return words.charAt(0).toUpperCase() + words.slice(1);
  }

  function todayIso() {
    var now = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());
  }

  function elapsedText(ms) {
    return ms < 1000 ? Math.round(ms) + " ms" : (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + " s";
  }

  // ------------------------------------------------------------------ IRIs

  function orderedPrefixes() {
    return Object.keys(prefixes).sort(function (a, b) { return prefixes[b].length - prefixes[a].length; });
  }

  /** An IRI in prefixed form when a declared prefix covers it (as kg.query.display does). */
  function shortIri(iri) {
    var names = orderedPrefixes();
    for (var i = 0; i < names.length; i++) {
      var ns = prefixes[names[i]];
      if (iri.length > ns.length && iri.lastIndexOf(ns, 0) === 0) return names[i] + ":" + iri.slice(ns.length);
    }
    return iri;
  }

  /** A prefixed name or <IRI> as a full IRI (for parameters typed by hand); otherwise null. */
  function expandIri(text) {
    text = text.trim();
    if (/^<.*>$/.test(text)) text = text.slice(1, -1);
    if (/^https?:\/\//.test(text)) return text;
    var match = /^([A-Za-z][A-Za-z0-9_.-]*):(.*)$/.exec(text);
    return match && prefixes[match[1]] ? prefixes[match[1]] + match[2] : null;
  }

  /** Whether the site has a page for this IRI (the rule of kg/pages.py). */
  function hasPage(iri) {
    return ["kgid", "kgdoc"].some(function (name) {
      var ns = prefixes[name];
      return ns && iri.lastIndexOf(ns, 0) === 0 && PAGE_NAME.test(iri.slice(ns.length));
    });
  }

  /** A server path (/id/x.html) as an address relative to this page, which sits at the server's root. */
  function relative(path) {
    return /^\/(?!\/)/.test(path) ? path.slice(1) : path;
  }

  /** Where the server is published (kg serve --base-url), else this page's own address. */
  function publishedBase() {
    var meta = document.querySelector('meta[name="kg-base-url"]');
    var base = meta && meta.getAttribute("content");
    return base ? base.replace(/\/?$/, "/") : location.origin + location.pathname;
  }

  function pageHref(iri) {
    return "page?iri=" + encodeURIComponent(iri);
  }

  /** An IRI as a link through /page: its page on the site, or for a vocabulary term the server's
   * note that it has none, which offers to describe it. */
  function iriNode(iri) {
    var title = hasPage(iri) ? iri : iri + " (no page of its own; the link offers to describe it)";
    return el("a", { href: pageHref(iri), title: title, className: "iri" + (hasPage(iri) ? "" : " iri-term") }, [shortIri(iri)]);
  }

  // ------------------------------------------------------------------ literals

  /** "date" for xsd:date and so on; null for other datatypes. */
  function localType(datatype) {
    var xsd = prefixes.xsd;
    return datatype && xsd && datatype.lastIndexOf(xsd, 0) === 0 ? datatype.slice(xsd.length) : null;
  }

  /** A date, month or year as people write them; null when the text is not one. */
  function readableDate(value, type) {
    var match;
    if (type === "date" && (match = /^(\d{4})-(\d{2})-(\d{2})/.exec(value))) {
      return parseInt(match[3], 10) + " " + MONTHS[parseInt(match[2], 10) - 1] + " " + match[1];
    }
    if (type === "dateTime" && (match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value))) {
      return parseInt(match[3], 10) + " " + MONTHS[parseInt(match[2], 10) - 1] + " " + match[1] + ", " + match[4] + ":" + match[5];
    }
    if (type === "gYearMonth" && (match = /^(\d{4})-(\d{2})/.exec(value))) {
      return MONTHS[parseInt(match[2], 10) - 1] + " " + match[1];
    }
    if (type === "gYear" && /^\d{4}/.test(value)) return value.slice(0, 4);
    return null;
  }

  /** How a cell is shown and sorted: {node, key, numeric}. */
  function cell(term) {
    if (!term) return { node: null, key: null, numeric: false };
    if (term.type === "uri") return { node: iriNode(term.value), key: shortIri(term.value).toLowerCase(), numeric: false };
    if (term.type === "bnode") return { node: el("span", { className: "bnode" }, ["_:" + term.value]), key: "_:" + term.value, numeric: false };
    if (term.type === "triple") return { node: el("span", {}, ["<< statement >>"]), key: "", numeric: false };
    var type = localType(term.datatype);
    if (type && NUMERIC_TYPES.indexOf(type) >= 0 && !isNaN(Number(term.value))) {
      var number = Number(term.value);
      return { node: el("span", { className: "number" }, [number.toLocaleString("en-GB", { maximumFractionDigits: 6 })]), key: number, numeric: true };
    }
    if (type === "boolean") {
      var yes = term.value === "true" || term.value === "1";
      return { node: el("span", {}, [yes ? "yes" : "no"]), key: yes ? "1" : "0", numeric: false };
    }
    var date = readableDate(term.value, type);
    if (date) {
      // months and years sort as their first day, so they interleave with whole dates
      var key = (term.value + "-01-01").slice(0, 10);
      return { node: el("time", { datetime: term.value }, [date]), key: key, numeric: false };
    }
    var attributes = term["xml:lang"] ? { lang: term["xml:lang"] } : {};
    return { node: el("span", attributes, [term.value]), key: term.value.toLowerCase(), numeric: false };
  }

  // ------------------------------------------------------------------ status and errors

  function setStatus(text) { $("status").textContent = text; }

  function showError(title, detail) {
    var box = $("error");
    clear(box);
    box.appendChild(el("p", { className: "error-title" }, [title]));
    if (detail) box.appendChild(el("pre", { className: "error-detail" }, [detail]));
    box.hidden = false;
  }

  function hideError() {
    $("error").hidden = true;
    clear($("error"));
    if (errorMark) { errorMark.clear(); errorMark = null; }
    if (editor) editor.eachLine(function (line) { editor.removeLineClass(line, "background", "syntax-error-line"); });
  }

  /** The message of an error response: a JSON {"error": ...} body, else its text. */
  function errorText(body, contentType) {
    var text = (body || "").trim();
    if (/json/.test(contentType || "")) {
      try {
        var parsed = JSON.parse(text);
        if (parsed && typeof parsed.error === "string") return parsed.error;
        if (parsed && typeof parsed.detail === "string") return parsed.detail;
        if (parsed && typeof parsed.message === "string") return parsed.message;
      } catch (ignored) { /* shown as text */ }
    }
    if (/html/.test(contentType || "")) {
      // shown as text only: parse without running or loading anything, keep the words
      var doc = new DOMParser().parseFromString(text, "text/html");
      text = (doc.body ? doc.body.textContent : text).replace(/\s+/g, " ").trim();
    }
    return text.length > 4000 ? text.slice(0, 4000) + " …" : text;
  }

  /** A heading for an error status (the server's own sentence is shown under it). */
  function errorTitle(status, message, kind) {
    if (status === 400) return kind === "saved" ? "The question could not be run with these details" : "The query has a mistake";
    if (status === 403) return "Not allowed: this service only reads the graph, it does not change it";
    if (status === 404) return kind === "saved" ? "There is no such ready-made question" : "Not found";
    if (status === 406) return "The server cannot give the results in that format";
    if (status === 413) return "The query is too long";
    if (status === 422) return "Too many results";
    if (status === 503 && /busy/i.test(message)) return "The server is busy";
    if (status === 503 || status === 504 || status === 408) return "The query took too long and was stopped";
    if (status >= 500) return "The server could not answer (error " + status + ")";
    return "The query failed (error " + status + ")";
  }

  /** Mark the line of a SPARQL syntax error ("error at 3:14: ...") in the editor. */
  function markSyntaxError(message) {
    var match = /\b(?:at|line)\s+(\d+):(\d+)/.exec(message);
    if (!match) return "";
    var line = parseInt(match[1], 10), column = parseInt(match[2], 10);
    if (editor && line >= 1 && line <= editor.lineCount()) {
      var ch = Math.max(0, column - 1);
      var end = Math.min(editor.getLine(line - 1).length, ch + 1);
      editor.addLineClass(line - 1, "background", "syntax-error-line");
      if (end > ch) {
        errorMark = editor.markText({ line: line - 1, ch: ch }, { line: line - 1, ch: end },
          { className: "syntax-error-mark", attributes: { title: "The mistake is here or just before" } });
      }
      editor.setCursor({ line: line - 1, ch: ch });
    }
    return "Look at line " + line + ", column " + column + ".";
  }

  // ------------------------------------------------------------------ results

  function renderAsk(result) {
    var answer = result.boolean ? "Yes" : "No";
    return el("p", { className: "ask-answer " + (result.boolean ? "ask-yes" : "ask-no") }, [answer]);
  }

  function renderGraph(text) {
    if (!text.trim()) return el("p", { className: "empty" }, ["No triples: the query ran but built an empty graph."]);
    return el("pre", { className: "turtle", tabindex: "0", "aria-label": "The graph, in Turtle" }, [text]);
  }

  /** Which IRI column a name column stands for, so its text links to that page: ?subjectLabel → ?subject,
   * and ?title, ?label or ?name → the row's document, entity or item (else its first IRI column). */
  function titleLinks(variables) {
    var links = {};
    variables.forEach(function (v) {
      var match = /^(.+?)(Label|Title|Name)$/.exec(v);
      if (match && variables.indexOf(match[1]) >= 0) { links[v] = match[1]; return; }
      if (/^(title|label|name)$/.test(v)) {
        var target = ["document", "entity", "item", "doc", "e", "s"].filter(function (t) { return variables.indexOf(t) >= 0; })[0];
        if (target) links[v] = target;
      }
    });
    return links;
  }

  function renderTable(result, humanNames) {
    var variables = (result.head && result.head.vars) || [];
    var bindings = (result.results && result.results.bindings) || [];
    if (!bindings.length) {
      return el("p", { className: "empty" }, ["No results: the query ran but nothing matched."]);
    }
    var linkTo = titleLinks(variables);
    var rows = bindings.slice(0, TABLE_ROWS).map(function (binding, index) {
      return { index: index, cells: variables.map(function (v) {
        var c = cell(binding[v]);
        var target = linkTo[v] && binding[linkTo[v]];
        if (c.node && target && target.type === "uri" && binding[v].type === "literal" && hasPage(target.value)) {
          c.node = el("a", { href: pageHref(target.value), className: "title-link" }, [c.node]);
        }
        return c;
      }) };
    });
    var numericColumn = variables.map(function (_, column) {
      return rows.every(function (row) { return row.cells[column].key === null || row.cells[column].numeric; });
    });
    var table = el("table", { className: "results" });
    var caption = el("caption", { className: "visually-hidden" },
      [plural(rows.length, "row", "rows") + ". Select a column heading to sort by it."]);
    table.appendChild(caption);
    var headRow = el("tr");
    var sort = { column: -1, direction: "none" };
    var tbody = el("tbody");

    function fillBody() {
      var ordered = rows.slice();
      if (sort.column >= 0) {
        var c = sort.column, sign = sort.direction === "ascending" ? 1 : -1;
        ordered.sort(function (a, b) {
          var x = a.cells[c].key, y = b.cells[c].key;
          if (x === null && y === null) return a.index - b.index;
          if (x === null) return 1;          // empty cells last, whichever the direction
          if (y === null) return -1;
          var order = (typeof x === "number" && typeof y === "number") ? x - y : String(x).localeCompare(String(y), "en-GB", { numeric: true });
          return order ? sign * order : a.index - b.index;
        });
      }
      var fresh = el("tbody");
      ordered.forEach(function (row) {
        var tr = el("tr");
        row.cells.forEach(function (c, column) {
          var td = el("td", numericColumn[column] ? { className: "numeric" } : {});
          if (c.node) td.appendChild(c.node.cloneNode(true));
          tr.appendChild(td);
        });
        fresh.appendChild(tr);
      });
      table.replaceChild(fresh, tbody);
      tbody = fresh;
    }

    variables.forEach(function (variable, column) {
      var label = humanNames ? humanise(variable) : "?" + variable;
      var button = el("button", { type: "button", className: "sort", "data-column": variable },
        [label, el("span", { className: "sort-icon", "aria-hidden": "true" }, ["↕"])]);
      var th = el("th", { scope: "col", title: "?" + variable }, [button]);
      if (numericColumn[column]) th.className = "numeric";
      button.addEventListener("click", function () {
        var direction = sort.column === column && sort.direction === "ascending" ? "descending" : "ascending";
        sort = { column: column, direction: direction };
        Array.prototype.forEach.call(headRow.children, function (other, i) {
          if (i === column) other.setAttribute("aria-sort", direction);
          else other.removeAttribute("aria-sort");
          other.querySelector(".sort-icon").textContent = i === column ? (direction === "ascending" ? "▲" : "▼") : "↕";
        });
        fillBody();
        setStatus("Sorted by " + label + ", " + (direction === "ascending" ? "ascending" : "descending") + ".");
      });
      headRow.appendChild(th);
    });
    table.appendChild(el("thead", {}, [headRow]));
    table.appendChild(tbody);
    fillBody();
    var wrap = el("div", { className: "table-wrap", role: "region", "aria-label": "Results table", tabindex: "0" }, [table]);
    if (bindings.length <= TABLE_ROWS) return wrap;
    return el("div", {}, [
      el("p", { className: "hint row-cap", id: "row-cap" }, ["The table shows the first " + TABLE_ROWS.toLocaleString("en-GB") +
        " of " + plural(bindings.length, "row", "rows") + ". The downloads hold every row."]),
      wrap
    ]);
  }

  // ------------------------------------------------------------------ other views (views.js)

  var viewHelpers = {
    shortIri: function (iri) { return shortIri(iri); },
    pageHref: function (iri) { return pageHref(iri); },
    localType: function (datatype) { return localType(datatype); },
    readableDate: function (value, type) { return readableDate(value, type); },
    numeric: function (type) { return !!type && NUMERIC_TYPES.indexOf(type) >= 0; }
  };

  /** The table, and buttons for the views that suit the result (a timeline, a bar chart, a graph). */
  function showViews(result, humanNames) {
    var body = $("result-body"), bar = $("result-views");
    clear(bar);
    var views = window.KGViews ? window.KGViews.available(result, viewHelpers) : [];
    views.unshift({ id: "table", label: "Table", render: function () { return renderTable(result, humanNames); } });
    var buttons = [];
    function choose(index) {
      buttons.forEach(function (button, i) { button.setAttribute("aria-pressed", i === index ? "true" : "false"); });
      clear(body);
      body.appendChild(views[index].render());
      body.setAttribute("data-view", views[index].id);
    }
    views.forEach(function (view, index) {
      var button = el("button", { type: "button", className: "small view-button", "data-view": view.id, "aria-pressed": "false" }, [view.label]);
      button.addEventListener("click", function () {
        choose(index);
        setStatus("Showing the results as " + (view.id === "table" ? "a table" : "a " + view.label.toLowerCase()) + ".");
      });
      buttons.push(button);
      bar.appendChild(button);
    });
    bar.hidden = views.length < 2;
    choose(0);
  }

  function rowCount(result) {
    return (result.results && result.results.bindings) ? result.results.bindings.length : 0;
  }

  // ------------------------------------------------------------------ running

  /** The form of a SPARQL query: select, ask, construct, describe or update. */
  function queryForm(text) {
    var stripped = text
      .replace(/"""[\s\S]*?"""|'''[\s\S]*?'''/g, " ")
      .replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, " ")
      .replace(/<[^<>"{}|^`\\\s]*>/g, " ")
      .replace(/#[^\n]*/g, " ");
    var match = /\b(SELECT|ASK|CONSTRUCT|DESCRIBE|INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|COPY|MOVE|ADD|WITH)\b/i.exec(stripped);
    if (!match) return "select";
    var word = match[1].toLowerCase();
    return ["select", "ask", "construct", "describe"].indexOf(word) >= 0 ? word : "update";
  }

  function savedParams(name, values, extra) {
    var params = new URLSearchParams();
    var query = savedByName[name];
    (query ? query.params : []).forEach(function (p) {
      if (Object.prototype.hasOwnProperty.call(values, p.name)) params.set(p.name, values[p.name]);
    });
    Object.keys(extra || {}).forEach(function (key) { params.set(key, extra[key]); });
    return params;
  }

  function savedUrl(name, values, extra) {
    return "api/saved/" + encodeURIComponent(name) + "?" + savedParams(name, values, extra).toString();
  }

  function sparqlUrl(text, format) {
    return "sparql?" + new URLSearchParams({ query: text, format: format }).toString();
  }

  /** The address to share for a run, which reruns it when opened: on the published address when
   * kg serve was given --base-url (not the 127.0.0.1 it listens on), else on this page's own. */
  function shareUrl(run) {
    return publishedBase() + runSearch(run);
  }

  /** The page's own address for a run, for the browser's history (it must stay on this origin). */
  function localUrl(run) {
    return location.pathname + runSearch(run);
  }

  /** "?saved=NAME&p.KEY=VALUE…" or "?query=…" (and "&search=…") for a run. */
  function runSearch(run) {
    var params = new URLSearchParams();
    if (run.kind === "saved") {
      params.set("saved", run.name);
      Object.keys(run.values).forEach(function (key) { params.set("p." + key, run.values[key]); });
    } else {
      params.set("query", run.query);
    }
    var search = $("search-input").value.trim();
    if (search && $("search-output").childNodes.length) params.set("search", search);
    return "?" + params.toString();
  }

  /** The download buttons: every row, in CSV, JSON and TSV (a graph: Turtle, JSON-LD and N-Triples), asked of
   * the endpoint with the format's media type in Accept; the link's own address (format=) works as well. */
  function setDownloads(run, form) {
    var saved = run.kind === "saved";
    var stem = saved ? run.name : "query-results";
    var links = !saved && (form === "construct" || form === "describe")
      ? [["turtle", "text/turtle", "graph.ttl", "Download Turtle"], ["jsonld", "application/ld+json", "graph.jsonld", "Download JSON-LD"],
        ["nt", "application/n-triples", "graph.nt", "Download N-Triples"]]
      : [["csv", "text/csv", stem + ".csv", "Download CSV"], ["json", "application/sparql-results+json", stem + ".json", "Download JSON"],
        ["tsv", "text/tab-separated-values", stem + ".tsv", "Download TSV"]];
    [$("download-csv"), $("download-json"), $("download-tsv")].forEach(function (link, i) {
      var format = links[i][0];
      // a saved question's download is its whole answer (limit=0), not the page on screen
      link.href = saved ? savedUrl(run.name, run.values, { format: format, download: "1", limit: "0" }) : sparqlUrl(run.query, format);
      link.setAttribute("download", links[i][2]);
      link.setAttribute("data-accept", links[i][1]);
      link.textContent = links[i][3];
    });
  }

  /** A download: the whole result asked of the endpoint with the right Accept, saved from a Blob. */
  function download(event) {
    var link = event.currentTarget;
    if (!current || typeof Blob !== "function" || !window.URL || !URL.createObjectURL) return;  // the plain link
    event.preventDefault();
    var accept = link.getAttribute("data-accept");
    var request = current.kind === "saved"
      ? fetch(savedUrl(current.name, current.values, {}), { headers: { Accept: accept } })
      : fetch("sparql", {
        method: "POST",
        headers: { Accept: accept, "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8" },
        body: new URLSearchParams({ query: current.query }).toString()
      });
    $("copy-status").textContent = "Preparing the download…";
    request.then(function (r) {
      return r.blob().then(function (blob) { return { response: r, blob: blob }; });
    }).then(function (got) {
      if (!got.response.ok) {
        return got.blob.text().then(function (text) {
          $("copy-status").textContent = "The download failed: " + errorText(text, got.response.headers.get("Content-Type"));
        });
      }
      var url = URL.createObjectURL(got.blob);
      var a = el("a", { href: url, download: link.getAttribute("download"), hidden: true });
      document.body.appendChild(a);
      a.click();
      document.body.removeChild(a);
      setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
      $("copy-status").textContent = "Downloaded " + link.getAttribute("download") + ".";
    }).catch(function () { $("copy-status").textContent = "The server could not be reached for the download."; });
  }

  /** Run a saved question ({kind: "saved", name, values}) or a query ({kind: "sparql", query}). */
  function run(spec) {
    var number = ++runNumber;
    if (running) running.abort();
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    running = controller;
    hideError();
    var body = $("result-body");
    body.setAttribute("aria-busy", "true");
    $("results").classList.add("busy");
    $("results").setAttribute("data-state", "running");
    var title = spec.kind === "saved" ? "“" + (savedByName[spec.name] ? savedByName[spec.name].title : spec.name) + "”" : "the query";
    setStatus("Running " + title + "…");
    var form = spec.kind === "saved" ? "select" : queryForm(spec.query);
    var request;
    if (spec.kind === "saved") {
      request = fetch(savedUrl(spec.name, spec.values, spec.offset ? { format: "json", offset: String(spec.offset) } : { format: "json" }), {
        headers: { Accept: ACCEPT }, signal: controller ? controller.signal : undefined
      });
    } else {
      var format = form === "construct" || form === "describe" ? "turtle" : "json";
      request = fetch("sparql", {
        method: "POST",
        headers: { Accept: ACCEPT, "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8" },
        body: new URLSearchParams({ query: spec.query, format: format }).toString(),
        signal: controller ? controller.signal : undefined
      });
    }
    var started = performance.now();
    var response;
    return request.then(function (r) {
      response = r;
      return r.text();
    }).then(function (text) {
      if (number !== runNumber) return;
      var elapsed = performance.now() - started;
      var contentType = response.headers.get("Content-Type") || "";
      finish();
      if (!response.ok) {
        var message = errorText(text, contentType);
        var where = spec.kind === "sparql" && response.status === 400 ? markSyntaxError(message) : "";
        showError(errorTitle(response.status, message, spec.kind), message + (where ? "\n" + where : ""));
        if (spec.kind === "saved" && (response.status === 409 || response.status === 400)) {
          try { showChoices(spec, JSON.parse(text)); } catch (ignored) { /* a plain error */ }
        }
        setStatus("The " + (spec.kind === "saved" ? "question" : "query") + " did not run (" + elapsedText(elapsed) + ").");
        clear(body);
        $("result-actions").hidden = true;
        current = null;
        remember(spec);
        $("results").setAttribute("data-state", "error");
        return;
      }
      show(spec, form, text, contentType, elapsed, response.headers.get("KG-Note"), response.headers.get("KG-Page"));
    }).catch(function (error) {
      if (number !== runNumber) return;
      finish();
      if (error && error.name === "AbortError") return;
      showError("The server could not be reached", "Check that “kg serve” is still running, then try again.");
      setStatus("The query did not run.");
      $("results").setAttribute("data-state", "error");
    });

    function finish() {
      running = null;
      body.removeAttribute("aria-busy");
      $("results").classList.remove("busy");
    }
  }

  function show(spec, form, text, contentType, elapsed, note, page) {
    var body = $("result-body");
    clear(body);
    showPages(spec, page);
    clear($("result-views"));
    $("result-views").hidden = true;
    body.removeAttribute("data-view");
    var parsed = null;
    if (/json/.test(contentType)) {
      try { parsed = JSON.parse(text); } catch (ignored) { parsed = null; }
    }
    var summary;
    if (parsed && typeof parsed.boolean === "boolean") {
      body.appendChild(renderAsk(parsed));
      summary = "Answer: " + (parsed.boolean ? "yes" : "no");
    } else if (parsed && parsed.head) {
      var count = rowCount(parsed);
      showViews(parsed, spec.kind === "saved");
      summary = count ? plural(count, "row", "rows") : "No rows";
    } else {
      // a graph (Turtle), or JSON that is not a results table: show the text as it came
      var shown = parsed && !/turtle/.test(contentType) ? JSON.stringify(parsed, null, 2) : text;
      body.appendChild(renderGraph(shown));
      summary = shown.trim() ? "A graph, shown as " + (/turtle/.test(contentType) ? "Turtle" : "JSON-LD") + "," : "An empty graph";
    }
    var paged = parsePage(page);
    if (paged && paged.rows) {
      summary = "Rows " + (paged.offset + 1).toLocaleString("en-GB") + "–" + (paged.offset + paged.rows).toLocaleString("en-GB") +
        (paged.total !== null ? " of " + paged.total.toLocaleString("en-GB") : " (more on the next page)");
    }
    if (note) summary = decodeURIComponent(note).replace(/^./, function (c) { return c.toUpperCase(); }) + ". " + summary;
    setStatus(summary + " in " + elapsedText(elapsed) + ".");
    current = { kind: spec.kind, name: spec.name, values: spec.values, query: spec.query };
    setDownloads(current, form);
    $("result-actions").hidden = false;
    $("copy-status").textContent = "";
    remember(spec);
    $("results").setAttribute("data-state", "done");
  }

  /** A saved question's page, from the KG-Page header ("limit=100; offset=0; rows=100; more=true[; total=N]"). */
  function parsePage(header) {
    if (!header) return null;
    var fields = {};
    header.split(";").forEach(function (part) {
      var pair = part.trim().split("=");
      if (pair.length === 2) fields[pair[0]] = pair[1];
    });
    var number = function (key) { return /^\d+$/.test(fields[key] || "") ? parseInt(fields[key], 10) : null; };
    if (number("limit") === null || number("offset") === null) return null;
    return { limit: number("limit"), offset: number("offset"), rows: number("rows") || 0, more: fields.more === "true", total: number("total") };
  }

  /** "Previous page" and "Next page" below the table of a saved question answered a page at a time. */
  function showPages(spec, header) {
    var nav = $("result-pages");
    clear(nav);
    var page = spec.kind === "saved" ? parsePage(header) : null;
    nav.hidden = !page || (!page.more && !page.offset);
    if (nav.hidden) return;
    function go(offset, label) {
      var button = el("button", { type: "button", className: "small page-button" }, [label]);
      button.addEventListener("click", function () {
        run({ kind: "saved", name: spec.name, values: spec.values, offset: offset });
      });
      nav.appendChild(button);
    }
    if (page.offset) go(Math.max(0, page.offset - (page.limit || page.rows)), "Previous page");
    nav.appendChild(el("span", { className: "hint" }, [page.total !== null
      ? "Page of " + page.limit.toLocaleString("en-GB") + " rows; " + plural(page.total, "row", "rows") + " in all."
      : "Page of " + page.limit.toLocaleString("en-GB") + " rows; more follow."]));
    if (page.more) go(page.offset + page.rows, "Next page");
  }

  /** Put the run in the address bar (and the share box), so a reload or a shared link reruns it. */
  function remember(spec) {
    var url = localUrl(spec);
    $("share-link").value = shareUrl(spec);
    try {
      // a new question is a new entry, so Back returns to the one before; a rerun replaces its own
      if (spec.restored || url === location.pathname + location.search) history.replaceState(null, "", url);
      else history.pushState(null, "", url);
    } catch (ignored) { /* e.g. a file: page */ }
    saveHistory(spec);
  }

  // ------------------------------------------------------------------ history kept in the browser

  var HISTORY_KEY = "kg-query-history";
  var HISTORY_SIZE = 30;

  function readHistory() {
    try { return JSON.parse(localStorage.getItem(HISTORY_KEY) || "[]") || []; } catch (ignored) { return []; }
  }
  function saveHistory(spec) {
    var entry = { kind: spec.kind, name: spec.name || null, values: spec.values || null, query: spec.query || null, at: new Date().toISOString() };
    var same = function (e) { return JSON.stringify([e.kind, e.name, e.values, e.query]) === JSON.stringify([entry.kind, entry.name, entry.values, entry.query]); };
    var list = [entry].concat(readHistory().filter(function (e) { return !same(e); })).slice(0, HISTORY_SIZE);
    try { localStorage.setItem(HISTORY_KEY, JSON.stringify(list)); } catch (ignored) { /* storage may be off */ }
    drawHistory();
  }
  function drawHistory() {
    var box = $("history-list");
    if (!box) return;
    clear(box);
    readHistory().forEach(function (e) {
      var label = e.kind === "saved"
        ? (savedByName[e.name] ? savedByName[e.name].title : e.name) + (e.values && Object.keys(e.values).length
          ? " (" + Object.keys(e.values).map(function (k) { return k + " = " + e.values[k]; }).join(", ") + ")" : "")
        : (e.query || "").replace(/\s+/g, " ").slice(0, 90);
      var button = el("button", { type: "button", className: "link-button" }, [label]);
      button.addEventListener("click", function () {
        if (e.kind === "saved") { selectSaved(e.name, e.values || {}); run({ kind: "saved", name: e.name, values: e.values || {} }); }
        else { setEditorText(e.query || ""); run({ kind: "sparql", query: e.query || "" }); }
      });
      box.appendChild(el("li", {}, [button]));
    });
    $("history").hidden = !box.children.length;
  }

  // ------------------------------------------------------------------ saved questions

  function paramInput(param, value) {
    var id = "param-" + param.name;
    var hintId = id + "-hint";
    var attributes = { id: id, name: param.name, "aria-describedby": hintId, autocomplete: "off" };
    if (!param.optional) attributes.required = true;
    var input;
    if (param.type === "integer") {
      attributes.type = "number";
      attributes.step = "1";
      attributes.inputmode = "numeric";
    } else if (param.type === "date") {
      attributes.type = "date";
    } else {
      attributes.type = "text";
      attributes.spellcheck = "false";
      if (param.type === "iri") attributes.list = "entity-names";
      if (param.type === "entity") attributes.list = "names-" + param.name;
      if (param.default) attributes.placeholder = param.default;
    }
    input = el("input", attributes);
    input.className = "param-input param-" + param.type;
    setParamValue(param, input, value);
    if (param.type === "entity") completeNames(input, param.name);
    return input;
  }

  /** A date box shows a day; a month, a year or "today" typed elsewhere needs a text box. */
  function setParamValue(param, input, value) {
    if (param.type === "date") {
      if (value.trim().toLowerCase() === "today") value = todayIso();
      var isDay = /^\d{4}-\d{2}-\d{2}$/.test(value) || value === "";
      setDateMode(input, isDay ? "date" : "text");
    }
    input.value = value;
  }

  function setDateMode(input, mode) {
    input.type = mode;
    if (mode === "text") {
      input.setAttribute("placeholder", "YYYY-MM-DD, YYYY-MM, YYYY or today");
      input.setAttribute("pattern", "\\s*(\\d{4}(-\\d{2}(-\\d{2})?)?|[Tt][Oo][Dd][Aa][Yy])?\\s*");
    } else {
      input.removeAttribute("placeholder");
      input.removeAttribute("pattern");
    }
    var toggle = input.modeToggle;
    if (toggle) toggle.textContent = mode === "date" ? "Type a month or year instead" : "Use a date picker";
  }

  function defaultValue(param) {
    return param.type === "date" && param.default.trim().toLowerCase() === "today" ? todayIso() : param.default;
  }

  /** As the user types in an entity box, offer the names that start so (from /api/names, the server's resolver). */
  function completeNames(input, name) {
    var timer = null, asked = "";
    input.addEventListener("input", function () {
      if (timer) clearTimeout(timer);
      timer = setTimeout(function () {
        var text = input.value.trim();
        if (text.length < 2 || text === asked) return;
        asked = text;
        fetch("api/names?q=" + encodeURIComponent(text), { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (answer) {
            var list = $("names-" + name);
            if (!answer || !list || input.value.trim() !== text) return;
            clear(list);
            answer.completions.forEach(function (c) {
              var shown = c.label + " (" + humanise(c.kind) + (c.context ? ", " + c.context : "") + ")";
              list.appendChild(el("option", { value: c.label, label: shown + " · " + c.kgid }));
            });
          }).catch(function () { /* the box still takes typed names */ });
      }, 150);
    });
  }

  /** A name that stands for several entities, or none: buttons that choose one and run again. */
  function showChoices(spec, answer) {
    var box = $("error");
    var choices = answer.choices || [];
    if (!choices.length || !answer.param) return;
    var input = $("param-" + answer.param);
    var list = el("ul", { className: "name-choices" });
    choices.forEach(function (choice) {
      var button = el("button", { type: "button", className: "link-button" }, [
        choice.label + " (" + humanise(choice.kind) + (choice.context ? ", " + choice.context : "") + ")"
      ]);
      button.addEventListener("click", function () {
        if (input) input.value = choice.label === answer.text ? shortIri(choice.iri) : choice.label;
        var values = {};
        Object.keys(spec.values || {}).forEach(function (k) { values[k] = spec.values[k]; });
        values[answer.param] = shortIri(choice.iri);
        run({ kind: "saved", name: spec.name, values: values });
      });
      list.appendChild(el("li", {}, [button]));
    });
    box.appendChild(el("p", {}, [answer.status === "ambiguous" ? "Choose the one you mean:" : "Did you mean:"]));
    box.appendChild(list);
  }

  function typeHint(param) {
    return {
      entity: "a name, acronym or plural such as ACOs or primary care network, or kgid:…",
      iri: "a name such as kgid:integrated-care-system, or a full web address",
      string: "some text",
      date: "a date",
      integer: "a whole number"
    }[param.type] || param.type;
  }

  function buildParams(query, values) {
    var holder = $("saved-param-fields");
    clear(holder);
    $("saved-params").hidden = !query.params.length;
    query.params.forEach(function (param) {
      var value = Object.prototype.hasOwnProperty.call(values, param.name) ? values[param.name] : defaultValue(param);
      var input = paramInput(param, value);
      var hintParts = [];
      if (param.help) hintParts.push(param.help.charAt(0).toUpperCase() + param.help.slice(1) + ".");
      else hintParts.push("Type " + typeHint(param) + ".");
      if (param.default) hintParts.push("Default: " + param.default + ".");
      else if (param.optional) hintParts.push("May be left empty.");
      var label = el("label", { "for": input.id }, [humanise(param.name),
        param.optional ? el("span", { className: "optional" }, [" (optional)"]) : null]);
      var row = el("div", { className: "field" }, [label, input]);
      if (param.type === "entity") row.appendChild(el("datalist", { id: "names-" + param.name }));
      if (param.type === "date") {
        var toggle = el("button", { type: "button", id: input.id + "-mode", className: "link-button", "aria-controls": input.id });
        input.modeToggle = toggle;
        toggle.addEventListener("click", function () {
          var toText = input.type === "date";
          var keep = input.value;
          if (!toText && !/^\d{4}-\d{2}-\d{2}$/.test(keep.trim())) {
            keep = keep.trim().toLowerCase() === "today" ? todayIso() : "";
          }
          setDateMode(input, toText ? "text" : "date");
          input.value = keep.trim();
          input.focus();
        });
        row.appendChild(toggle);
        setDateMode(input, input.type);
      }
      row.appendChild(el("p", { id: input.id + "-hint", className: "hint" }, [hintParts.join(" ")]));
      holder.appendChild(row);
    });
  }

  function selectSaved(name, values) {
    var query = savedByName[name];
    if (!query) return false;
    $("saved-select").value = name;
    $("saved-description").textContent = query.description || "";
    buildParams(query, values || {});
    var sparql = typeof query.sparql === "string" ? query.sparql : "";
    $("saved-sparql").hidden = !sparql;
    $("saved-to-editor").hidden = !sparql;
    $("saved-sparql-text").textContent = sparql;
    return true;
  }

  /** The form's values, for the server and the shared link. Every value is written out, so a link
   * keeps its meaning if a default changes, except "today", which stays today when the link is opened later. */
  function formValues(query) {
    var values = {};
    query.params.forEach(function (param) {
      var input = $("param-" + param.name);
      if (!input) return;
      var value = input.value.trim();
      if (param.type === "date" && param.default.trim().toLowerCase() === "today" && value === todayIso()) return;
      if (value === "" && param.default.trim() === "") return;
      values[param.name] = value;
    });
    return values;
  }

  function checkForm(query) {
    for (var i = 0; i < query.params.length; i++) {
      var param = query.params[i];
      var input = $("param-" + param.name);
      var value = input.value.trim();
      var problem = "";
      if (input.validity && input.validity.badInput) problem = "is not a valid " + (param.type === "integer" ? "whole number" : "date");
      else if (!value && !param.optional) problem = "needs a value";
      else if (value && param.type === "iri" && !expandIri(value)) {
        problem = "should be a name such as kgid:" + (/^[a-z0-9-]+$/.test(value) ? value : "integrated-care-system") + " or a full http(s):// address";
      } else if (value && param.type === "date" && input.type === "text" && !/^(\d{4}(-\d{2}(-\d{2})?)?|today)$/i.test(value)) {
        problem = "should be a date written YYYY-MM-DD, YYYY-MM, YYYY or today";
      } else if (value && param.type === "integer" && !/^[+-]?\d+$/.test(value)) problem = "should be a whole number";
      if (problem) {
        input.setAttribute("aria-invalid", "true");
        input.focus();
        showError("Check the details", humanise(param.name) + " " + problem + ".");
        setStatus("The question was not run.");
        return false;
      }
      input.removeAttribute("aria-invalid");
    }
    return true;
  }

  function runSelectedSaved() {
    var query = savedByName[$("saved-select").value];
    if (!query) return;
    hideError();
    if (!checkForm(query)) return;
    run({ kind: "saved", name: query.name, values: formValues(query) });
  }

  function loadSaved() {
    return fetch("api/saved", { headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) throw new Error("status " + r.status);
      return r.json();
    }).then(function (list) {
      savedQueries = list.slice().sort(function (a, b) { return a.title.localeCompare(b.title, "en-GB"); });
      savedByName = {};
      var select = $("saved-select");
      clear(select);
      savedQueries.forEach(function (q) {
        savedByName[q.name] = q;
        select.appendChild(el("option", { value: q.name }, [q.title]));
      });
      if (savedQueries.length) selectSaved(savedQueries[0].name, {});
      else $("saved-description").textContent = "There are no ready-made questions yet (add .rq files to the queries folder).";
    }).catch(function () {
      $("saved-description").textContent = "The list of ready-made questions could not be loaded.";
    });
  }

  /** A saved question's SPARQL with the form's values given in a VALUES block, for the editor. */
  function savedAsSparql(query) {
    var values = {};
    query.params.forEach(function (p) {
      var input = $("param-" + p.name);
      values[p.name] = input ? input.value.trim() : p.default;
    });
    var header = query.sparql.split("\n").filter(function (line) { return /^#/.test(line); });
    var body = query.sparql.split("\n").filter(function (line, i, all) {
      return !(/^#/.test(line) && all.slice(0, i).every(function (l) { return /^#/.test(l); }));
    }).join("\n").replace(/^\s+/, "");
    var bound = query.params.filter(function (p) { return values[p.name]; });
    var terms = bound.map(function (p) { return sparqlTerm(p, values[p.name]); });
    var text = body;
    if (bound.length && terms.every(Boolean)) {
      var block = "  VALUES (" + bound.map(function (p) { return "?" + p.name; }).join(" ") + ") { (" + terms.join(" ") + ") }\n";
      text = body.replace(/\bWHERE\s*\{[ \t]*\n?/i, function (found) { return found.replace(/\n?$/, "\n") + block; });
    }
    return "# " + query.title + "\n" + header.filter(function (l) { return /^#\s*(description|param):/i.test(l); }).join("\n") + "\n\n" + text;
  }

  function sparqlTerm(param, value) {
    var escaped;
    if (param.type === "iri") {
      var iri = expandIri(value);
      if (!iri) return null;
      var short = shortIri(iri);
      return short !== iri && /^[A-Za-z][A-Za-z0-9_.-]*:[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?$/.test(short) ? short : "<" + iri + ">";
    }
    if (param.type === "integer") return /^[+-]?\d+$/.test(value) ? String(parseInt(value, 10)) : null;
    if (param.type === "date") {
      if (value.toLowerCase() === "today") value = todayIso();
      var type = /^\d{4}-\d{2}-\d{2}$/.test(value) ? "date" : /^\d{4}-\d{2}$/.test(value) ? "gYearMonth" : /^\d{4}$/.test(value) ? "gYear" : null;
      return type ? "\"" + value + "\"^^xsd:" + type : null;
    }
    escaped = value.replace(/\\/g, "\\\\").replace(/"/g, "\\\"").replace(/\n/g, "\\n").replace(/\r/g, "\\r");
    return "\"" + escaped + "\"";
  }

  // ------------------------------------------------------------------ the SPARQL editor

  function editorText() { return editor ? editor.getValue() : $("sparql-text").value; }

  function setEditorText(text) {
    if (editor) { editor.setValue(text); editor.clearHistory(); } else $("sparql-text").value = text;
  }

  function runEditor() {
    var text = editorText();
    if (!text.trim()) {
      showError("The query is empty", "Type a SPARQL query, or start from an example.");
      return;
    }
    run({ kind: "sparql", query: text });
  }

  function showCompletion(cm) {
    if (!window.KGComplete || typeof cm.showHint !== "function") return;
    cm.showHint({ hint: window.KGComplete.hint, prefixes: prefixes, completeSingle: false });
  }

  function setUpEditor() {
    var textarea = $("sparql-text");
    textarea.value = EXAMPLES[0].text;
    var picker = $("example-select");
    picker.appendChild(el("option", { value: "" }, ["Choose an example…"]));
    EXAMPLES.forEach(function (example, i) { picker.appendChild(el("option", { value: String(i) }, [example.label])); });
    picker.addEventListener("change", function () {
      if (picker.value === "") return;
      setEditorText(EXAMPLES[parseInt(picker.value, 10)].text);
      picker.value = "";
      hideError();
      if (editor) editor.focus(); else textarea.focus();
    });
    var runKeys = function () { runEditor(); };
    if (typeof window.CodeMirror === "function") {
      editor = window.CodeMirror.fromTextArea(textarea, {
        mode: "application/sparql-query",
        lineNumbers: true,
        matchBrackets: true,
        indentUnit: 2,
        tabSize: 2,
        lineWrapping: true,
        viewportMargin: Infinity,
        inputStyle: "contenteditable",
        screenReaderLabel: "SPARQL query",
        extraKeys: {
          "Ctrl-Enter": runKeys,
          "Cmd-Enter": runKeys,
          // Tab and Shift-Tab move between controls as everywhere else on the page
          "Tab": false,
          "Shift-Tab": false,
          "Esc": function (cm) { cm.getInputField().blur(); },
          "Ctrl-Space": function (cm) { showCompletion(cm); }
        }
      });
      // completion also opens by itself after a prefixed name's first letters (kgid:acc, skos:pr)
      editor.on("inputRead", function (cm, change) {
        if (!window.KGComplete || cm.state.completionActive || change.origin !== "+input") return;
        if (/^[A-Za-z][\w-]*:[\w-]{2,}$/.test(window.KGComplete.wordAt(cm).word)) showCompletion(cm);
      });
      var field = editor.getInputField();
      field.setAttribute("role", "textbox");  // CodeMirror marks its editable lines "presentation"
      field.setAttribute("aria-multiline", "true");
      field.setAttribute("aria-labelledby", "sparql-label");
      field.setAttribute("aria-describedby", "sparql-help");
      field.id = "sparql-input";
      editor.on("change", function () {
        if (errorMark) { errorMark.clear(); errorMark = null; }
      });
      $("sparql-label").addEventListener("click", function (event) { event.preventDefault(); editor.focus(); });
    } else {
      textarea.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); runEditor(); }
      });
    }
  }

  function showPrefixes() {
    var list = $("prefix-list");
    clear(list);
    if (!Object.keys(prefixes).length) {
      PREFIX_NAMES.forEach(function (name) { list.appendChild(el("dt", {}, [el("code", {}, [name + ":"])])); });
      return;
    }
    Object.keys(prefixes).forEach(function (name) {
      list.appendChild(el("dt", {}, [el("code", {}, [name + ":"])]));
      list.appendChild(el("dd", {}, [el("code", {}, [prefixes[name]])]));
    });
  }

  /** The server's own prefix IRIs (kgid: follows its KG_BASE): each prefix alone is an IRI in SPARQL. */
  function loadPrefixes() {
    var query = "SELECT " + PREFIX_NAMES.map(function (p) { return "?" + p; }).join(" ") + " WHERE { " +
      PREFIX_NAMES.map(function (p) { return "BIND(" + p + ": AS ?" + p + ")"; }).join(" ") + " }";
    return fetch("sparql", {
      method: "POST",
      headers: { Accept: "application/sparql-results+json", "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8" },
      body: new URLSearchParams({ query: query, format: "json" }).toString()
    }).then(function (r) { return r.ok ? r.json() : null; }).then(function (answer) {
      var row = answer && answer.results && answer.results.bindings[0];
      if (row) {
        PREFIX_NAMES.forEach(function (p) { if (row[p] && row[p].type === "uri") prefixes[p] = row[p].value; });
      }
    }).catch(function () { /* IRIs are then shown in full */ }).then(showPrefixes);
  }

  /** Names for the IRI boxes: every labelled entity, class and property, as kgid:… with its label. */
  function loadEntityNames() {
    var query = "SELECT ?item (SAMPLE(?name) AS ?label) WHERE { ?item skos:prefLabel|rdfs:label ?name . FILTER(isIRI(?item)) } GROUP BY ?item ORDER BY ?label";
    return fetch("sparql", {
      method: "POST",
      headers: { Accept: "application/sparql-results+json", "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8" },
      body: new URLSearchParams({ query: query, format: "json" }).toString()
    }).then(function (r) { return r.ok ? r.json() : null; }).then(function (answer) {
      var list = $("entity-names");
      var seen = {};
      ((answer && answer.results && answer.results.bindings) || []).forEach(function (row) {
        var short = shortIri(row.item.value);
        if (seen[short]) return;
        seen[short] = true;
        list.appendChild(el("option", { value: short, label: row.label ? row.label.value : short }));
      });
    }).catch(function () { /* the boxes still take typed names */ });
  }

  // ------------------------------------------------------------------ keyword search

  /** A snippet with FTS5's [highlight] markers as <mark> elements. */
  function snippetNode(text) {
    var p = el("p", { className: "snippet" });
    var pattern = /\[([^\[\]]+)\]/g, last = 0, match;
    while ((match = pattern.exec(text))) {
      if (match.index > last) p.appendChild(document.createTextNode(text.slice(last, match.index)));
      p.appendChild(el("mark", {}, [match[1]]));
      last = pattern.lastIndex;
    }
    if (last < text.length) p.appendChild(document.createTextNode(text.slice(last)));
    return p;
  }

  function kindLabel(kind) {
    return { document: "Document", entity: "Entity" }[kind] || humanise(kind || "item");
  }

  function askAbout(iri, name) {
    if (!savedByName[name]) return;
    selectTab("saved");
    selectSaved(name, { entity: shortIri(iri) });
    run({ kind: "saved", name: name, values: formValues(savedByName[name]) });
    $("results").focus();
  }

  function renderSearch(answer) {
    var out = $("search-output");
    clear(out);
    var hits = answer.hits || [];
    var heading = hits.length
      ? plural(hits.length, "match", "matches") + " for “" + answer.query + "”"
      : "No matches for “" + answer.query + "”";
    out.appendChild(el("h3", { className: "search-heading" }, [heading]));
    $("search-status").textContent = heading + ".";
    var others = (answer.expanded || []).filter(function (name) { return name !== answer.query; });
    if (others.length) out.appendChild(el("p", { className: "hint" }, ["Also searched for: " + others.join(", ") + "."]));
    if ((answer.see_also || []).length) {
      var line = el("p", { className: "see-also" }, ["See also: "]);
      answer.see_also.forEach(function (item, i) {
        if (i) line.appendChild(document.createTextNode("; "));
        line.appendChild(document.createTextNode(item.relation + " "));
        line.appendChild(el("a", { href: item.page ? relative(item.page) : pageHref(item.iri) }, [item.label]));
      });
      out.appendChild(line);
    }
    if ((answer.suggestions || []).length) {
      var mean = el("p", { className: "did-you-mean" }, ["Did you mean "]);
      answer.suggestions.forEach(function (item, i) {
        if (i) mean.appendChild(document.createTextNode(" or "));
        var button = el("button", { type: "button", className: "link-button" }, [item.label]);
        button.addEventListener("click", function () { $("search-input").value = item.label; search(item.label); });
        mean.appendChild(button);
      });
      mean.appendChild(document.createTextNode("?"));
      out.appendChild(mean);
    }
    if (!hits.length) {
      if (!others.length) out.appendChild(el("p", { className: "hint" }, ["Try fewer words, another spelling, or an acronym."]));
      return;
    }
    var list = el("ol", { className: "hits" });
    hits.forEach(function (hit, index) {
      var item = el("li", { className: "hit" });
      if (index >= SEARCH_SHOWN) item.hidden = true;
      var head = el("p", { className: "hit-head" }, [
        el("span", { className: "kind kind-" + (hit.kind === "document" ? "document" : "entity") }, [kindLabel(hit.kind)]), " ",
        el("a", { href: hit.page ? relative(hit.page) : pageHref(hit.iri) }, [hit.title || shortIri(hit.iri)]), " ",
        el("span", { className: "iri hint" }, [shortIri(hit.iri)])
      ]);
      item.appendChild(head);
      if (typeof hit.documents === "number") {
        item.appendChild(el("p", { className: "hit-count hint" }, ["Mentioned in " + plural(hit.documents, "document", "documents") + "."]));
      }
      if (hit.snippet) item.appendChild(snippetNode(hit.snippet));
      if (hit.kind === "entity") {
        var actions = el("p", { className: "hit-actions" });
        [["documents-mentioning", "Documents that mention it"], ["entity-profile", "Profile"], ["lineage", "Lineage"]].forEach(function (pair) {
          if (!savedByName[pair[0]]) return;
          var button = el("button", { type: "button", className: "small" }, [pair[1]]);
          button.setAttribute("aria-label", pair[1] + ": " + (hit.title || shortIri(hit.iri)));
          button.addEventListener("click", function () { askAbout(hit.iri, pair[0]); });
          actions.appendChild(button);
        });
        if (actions.childNodes.length) item.appendChild(actions);
      }
      list.appendChild(item);
    });
    out.appendChild(list);
    if (hits.length > SEARCH_SHOWN) {
      var more = el("button", { type: "button", className: "small" }, ["Show all " + hits.length + " matches"]);
      more.addEventListener("click", function () {
        var first = null;
        Array.prototype.forEach.call(list.children, function (item) {
          if (item.hidden && !first) first = item;
          item.hidden = false;
        });
        more.parentNode.removeChild(more);
        var link = first && first.querySelector("a");
        if (link) link.focus();
      });
      out.appendChild(el("p", {}, [more]));
    }
  }

  function search(text) {
    var number = ++searchNumber;
    var out = $("search-output");
    if (!text.trim()) { clear(out); $("search-status").textContent = ""; return Promise.resolve(); }
    clear(out);
    out.setAttribute("data-state", "running");
    out.appendChild(el("p", { className: "hint" }, ["Searching…"]));
    return fetch("api/search?" + new URLSearchParams({ q: text, limit: "20" }).toString(), { headers: { Accept: "application/json" } })
      .then(function (r) {
        return r.text().then(function (body) { return { response: r, body: body }; });
      }).then(function (got) {
        if (number !== searchNumber) return;
        clear(out);
        if (!got.response.ok) {
          out.appendChild(el("p", { className: "error" }, ["The search failed: " + errorText(got.body, got.response.headers.get("Content-Type"))]));
          out.setAttribute("data-state", "error");
          return;
        }
        renderSearch(JSON.parse(got.body));
        rememberSearch(text);
        out.setAttribute("data-state", "done");
      }).catch(function () {
        if (number !== searchNumber) return;
        clear(out);
        out.appendChild(el("p", { className: "error" }, ["The server could not be reached for the search."]));
        out.setAttribute("data-state", "error");
      });
  }

  function rememberSearch(text) {
    var params = new URLSearchParams(location.search);
    params.set("search", text);
    try { history.replaceState(null, "", location.pathname + "?" + params.toString()); } catch (ignored) { /* file: */ }
    if (current) $("share-link").value = shareUrl(current);
  }

  // ------------------------------------------------------------------ tabs

  function selectTab(which) {
    ["saved", "sparql"].forEach(function (name) {
      var tab = $("tab-" + name), panel = $("panel-" + name), on = name === which;
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.tabIndex = on ? 0 : -1;
      panel.hidden = !on;
    });
    if (which === "sparql" && editor) editor.refresh();
  }

  function setUpTabs() {
    var tabs = [$("tab-saved"), $("tab-sparql")];
    tabs.forEach(function (tab, i) {
      tab.addEventListener("click", function () { selectTab(tab.id.slice(4)); });
      tab.addEventListener("keydown", function (event) {
        var next = null;
        if (event.key === "ArrowRight") next = tabs[(i + 1) % tabs.length];
        else if (event.key === "ArrowLeft") next = tabs[(i + tabs.length - 1) % tabs.length];
        else if (event.key === "Home") next = tabs[0];
        else if (event.key === "End") next = tabs[tabs.length - 1];
        if (next) {
          event.preventDefault();
          selectTab(next.id.slice(4));
          next.focus();
        }
      });
    });
  }

  // ------------------------------------------------------------------ copy link

  function copyLink() {
    var box = $("share-link");
    var settled = false;
    var done = function (ok) {
      if (settled) return;
      settled = true;
      if (!ok) box.select();
      $("copy-status").textContent = ok ? "Link copied." : "Select the link below and copy it (Ctrl+C).";
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(box.value).then(function () { done(true); }, function () { done(false); });
      setTimeout(function () { done(false); }, 2000);  // a browser that never answers
    } else {
      box.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (ignored) { ok = false; }
      done(ok);
    }
  }

  // ------------------------------------------------------------------ start

  /** Rerun what the address says: ?saved=NAME&p.KEY=VALUE…, or ?query=…, and ?search=…. */
  function restore() {
    var params = new URLSearchParams(location.search);
    var searchText = params.get("search");
    if (searchText) {
      $("search-input").value = searchText;
      search(searchText);
    }
    var name = params.get("saved");
    var query = params.get("query");
    if (name) {
      var values = {};
      params.forEach(function (value, key) { if (key.lastIndexOf("p.", 0) === 0) values[key.slice(2)] = value; });
      if (!selectSaved(name, values)) {
        showError("There is no ready-made question called “" + name + "”", "Choose one from the list.");
        return;
      }
      selectTab("saved");
      run({ kind: "saved", name: name, values: formValues(savedByName[name]), restored: true });
    } else if (query !== null) {
      selectTab("sparql");
      setEditorText(query);
      run({ kind: "sparql", query: query, restored: true });
    }
  }

  function start() {
    setUpTabs();
    setUpEditor();
    showPrefixes();
    $("search-form").addEventListener("submit", function (event) {
      event.preventDefault();
      search($("search-input").value);
    });
    $("saved-form").addEventListener("submit", function (event) {
      event.preventDefault();
      runSelectedSaved();
    });
    $("saved-select").addEventListener("change", function () {
      hideError();
      selectSaved($("saved-select").value, {});
    });
    $("saved-reset").addEventListener("click", function () {
      hideError();
      selectSaved($("saved-select").value, {});
    });
    $("saved-to-editor").addEventListener("click", function () {
      var query = savedByName[$("saved-select").value];
      if (!query || !query.sparql) return;
      setEditorText(savedAsSparql(query));
      selectTab("sparql");
      if (editor) editor.focus();
    });
    $("sparql-form").addEventListener("submit", function (event) {
      event.preventDefault();
      runEditor();
    });
    $("copy-link").addEventListener("click", copyLink);
    ["download-csv", "download-json", "download-tsv"].forEach(function (id) { $(id).addEventListener("click", download); });
    $("share-link").addEventListener("focus", function () { $("share-link").select(); });
    loadPrefixes().then(function () {
      loadEntityNames();
      return loadSaved();
    }).then(function () {
      restore();
      drawHistory();
      // Back and Forward move between the questions asked, as between pages
      window.addEventListener("popstate", restore);
    }).then(function () {
      document.body.setAttribute("data-ready", "true");  // for tests and scripts driving the page
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
