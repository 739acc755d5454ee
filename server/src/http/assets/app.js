// Live preview for the editor: after a pause in typing, the text goes to POST /api/preview
// (with the session's CSRF token from the page's meta tag) and the problems and preview are
// replaced. The page works the same without this script: "Check and preview" does it by form.
// Everything returned is inserted as text, except the preview, which the server renders from
// the Block model with every value escaped.
(function () {
  "use strict";
  var form = document.getElementById("editor-form");
  var source = document.getElementById("source");
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (!form || !source || !meta) { return; }
  var path = form.getAttribute("data-path");
  var timer = null;
  var seq = 0;

  function problemsList(problems) {
    var box = document.getElementById("problems");
    var fresh;
    if (!problems.length) {
      fresh = document.createElement("p");
      fresh.className = "ok";
      fresh.textContent = "No problems found.";
    } else {
      fresh = document.createElement("ul");
      fresh.className = "problems";
      problems.forEach(function (p) {
        var li = document.createElement("li");
        li.className = p.severity;
        var where = (p.path !== path ? p.path + ":" : "") + "line " + p.line;
        li.textContent = where + ": " + p.severity + ": " + p.message;
        fresh.appendChild(li);
      });
    }
    fresh.id = "problems";
    box.replaceWith(fresh);
  }

  function refresh() {
    var mine = ++seq;
    var body = { source: source.value.replace(/\r\n/g, "\n") };
    if (path && path.indexOf("<") === -1) { body.path = path; }
    fetch("/api/preview", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": meta.getAttribute("content") },
      body: JSON.stringify(body)
    }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
      if (!data || mine !== seq) { return; }
      problemsList(data.problems || []);
      var preview = document.getElementById("preview");
      if (data.preview_html) {
        preview.innerHTML = data.preview_html;
      } else {
        preview.textContent = "No preview while the page has errors.";
      }
    }).catch(function () { /* the form's own button still works */ });
  }

  source.addEventListener("input", function () {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(refresh, 700);
  });

  // Problem links move the cursor to their line.
  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("a[data-line]");
    if (!a) { return; }
    e.preventDefault();
    var line = parseInt(a.getAttribute("data-line"), 10) || 1;
    var lines = source.value.split("\n");
    var pos = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) { pos += lines[i].length + 1; }
    source.focus();
    source.setSelectionRange(pos, pos + (lines[line - 1] || "").length);
  });
})();

// A chosen CSV file is read into the form's text box (the form posts text, so the upload
// works the same when a CSV is pasted instead, or without this script).
(function () {
  "use strict";
  document.querySelectorAll("input[type=file][data-into]").forEach(function (input) {
    input.addEventListener("change", function () {
      var target = document.getElementById(input.getAttribute("data-into"));
      var file = input.files && input.files[0];
      if (!target || !file) { return; }
      file.text().then(function (text) { target.value = text; });
    });
  });
})();
