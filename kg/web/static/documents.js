/* The documents table (documents.html): facets, a text filter, sorting, pages, state in the
 * address's #, and a CSV download of the filtered rows made in the browser (works from file://).
 * The rows come from the page's <script type="application/json" id="documents-data"> block,
 * written by kg/web/catalogue.py.
 */
(function () {
  "use strict";
  var app = document.getElementById("doc-app");
  var source = document.getElementById("documents-data");
  if (!app || !source) return;
  var data = JSON.parse(source.textContent);
  var rows = data.rows;
  // the entity facet: data.entities is [[iri, label], ...]; each row names its entities by position in it
  var entityAt = {};
  data.entities.forEach(function (pair, i) { entityAt[pair[0]] = i; });
  var root = app.getAttribute("data-root") || "";
  var $ = function (id) { return document.getElementById(id); };

  var COLUMNS = [
    { key: "title", label: "Title" },
    { key: "type", label: "Type" },
    { key: "publisher", label: "Publisher" },
    { key: "issued", label: "Issued", date: true },
    { key: "modified", label: "Modified", date: true },
    { key: "reviewDue", label: "Review due", date: true },
    { key: "entities", label: "Entities", number: true }
  ];
  var REVIEW = [
    ["overdue", "Review date passed"],
    ["soon", "Due in the next " + data.dueSoonDays + " days"],
    ["later", "Due later"],
    ["none", "No review date"]
  ];
  var FACETS = ["review", "type", "publisher", "year"];
  var DEFAULT = { q: "", review: [], type: [], publisher: [], year: [], entity: "", sort: "issued", dir: "desc", page: 1, size: data.pageSizes[0] };
  var state = copy(DEFAULT);

  function copy(s) {
    var out = {};
    Object.keys(s).forEach(function (k) { out[k] = Array.isArray(s[k]) ? s[k].slice() : s[k]; });
    return out;
  }

  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (k) {
      if (k === "text") node.textContent = attributes[k];
      else if (k === "className") node.className = attributes[k];
      else node.setAttribute(k, attributes[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  }

  // ------------------------------------------------------------------ dates

  /** A date as written (2018, 2018-09, 2018-09-30) padded to its first day, for comparing. */
  function pad(value) {
    if (!value) return "";
    var parts = value.slice(0, 10).split("-");
    return parts[0] + "-" + (parts[1] || "01") + "-" + (parts[2] || "01");
  }
  function isoDay(date) {
    var two = function (n) { return (n < 10 ? "0" : "") + n; };
    return date.getFullYear() + "-" + two(date.getMonth() + 1) + "-" + two(date.getDate());
  }
  var today = isoDay(new Date());
  var soon = (function () { var d = new Date(); d.setDate(d.getDate() + data.dueSoonDays); return isoDay(d); })();

  function reviewStatus(row) {
    if (!row.reviewDue) return "none";
    var due = pad(row.reviewDue);
    if (due <= today) return "overdue";
    return due <= soon ? "soon" : "later";
  }
  function year(row) { return row.issued ? row.issued.slice(0, 4) : "Undated"; }
  rows.forEach(function (row) {
    row.review = reviewStatus(row);
    row.year = year(row);
    row.words = [row.title, row.type.join(" "), row.publisher.join(" ")].join(" ").toLowerCase();
  });

  function values(row, facet) {
    if (facet === "review") return [row.review];
    if (facet === "year") return [row.year];
    return row[facet].length ? row[facet] : ["(none)"];
  }

  // ------------------------------------------------------------------ the address

  function readHash() {
    var s = copy(DEFAULT);
    var params = new URLSearchParams(location.hash.replace(/^#/, ""));
    if (params.has("q")) s.q = params.get("q");
    FACETS.forEach(function (f) { s[f] = params.getAll(f); });
    if (params.has("entity")) s.entity = params.get("entity");
    var sort = params.get("sort");
    if (sort && COLUMNS.some(function (c) { return c.key === sort; })) s.sort = sort;
    if (params.get("dir") === "asc" || params.get("dir") === "desc") s.dir = params.get("dir");
    var page = parseInt(params.get("page") || "1", 10);
    s.page = page > 0 ? page : 1;
    var size = parseInt(params.get("size") || "", 10);
    if (data.pageSizes.indexOf(size) >= 0) s.size = size;
    return s;
  }
  function writeHash() {
    var params = new URLSearchParams();
    if (state.q) params.set("q", state.q);
    FACETS.forEach(function (f) { state[f].forEach(function (v) { params.append(f, v); }); });
    if (state.entity) params.set("entity", state.entity);
    if (state.sort !== DEFAULT.sort || state.dir !== DEFAULT.dir) { params.set("sort", state.sort); params.set("dir", state.dir); }
    if (state.page > 1) params.set("page", String(state.page));
    if (state.size !== DEFAULT.size) params.set("size", String(state.size));
    var hash = params.toString();
    if (("#" + hash) !== location.hash && !(hash === "" && location.hash === "")) {
      history.replaceState(null, "", hash ? "#" + hash : location.pathname + location.search);
    }
  }

  // ------------------------------------------------------------------ filtering and sorting

  function matches(row, except) {
    if (state.q) {
      var words = state.q.toLowerCase().split(/\s+/).filter(Boolean);
      if (!words.every(function (w) { return row.words.indexOf(w) >= 0; })) return false;
    }
    for (var i = 0; i < FACETS.length; i++) {
      var f = FACETS[i];
      if (f === except || !state[f].length) continue;
      var have = values(row, f);
      if (!state[f].some(function (v) { return have.indexOf(v) >= 0; })) return false;
    }
    if (state.entity && except !== "entity" && row.mentions.indexOf(entityAt[state.entity]) < 0) return false;
    return true;
  }

  function sortKey(row, column) {
    if (column.date) return pad(row[column.key]);
    if (column.number) return row[column.key];
    var value = row[column.key];
    return (Array.isArray(value) ? value.join(", ") : value).toLowerCase();
  }

  function filtered() {
    var column = COLUMNS.filter(function (c) { return c.key === state.sort; })[0] || COLUMNS[3];
    var list = rows.filter(function (r) { return matches(r, null); });
    var sign = state.dir === "asc" ? 1 : -1;
    list.sort(function (a, b) {
      var x = sortKey(a, column), y = sortKey(b, column);
      var emptyX = x === "" || (Array.isArray(a[column.key]) && !a[column.key].length);
      var emptyY = y === "" || (Array.isArray(b[column.key]) && !b[column.key].length);
      if (emptyX !== emptyY) return emptyX ? 1 : -1;  // undated (or empty) rows last, whichever way
      if (x < y) return -sign;
      if (x > y) return sign;
      return a.title.localeCompare(b.title, "en-GB");
    });
    return list;
  }

  // ------------------------------------------------------------------ drawing

  function drawFacets() {
    FACETS.forEach(function (f) {
      var box = $("facet-" + f);
      var legend = box.querySelector("legend");
      box.textContent = "";
      box.appendChild(legend);
      var counts = {};
      rows.forEach(function (r) {
        if (!matches(r, f)) return;
        values(r, f).forEach(function (v) { counts[v] = (counts[v] || 0) + 1; });
      });
      var all = {};
      rows.forEach(function (r) { values(r, f).forEach(function (v) { all[v] = true; }); });
      var options = f === "review"
        ? REVIEW.filter(function (p) { return all[p[0]]; })
        : Object.keys(all).sort(function (a, b) {
            if (f === "year") return a === "Undated" ? 1 : b === "Undated" ? -1 : b.localeCompare(a);
            return a.localeCompare(b, "en-GB");
          }).map(function (v) { return [v, v]; });
      options.forEach(function (pair, k) {
        var id = "facet-" + f + "-" + k;
        var input = el("input", { type: "checkbox", id: id, value: pair[0], "data-facet": f });
        input.checked = state[f].indexOf(pair[0]) >= 0;
        box.appendChild(el("label", { "for": id }, [input, pair[1], el("span", { className: "facet-count", text: String(counts[pair[0]] || 0) })]));
      });
    });
    var select = $("facet-entity");
    if (select.options.length === 1) {
      data.entities.forEach(function (pair) { select.appendChild(el("option", { value: pair[0], text: pair[1] })); });
    }
    select.value = state.entity;
  }

  function cellFor(row, column) {
    var td = el("td");
    if (column.key === "title") {
      td.appendChild(row.page ? el("a", { href: root + row.page, text: row.title }) : document.createTextNode(row.title));
    } else if (column.date) {
      td.className = "date";
      var text = row[column.key + "Text"];
      if (text) td.appendChild(el("time", { datetime: row[column.key], text: text }));
      if (column.key === "reviewDue" && row.review === "overdue") {
        td.classList.add("overdue");
        td.appendChild(document.createTextNode(" (passed)"));
      }
    } else if (column.number) {
      td.className = "num";
      td.textContent = String(row[column.key]);
    } else {
      td.textContent = row[column.key].join(", ");
    }
    return td;
  }

  function draw() {
    var list = filtered();
    var pages = Math.max(1, Math.ceil(list.length / state.size));
    if (state.page > pages) state.page = pages;
    var start = (state.page - 1) * state.size;
    var shown = list.slice(start, start + state.size);
    var head = $("doc-head");
    head.textContent = "";
    COLUMNS.forEach(function (column) {
      var th = el("th", { scope: "col" });
      if (state.sort === column.key) th.setAttribute("aria-sort", state.dir === "asc" ? "ascending" : "descending");
      var button = el("button", { type: "button", "data-sort": column.key, text: column.label });
      th.appendChild(button);
      head.appendChild(th);
    });
    var body = $("doc-body");
    body.textContent = "";
    shown.forEach(function (row) {
      var tr = el("tr", { "data-iri": row.iri });
      COLUMNS.forEach(function (column) { tr.appendChild(cellFor(row, column)); });
      body.appendChild(tr);
    });
    $("doc-status").textContent = list.length === rows.length
      ? "All " + rows.length + " documents."
      : list.length + " of " + rows.length + " documents match.";
    $("doc-page-of").textContent = "Page " + state.page + " of " + pages;
    $("doc-prev").disabled = state.page <= 1;
    $("doc-next").disabled = state.page >= pages;
    $("doc-size").value = String(state.size);
    $("doc-text").value = state.q;
    var reviewView = state.review.length === 2 && state.review.indexOf("overdue") >= 0 && state.review.indexOf("soon") >= 0;
    $("doc-review-due").setAttribute("aria-pressed", reviewView ? "true" : "false");
    drawFacets();
    writeHash();
  }

  // ------------------------------------------------------------------ CSV

  function csvCell(value) {
    var text = String(value == null ? "" : value);
    if (/^[=+\-@]/.test(text)) text = "'" + text;  // a spreadsheet must not read a title as a formula
    return /[",\n\r]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }
  function csv(list) {
    var header = ["title", "type", "publisher", "issued", "modified", "review due", "review", "entities", "iri"];
    var lines = [header.join(",")];
    var label = {};
    REVIEW.forEach(function (p) { label[p[0]] = p[1]; });
    list.forEach(function (r) {
      lines.push([r.title, r.type.join("; "), r.publisher.join("; "), r.issued, r.modified, r.reviewDue, label[r.review], r.entities, r.iri].map(csvCell).join(","));
    });
    return lines.join("\r\n") + "\r\n";
  }
  function download() {
    var blob = new Blob(["\ufeff" + csv(filtered())], { type: "text/csv;charset=utf-8" });
    var url = URL.createObjectURL(blob);
    var a = el("a", { href: url, download: "documents.csv" });
    document.body.appendChild(a);
    a.click();
    document.body.removeChild(a);
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }

  // ------------------------------------------------------------------ events

  $("doc-facets").addEventListener("change", function (event) {
    var input = event.target;
    if (input.id === "facet-entity") {
      state.entity = input.value;
    } else if (input.getAttribute("data-facet")) {
      var f = input.getAttribute("data-facet");
      state[f] = state[f].filter(function (v) { return v !== input.value; });
      if (input.checked) state[f].push(input.value);
    }
    state.page = 1;
    var focused = input.id;
    draw();
    var again = $(focused);
    if (again) again.focus();
  });
  $("doc-facets").addEventListener("submit", function (event) { event.preventDefault(); });
  $("doc-text").addEventListener("input", function () { state.q = $("doc-text").value.trim(); state.page = 1; draw(); });
  $("doc-head").addEventListener("click", function (event) {
    var button = event.target.closest("button[data-sort]");
    if (!button) return;
    var key = button.getAttribute("data-sort");
    if (state.sort === key) state.dir = state.dir === "asc" ? "desc" : "asc";
    else { state.sort = key; state.dir = key === "title" || key === "type" || key === "publisher" || key === "reviewDue" ? "asc" : "desc"; }
    draw();
    var again = document.querySelector('#doc-head button[data-sort="' + key + '"]');
    if (again) again.focus();
  });
  $("doc-prev").addEventListener("click", function () { state.page -= 1; draw(); });
  $("doc-next").addEventListener("click", function () { state.page += 1; draw(); });
  data.pageSizes.forEach(function (n) { $("doc-size").appendChild(el("option", { value: String(n), text: String(n) })); });
  $("doc-size").addEventListener("change", function () { state.size = parseInt($("doc-size").value, 10); state.page = 1; draw(); });
  $("doc-review-due").addEventListener("click", function () {
    state = copy(DEFAULT);
    state.review = ["overdue", "soon"];
    state.sort = "reviewDue";
    state.dir = "asc";
    draw();
  });
  $("doc-reset").addEventListener("click", function () { state = copy(DEFAULT); draw(); });
  $("doc-csv").addEventListener("click", download);
  window.addEventListener("hashchange", function () { state = readHash(); draw(); });

  window.kgDocuments = { csv: function () { return csv(filtered()); }, state: function () { return copy(state); } };
  app.hidden = false;
  state = readHash();
  draw();
})();
