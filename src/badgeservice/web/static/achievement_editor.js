// The achievement editor's preview, kept fresh while typing (progressive enhancement: without
// this file the Preview button does the same). Once a preview is shown, a change to the form
// posts it again as a preview, a moment after the last keystroke, and swaps the new preview in.
(function () {
  "use strict";
  var form = document.querySelector("form.achievement-editor");
  if (!form || !window.fetch || !window.DOMParser) return;
  var timer = null;
  var running = null;

  function refresh() {
    var shown = document.getElementById("preview");
    if (!shown) return;
    var data = new FormData(form);
    data.set("action", "preview");
    if (running) running.abort();
    running = new AbortController();
    fetch(form.action, {method: "POST", body: data, credentials: "same-origin",
                        signal: running.signal})
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("preview");
        var current = document.getElementById("preview");
        if (fresh && current) current.replaceWith(fresh);
      })
      .catch(function () {});
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 800);
  }

  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();
