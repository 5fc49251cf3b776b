/**
 * The web UI's one stylesheet and one client script, served from memory (nothing is fetched
 * from the internet). The script only adds live updates and log filtering: every page works
 * without it.
 *
 * @module
 */

/** `app.css`: the whole stylesheet. Colours pass WCAG AA contrast on their backgrounds, and
 * every status also shows its word and a symbol. */
export const STYLESHEET = `
:root{--fg:#1b1f24;--muted:#4b5563;--bg:#fff;--line:#d0d7de;--accent:#0b5cad;
--ok:#116329;--ok-bg:#dafbe1;--fail:#a40e26;--fail-bg:#ffebe9;--warn:#7d4e00;--warn-bg:#fff8c5;
--wait:#0550ae;--wait-bg:#ddf4ff;--skip:#424a53;--skip-bg:#eaeef2}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg)}
a{color:var(--accent)}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible,summary:focus-visible{outline:3px solid #e36209;outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5em}
.skip:focus{left:.5em;z-index:9}
header{display:flex;flex-wrap:wrap;align-items:center;gap:1em;padding:.6em 1.2em;border-bottom:1px solid var(--line);background:#f6f8fa}
header .brand{font-weight:700;color:var(--fg);text-decoration:none}
header nav ul{display:flex;flex-wrap:wrap;gap:.2em;list-style:none;margin:0;padding:0}
header nav a{display:block;padding:.3em .7em;border-radius:6px;text-decoration:none;color:var(--fg)}
header nav a[aria-current=page]{background:var(--fg);color:#fff}
header form{margin-left:auto}
main{padding:1em 1.2em;max-width:1200px}
h1{font-size:1.5em;margin:.3em 0 .6em}h2{font-size:1.2em;margin:1.4em 0 .5em}h3{font-size:1.05em;margin:1em 0 .4em}
table{border-collapse:collapse;width:100%;margin:.4em 0}
th,td{text-align:left;padding:.35em .6em;border-bottom:1px solid var(--line);vertical-align:top}
th{background:#f6f8fa;font-weight:600}th .muted{font-weight:400}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
pre{background:#f6f8fa;border:1px solid var(--line);padding:.6em;overflow:auto;max-height:28em;white-space:pre-wrap;word-break:break-word}
.muted{color:var(--muted)}
.status{display:inline-block;padding:0 .5em;border-radius:1em;font-weight:600;font-size:.85em;white-space:nowrap;border:1px solid currentColor}
.s-SUCCESS{color:var(--ok);background:var(--ok-bg)}.s-FAILED{color:var(--fail);background:var(--fail-bg)}
.s-CANCEL{color:var(--warn);background:var(--warn-bg)}.s-WAIT{color:var(--wait);background:var(--wait-bg)}
.s-SKIP,.s-PENDING{color:var(--skip);background:var(--skip-bg)}
.alert{border:2px solid var(--fail);background:var(--fail-bg);padding:.6em .9em;border-radius:6px;margin:.6em 0}
.alert h2{margin:0 0 .3em;font-size:1.1em}
.note{border:1px solid var(--line);background:#f6f8fa;padding:.6em .9em;border-radius:6px;margin:.6em 0}
.error-text{color:var(--fail);font-weight:600}
form.params{display:grid;gap:.8em;max-width:640px}
.field label{display:block;font-weight:600}
.field input,.field select,.field textarea{width:100%;padding:.35em;border:1px solid #6e7781;border-radius:4px;font:inherit}
.field input[type=checkbox]{width:auto}
.field [aria-invalid=true]{border:2px solid var(--fail)}
.hint{font-size:.85em;color:var(--muted)}
button,.button{font:inherit;padding:.35em .9em;border-radius:6px;border:1px solid #1f2328;background:#f6f8fa;color:var(--fg);cursor:pointer;text-decoration:none;display:inline-block}
button.primary{background:#1f883d;border-color:#1a7f37;color:#fff}
button.danger{background:#fff;border-color:var(--fail);color:var(--fail)}
.actions{display:flex;flex-wrap:wrap;gap:.5em;margin:.6em 0}
.actions form{margin:0}
.filters{display:flex;flex-wrap:wrap;gap:.8em;align-items:flex-end;margin:.4em 0 .8em}
.filters label{display:block;font-size:.85em;font-weight:600}
.filters input,.filters select{padding:.3em;border:1px solid #6e7781;border-radius:4px;font:inherit}
.graph{overflow:auto;border:1px solid var(--line);border-radius:6px;padding:.4em;background:#fff}
.graph svg{display:block;max-width:100%;height:auto}
svg .node rect{stroke:#1f2328;stroke-width:1.5}
svg .node.s-SUCCESS rect{fill:var(--ok-bg)}svg .node.s-FAILED rect{fill:var(--fail-bg);stroke:var(--fail);stroke-width:3}
svg .node.s-CANCEL rect{fill:var(--warn-bg)}svg .node.s-WAIT rect{fill:var(--wait-bg);stroke-dasharray:5 3}
svg .node rect{fill:#fff}svg .node.s-SKIP rect,svg .node.s-PENDING rect{fill:var(--skip-bg)}
svg .node text{fill:var(--fg);font-size:13px}svg .node .sub{font-size:11px}
svg .edge{fill:none;stroke:#57606a;stroke-width:1.5}svg .arrow{fill:#57606a}
svg a:focus rect{stroke:#e36209;stroke-width:4}
svg .bar.s-SUCCESS{fill:#2da44e}svg .bar.s-FAILED{fill:#cf222e}svg .bar.s-CANCEL{fill:#bf8700}
svg .bar.s-WAIT{fill:#0969da}svg .bar.s-SKIP{fill:#8c959f}
svg .axis{stroke:#8c959f}svg text.lbl{font-size:12px;fill:var(--fg)}
.logs{list-style:none;margin:0;padding:0;max-height:32em;overflow:auto;border:1px solid var(--line);border-radius:6px}
.logs li{padding:.15em .6em;border-bottom:1px solid #eaeef2;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85em;word-break:break-word}
.logs .msg{white-space:pre-wrap}
.logs li.l-error{background:var(--fail-bg)}.logs li.l-warning{background:var(--warn-bg)}
.lvl{display:inline-block;min-width:4.5em;font-weight:700}
.jobs details{border:1px solid var(--line);border-radius:6px;margin:.4em 0;padding:.3em .7em}
.jobs summary{cursor:pointer;font-weight:600}
.pager{display:flex;gap:1em;margin:.8em 0}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em;margin:.4em 0}
dl.kv dt{font-weight:600}dl.kv dd{margin:0}
.login{max-width:420px;margin:3em auto;border:1px solid var(--line);border-radius:8px;padding:1.2em 1.5em}
.login input{width:100%;padding:.4em;font:inherit;border:1px solid #6e7781;border-radius:4px;margin:.3em 0 .8em}
[hidden]{display:none!important}
`;

/** `app.js`: live updates of a running run's page from its event stream, and log filters. */
export const CLIENT_SCRIPT = `"use strict";
(function () {
  function filterLogs() {
    var list = document.getElementById("log-lines");
    if (!list) return;
    var levelBox = document.getElementById("log-level");
    var searchBox = document.getElementById("log-search");
    var order = { debug: 0, info: 1, warning: 2, error: 3 };
    var min = levelBox ? order[levelBox.value] || 0 : 0;
    var text = searchBox ? searchBox.value.toLowerCase() : "";
    var shown = 0;
    var rows = list.children;
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i];
      var ok = (order[row.getAttribute("data-level")] || 0) >= min &&
        (!text || row.textContent.toLowerCase().indexOf(text) >= 0);
      row.hidden = !ok;
      if (ok) shown++;
    }
    var count = document.getElementById("log-count");
    if (count) count.textContent = shown + " of " + rows.length + " lines shown";
  }
  function wireFilters() {
    var form = document.getElementById("log-filter");
    if (!form) return;
    form.addEventListener("submit", function (e) { e.preventDefault(); filterLogs(); });
    form.addEventListener("input", filterLogs);
    form.addEventListener("change", filterLogs);
  }
  wireFilters();
  var main = document.getElementById("main");
  var live = main && main.getAttribute("data-live-events");
  if (!live || typeof EventSource !== "function") return;
  var busy = false, again = false, ended = false;
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    var level = document.getElementById("log-level");
    var search = document.getElementById("log-search");
    var keep = { level: level && level.value, search: search && search.value };
    fetch(location.href, { credentials: "same-origin", headers: { "x-ui-partial": "1" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (text) {
        if (text === null) return;
        var doc = new DOMParser().parseFromString(text, "text/html");
        var next = doc.getElementById("run-body");
        var current = document.getElementById("run-body");
        if (next && current) current.replaceWith(document.importNode(next, true));
        var l = document.getElementById("log-level"), s = document.getElementById("log-search");
        if (l && keep.level) l.value = keep.level;
        if (s && keep.search) s.value = keep.search;
        wireFilters();
        filterLogs();
        var status = document.getElementById("run-status");
        if (status) status.setAttribute("aria-busy", ended ? "false" : "true");
      })
      .catch(function () {})
      .then(function () {
        busy = false;
        if (again) { again = false; refresh(); }
      });
  }
  // Events that arrive while a refresh is in flight are folded into one more refresh.
  function soon() { refresh(); }
  var source = new EventSource(live);
  var types = ["run-start", "run-end", "job-start", "job-end", "strategy-start", "strategy-end",
    "stage-start", "stage-end", "log"];
  types.forEach(function (t) { source.addEventListener(t, soon); });
  source.addEventListener("end", function () {
    ended = true;
    source.close();
    refresh();
  });
  source.onerror = function () { if (ended) source.close(); };
})();
`;
