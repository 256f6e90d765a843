/* Registry workbook upload: POST to the API with the session cookie, then poll the job. */
(function () {
  "use strict";
  var form = document.getElementById("workbook-form");
  if (!form || !window.fetch) { return; }
  var text = JSON.parse(document.getElementById("workbook-messages").textContent);
  var box = document.getElementById("workbook-status");
  var fill = box.querySelector(".progress-fill");
  var percent = box.querySelector(".progress-text");
  var line = box.querySelector(".status-line");
  var counts = box.querySelector(".sheet-counts");

  function show(progress, message) {
    var value = Math.round((progress || 0) * 100);
    fill.style.width = value + "%";
    percent.textContent = value + "%";
    line.textContent = message;
  }

  function cell(tag, value) {
    var element = document.createElement(tag);
    element.textContent = value;
    return element;
  }

  function report(result) {
    counts.textContent = "";
    if (!result || !result.sheets) { return; }
    var table = document.createElement("table");
    var head = document.createElement("tr");
    ["sheet", "inserted", "updated", "unchanged", "rejected"].forEach(function (key) {
      head.appendChild(cell("th", text[key]));
    });
    table.appendChild(head);
    Object.keys(result.sheets).forEach(function (sheet) {
      var row = document.createElement("tr");
      row.appendChild(cell("td", sheet));
      ["inserted", "updated", "unchanged", "rejected"].forEach(function (key) {
        row.appendChild(cell("td", result.sheets[sheet][key]));
      });
      table.appendChild(row);
    });
    var wrap = document.createElement("div");
    wrap.className = "table-wrap";
    wrap.appendChild(table);
    counts.appendChild(wrap);
    var list = document.createElement("ul");
    (result.errors || []).slice(0, 50).forEach(function (error) {
      list.appendChild(cell("li", error.sheet + " " + (error.row ? text.row + " " + error.row + " " : "") +
        (error.column ? error.column + " " : "") + error.message));
    });
    counts.appendChild(list);
  }

  function poll(url) {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (job) {
        if (job.status === "succeeded") {
          show(1, text.succeeded);
          report(job.result);
        } else if (job.status === "failed") {
          show(job.progress, text.failed + (job.message || ""));
          report(job.result);
        } else {
          show(job.progress, text[job.status] || job.status);
          window.setTimeout(function () { poll(url); }, 1000);
        }
      })
      .catch(function (error) { line.textContent = text.error + error; });
  }

  // Writes signed in by the session cookie carry the page's CSRF token.
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var data = new FormData(form);
    box.hidden = false;
    counts.textContent = "";
    show(0, text.uploading);
    fetch(form.getAttribute("data-upload-url"), {
      method: "POST", body: data, credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() }
    })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (answer) {
        if (!answer.ok) { show(0, text.error + (answer.body.message || "")); return; }
        poll(form.getAttribute("data-job-url").replace(/0$/, String(answer.body.id)));
      })
      .catch(function (error) { show(0, text.error + error); });
  });
})();
