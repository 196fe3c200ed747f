/* Completion for the query page's SPARQL editor (CodeMirror 5's show-hint addon).
 *
 * At the cursor's word it offers: declared prefixes ("sk" → skos:); for kgid: the entities whose
 * names start with what was typed, from /api/names (the server's name resolver: kgid:acc →
 * kgid:accountable-care-organisation); for other prefixes the classes and properties the store
 * uses (read once with two small SPARQL queries); and SPARQL keywords.
 */
(function () {
  "use strict";
  var KEYWORDS = ["SELECT", "DISTINCT", "WHERE", "PREFIX", "OPTIONAL", "FILTER", "BIND", "VALUES", "GRAPH", "UNION",
    "MINUS", "ORDER BY", "GROUP BY", "HAVING", "LIMIT", "OFFSET", "COUNT", "SAMPLE", "CONCAT", "STR", "LANG",
    "REGEX", "CONTAINS", "STRSTARTS", "COALESCE", "EXISTS", "NOT EXISTS", "ASK", "CONSTRUCT", "DESCRIBE", "DESC", "ASC"];
  var vocabulary = null;  // ["skos:prefLabel", "kg:CareModel", ...] once loaded

  function shorten(iri, prefixes) {
    var best = null;
    Object.keys(prefixes).forEach(function (p) {
      var ns = prefixes[p];
      if (iri.indexOf(ns) === 0 && /^[\w-]*$/.test(iri.slice(ns.length)) && (!best || ns.length > prefixes[best].length)) best = p;
    });
    return best === null ? null : best + ":" + iri.slice(prefixes[best].length);
  }

  function loadVocabulary(prefixes) {
    if (vocabulary) return Promise.resolve(vocabulary);
    var query = "SELECT DISTINCT ?term WHERE { { ?s ?term ?o } UNION { ?s a ?term } } LIMIT 5000";
    return fetch("sparql", {
      method: "POST",
      headers: { Accept: "application/sparql-results+json", "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8" },
      body: new URLSearchParams({ query: query, format: "json" }).toString()
    }).then(function (r) { return r.ok ? r.json() : null; }).then(function (answer) {
      var seen = {};
      ((answer && answer.results && answer.results.bindings) || []).forEach(function (row) {
        var short = row.term && row.term.type === "uri" ? shorten(row.term.value, prefixes) : null;
        if (short && short.indexOf("kgid:") !== 0 && short.indexOf("kgdoc:") !== 0) seen[short] = true;
      });
      vocabulary = Object.keys(seen).sort();
      return vocabulary;
    }).catch(function () { vocabulary = []; return vocabulary; });
  }

  /** The word before the cursor: letters, digits, _ - . and one colon. */
  function wordAt(cm) {
    var cursor = cm.getCursor();
    var line = cm.getLine(cursor.line);
    var start = cursor.ch;
    while (start > 0 && /[\w:.-]/.test(line.charAt(start - 1))) start--;
    var word = line.slice(start, cursor.ch);
    if (/^\./.test(word)) { start++; word = word.slice(1); }
    return { word: word, from: window.CodeMirror.Pos(cursor.line, start), to: cursor };
  }

  function hint(cm, options) {
    var prefixes = options.prefixes || {};
    var at = wordAt(cm);
    var word = at.word;
    return new Promise(function (resolve) {
      var done = function (list) {
        resolve(list.length ? { list: list.slice(0, 50), from: at.from, to: at.to } : null);
      };
      var colon = word.indexOf(":");
      if (colon < 0) {
        var lower = word.toLowerCase();
        var list = Object.keys(prefixes).sort().filter(function (p) { return p.toLowerCase().indexOf(lower) === 0; })
          .map(function (p) { return { text: p + ":", displayText: p + ":  " + prefixes[p] }; });
        KEYWORDS.forEach(function (k) { if (word && k.toLowerCase().indexOf(lower) === 0) list.push({ text: k, displayText: k }); });
        done(list);
        return;
      }
      var prefix = word.slice(0, colon), local = word.slice(colon + 1);
      if (prefix === "kgid") {
        fetch("api/names?q=" + encodeURIComponent(local.replace(/-/g, " ") || "a"), { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { completions: [] }; })
          .then(function (answer) {
            var starts = [], others = [];
            (answer.completions || []).forEach(function (c) {
              var item = { text: c.kgid, displayText: c.kgid + "  " + c.label };
              (c.kgid.indexOf(word) === 0 ? starts : others).push(item);
            });
            done(starts.concat(others));
          }).catch(function () { done([]); });
        return;
      }
      loadVocabulary(prefixes).then(function (terms) {
        done(terms.filter(function (t) { return t.indexOf(word) === 0 || t.toLowerCase().indexOf(word.toLowerCase()) === 0; })
          .map(function (t) { return { text: t, displayText: t }; }));
      });
    });
  }
  hint.async = false;

  window.KGComplete = { hint: hint, wordAt: wordAt };
})();
