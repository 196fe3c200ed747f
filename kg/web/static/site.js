/* Small enhancements of the site's pages; every page reads fine without them.
 * Vocabulary: a filter box over the concept trees, expand all / collapse all.
 * Timeline: show or hide kinds of events.
 * Home: the Find box opens the page of a name or acronym, or lists the names that contain the words.
 * A type's page: a filter box over its entities.
 * No data is ever written as HTML: only classes, attributes and textContent change. */
(function () {
  "use strict";

  function norm(text) {
    return (text || "").toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(/[^a-z0-9&]+/g, " ").trim();
  }

  function vocabulary() {
    var tools = document.getElementById("vocab-tools");
    var input = document.getElementById("vocab-filter");
    if (!tools || !input) return;
    tools.hidden = false;
    var status = document.getElementById("vocab-filter-status");
    var none = document.getElementById("vocab-none");
    var items = Array.prototype.slice.call(document.querySelectorAll(".tree li[data-text]"));
    items.forEach(function (li) { li._kgText = norm(li.getAttribute("data-text")); });
    var saved = null; // the open state of every <details> before filtering began

    function setAll(open) {
      document.querySelectorAll(".scheme details").forEach(function (d) { d.open = open; });
    }
    document.getElementById("vocab-expand").addEventListener("click", function () { setAll(true); });
    document.getElementById("vocab-collapse").addEventListener("click", function () { setAll(false); });

    function apply() {
      var query = norm(input.value);
      if (!query) {
        items.forEach(function (li) { li.hidden = false; li.classList.remove("match"); });
        document.querySelectorAll(".scheme").forEach(function (s) { s.hidden = false; });
        if (saved) { saved.forEach(function (pair) { pair[0].open = pair[1]; }); saved = null; }
        status.textContent = "";
        none.hidden = true;
        return;
      }
      if (!saved) {
        saved = Array.prototype.map.call(document.querySelectorAll(".scheme details"), function (d) { return [d, d.open]; });
      }
      var shown = 0;
      // a concept shows when it or anything under it matches; the <details> on the way down open
      function visit(li) {
        var own = li._kgText.indexOf(query) !== -1;
        var child = false;
        var list = li.querySelector(":scope > details > ul.tree");
        if (list) {
          Array.prototype.forEach.call(list.children, function (c) { if (visit(c)) child = true; });
          var det = li.querySelector(":scope > details");
          if (det) det.open = child;
        }
        li.hidden = !(own || child);
        li.classList.toggle("match", own);
        if (own) shown += 1;
        return own || child;
      }
      document.querySelectorAll(".scheme").forEach(function (section) {
        var top = section.querySelector(":scope > ul.tree");
        var any = false;
        if (top) Array.prototype.forEach.call(top.children, function (li) { if (visit(li)) any = true; });
        section.hidden = !any;
      });
      status.textContent = shown === 1 ? "1 concept matches." : shown + " concepts match.";
      none.hidden = shown !== 0;
    }
    input.addEventListener("input", apply);
    if (input.value) apply();
  }

  function timeline() {
    var tools = document.getElementById("timeline-tools");
    if (!tools) return;
    tools.hidden = false;
    function apply() {
      var on = {};
      tools.querySelectorAll("input[name=kind]").forEach(function (box) { on[box.value] = box.checked; });
      document.querySelectorAll(".timeline > li[data-kind]").forEach(function (li) {
        li.hidden = !on[li.getAttribute("data-kind")];
      });
      document.querySelectorAll("section.year").forEach(function (year) {
        year.hidden = !year.querySelector(".timeline > li[data-kind]:not([hidden])");
      });
    }
    tools.addEventListener("change", apply);
    apply();
  }

  function find() {
    var form = document.getElementById("find");
    var input = document.getElementById("find-input");
    var results = document.getElementById("find-results");
    if (!form || !input || !results) return;
    var options = Array.prototype.map.call(document.querySelectorAll("#find-names option"), function (o) {
      return { name: o.value, key: norm(o.value), label: o.getAttribute("data-label"), page: o.getAttribute("data-page") };
    });
    function show(matches, text) {
      results.textContent = "";
      if (!matches.length) {
        var li = document.createElement("li");
        li.textContent = "Nothing is called \u201c" + text + "\u201d. Try fewer words, or the map's search.";
        results.appendChild(li);
        return;
      }
      var seen = {};
      matches.forEach(function (m) {
        if (seen[m.page] || Object.keys(seen).length >= 20) return;
        seen[m.page] = true;
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = m.page;
        a.textContent = m.label;
        li.appendChild(a);
        if (m.name !== m.label) {
          var also = document.createElement("span");
          also.className = "muted";
          also.textContent = " (" + m.name + ")";
          li.appendChild(also);
        }
        results.appendChild(li);
      });
    }
    function item(href, label, extra, count) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = href;
      a.textContent = label;
      li.appendChild(a);
      var note = [];
      if (extra) note.push(extra);
      if (typeof count === "number") note.push(count === 1 ? "1 document" : count + " documents");
      if (note.length) {
        var also = document.createElement("span");
        also.className = "muted";
        also.textContent = " (" + note.join(", ") + ")";
        li.appendChild(also);
      }
      return li;
    }
    /** The same rules as every other search (window.KGFind over names-data.js, made by Python). */
    function findWithIndex(text) {
      var root = form.getAttribute("data-root") || "";
      var answer = window.KGFind.find(text);
      if (answer.exact.length === 1) {  // one entity has the name; a name with two senses lists both
        window.location.href = root + answer.exact[0].page;
        return;
      }
      results.textContent = "";
      answer.exact.concat(answer.partial).slice(0, 20).forEach(function (e) {
        results.appendChild(item(root + e.page, e.label, answer.matched[e.iri] || e.context || "", e.documents));
      });
      answer.documents.slice(0, 10).forEach(function (d) {
        results.appendChild(item(root + d.page, d.title, "document", null));
      });
      if (!results.children.length) {
        var li = document.createElement("li");
        if (answer.suggestions.length) {
          li.appendChild(document.createTextNode("Nothing is called \u201c" + text + "\u201d. Did you mean "));
          answer.suggestions.forEach(function (e, i) {
            if (i) li.appendChild(document.createTextNode(" or "));
            var a = document.createElement("a");
            a.href = root + e.page;
            a.className = "did-you-mean";
            a.textContent = e.label;
            li.appendChild(a);
          });
          li.appendChild(document.createTextNode("?"));
        } else {
          li.textContent = "Nothing is called \u201c" + text + "\u201d. Try fewer words, or the map's search.";
        }
        results.appendChild(li);
      }
      if (window.KGFind.documentsMissing()) {
        var note = document.createElement("li");
        note.className = "muted";
        note.textContent = "The documents' titles (names-documents.js) could not be read, so no document is listed: rebuild the site with kg site.";
        results.appendChild(note);
      }
    }
    if (window.KGFind) {  // the titles are read when the box is first used, not with the page
      input.addEventListener("focus", function () { window.KGFind.withDocuments(function () {}); });
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (window.KGFind) {
        var text = input.value.trim();
        if (text) window.KGFind.withDocuments(function () { findWithIndex(text); });
        return;
      }
      var key = norm(input.value);
      if (!key) return;
      var exact = options.filter(function (o) { return o.key === key; });
      var pages = {};
      exact.forEach(function (o) { pages[o.page] = true; });
      if (exact.length && Object.keys(pages).length === 1) {
        window.location.href = exact[0].page;
        return;
      }
      var words = key.split(" ");
      var partial = options.filter(function (o) {
        return words.every(function (w) { return (" " + o.key + " ").indexOf(" " + w) >= 0; });
      });
      show(exact.concat(partial.filter(function (o) { return exact.indexOf(o) < 0; })), input.value.trim());
    });
  }

  function typeFilter() {
    var tools = document.getElementById("type-tools");
    var input = document.getElementById("type-filter");
    if (!tools || !input) return;
    tools.hidden = false;
    var status = document.getElementById("type-filter-status");
    var none = document.getElementById("type-none");
    var sections = Array.prototype.slice.call(document.querySelectorAll("#type-list section"));
    var items = Array.prototype.slice.call(document.querySelectorAll("#type-list li[data-text]"));
    items.forEach(function (li) { li._kgText = " " + norm(li.getAttribute("data-text")); });
    input.addEventListener("input", function () {
      var words = norm(input.value).split(" ").filter(Boolean);
      var shown = 0;
      items.forEach(function (li) {
        var match = words.every(function (w) { return li._kgText.indexOf(" " + w) !== -1; });
        li.hidden = !match;
        if (match) shown += 1;
      });
      sections.forEach(function (section) { section.hidden = !section.querySelector("li:not([hidden])"); });
      status.textContent = words.length ? (shown === 1 ? "1 entity" : shown + " entities") : "";
      none.hidden = !words.length || shown > 0;
    });
  }

  vocabulary();
  typeFilter();
  timeline();
  find();
})();
