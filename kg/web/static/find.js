/* The offline pages' search (home page's Find box, the map's search), over window.KG_NAMES.
 *
 * KG_NAMES is written by Python at site build (kg/web/finding.py): the normal form's rules, every
 * key of every entity name (spellings and plurals included), the typo budget, the entities with
 * their pages and document counts. The documents' titles are a file of their own (KG_NAMES.documentsFile,
 * beside names-data.js), read the first time a page asks for them (withDocuments): they grow with the
 * library and the map never searches them. This script only normalises what was typed with those rules,
 * looks the key up, and measures a small edit distance for "did you mean".
 */
(function () {
  "use strict";
  var data = window.KG_NAMES;
  if (!data) return;
  var drop = data.rules.drop, keep = data.rules.keep;
  var british = new RegExp(data.rules.british, "g");
  var letter = /[\p{L}\p{N}]/u;
  var keyList = Object.keys(data.keys);

  /** The normal form of kg.ingest.labels.normalise: letters and digits, lower case, one space between words. */
  function norm(text) {
    var out = "", pending = false;
    Array.from(text || "").forEach(function (ch) {
      if (drop.indexOf(ch) >= 0) return;
      if (letter.test(ch) || keep.indexOf(ch) >= 0) {
        if (pending && out) out += " ";
        pending = false;
        out += ch.toLowerCase();
      } else {
        pending = true;
      }
    });
    return out.replace(british, data.rules.britishTo);
  }

  function budget(key) {
    return data.typoSteps.filter(function (step) { return key.length >= step; }).length;
  }

  /** Optimal string alignment distance (insert, delete, change, swap two neighbours), or limit + 1 beyond it. */
  function distance(a, b, limit) {
    if (Math.abs(a.length - b.length) > limit) return limit + 1;
    var rows = [];
    for (var i = 0; i <= a.length; i++) {
      rows.push([i]);
      for (var j = 1; j <= b.length; j++) rows[i].push(i === 0 ? j : 0);
    }
    for (i = 1; i <= a.length; i++) {
      var best = limit + 1;
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var d = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2][j - 2] + 1);
        rows[i][j] = d;
        if (d < best) best = d;
      }
      if (best > limit) return limit + 1;
    }
    return rows[a.length][b.length];
  }

  var waiting = null, missing = false;
  function titles() { return window.KG_NAME_DOCUMENTS || []; }

  /** Read the documents' titles once (a script beside names-data.js), then call back; at once if read. */
  function withDocuments(callback) {
    if (window.KG_NAME_DOCUMENTS || !data.documentsFile || missing) { callback(); return; }
    if (waiting) { waiting.push(callback); return; }
    waiting = [callback];
    var names = document.querySelector("script[src$='names-data.js']");
    var script = document.createElement("script");
    script.src = names ? names.src.replace(/names-data\.js$/, data.documentsFile) : data.documentsFile;
    function done() {
      if (!window.KG_NAME_DOCUMENTS) missing = true;
      var calls = waiting;
      waiting = null;
      calls.forEach(function (call) { call(); });
    }
    script.onload = done;
    script.onerror = done;
    document.head.appendChild(script);
  }

  function hasWords(key, words) {
    var spaced = " " + key;
    return words.every(function (w) { return spaced.indexOf(" " + w) >= 0; });
  }

  /** What a typed text finds: exact (the entities it names), partial (names holding its words),
   * documents (titles holding its words) and suggestions (names within a typo or two, when nothing else). */
  function find(text, limit) {
    limit = limit || 20;
    var key = norm(text);
    var answer = { key: key, exact: [], partial: [], documents: [], suggestions: [] };
    if (!key) return answer;
    var exact = (data.keys[key] || []).map(function (n) { return data.entities[n]; });
    var plain = exact.filter(function (e) { return !e.context; });
    answer.exact = plain.length ? plain.concat(exact.filter(function (e) { return e.context; })) : exact;
    answer.plain = plain.length ? plain : exact;
    var seen = {};
    answer.exact.forEach(function (e) { seen[e.iri] = true; });
    var words = key.split(" ");
    var partial = [];
    keyList.forEach(function (k) {
      if (k === key || !hasWords(k, words)) return;
      data.keys[k].forEach(function (n) {
        var e = data.entities[n];
        var rank = (k.indexOf(key) === 0 ? 0 : 1) * 1000 + k.length;
        if (!seen[e.iri] || (seen[e.iri].rank !== undefined && rank < seen[e.iri].rank)) {
          seen[e.iri] = { rank: rank };
          partial.push({ entity: e, rank: rank, key: k });
        }
      });
    });
    var best = {};
    partial.forEach(function (p) { if (!best[p.entity.iri] || p.rank < best[p.entity.iri].rank) best[p.entity.iri] = p; });
    answer.partial = Object.keys(best).map(function (iri) { return best[iri]; }).sort(function (a, b) {
      return a.rank - b.rank || (b.entity.documents - a.entity.documents) || a.entity.label.localeCompare(b.entity.label);
    }).slice(0, limit).map(function (p) { return p.entity; });
    answer.matched = {};  // IRI -> the other name whose words matched, for "Label (name)"
    answer.partial.forEach(function (e) {
      if (hasWords(norm(e.label), words)) return;
      var name = (e.names || []).filter(function (n) { return hasWords(norm(n), words); })[0];
      if (name) answer.matched[e.iri] = name;
    });
    answer.documents = titles().filter(function (d) { return hasWords(d.key, words); }).slice(0, limit);
    if (!answer.exact.length && !answer.partial.length && !answer.documents.length) {
      var allowed = budget(key), close = {};
      if (allowed) {
        keyList.forEach(function (k) {
          var d = distance(key, k, allowed);
          if (d > allowed) return;
          data.keys[k].forEach(function (n) {
            if (close[n] === undefined || d < close[n]) close[n] = d;
          });
        });
      }
      answer.suggestions = Object.keys(close).map(Number).sort(function (a, b) {
        return close[a] - close[b] || data.entities[a].label.localeCompare(data.entities[b].label);
      }).slice(0, 5).map(function (n) { return data.entities[n]; });
    }
    return answer;
  }

  window.KGFind = {
    find: find, norm: norm, distance: distance, data: data, withDocuments: withDocuments,
    /** True once the documents' file was asked for and could not be read. */
    documentsMissing: function () { return missing; }
  };
})();
