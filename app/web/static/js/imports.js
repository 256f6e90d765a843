/* Imports page: drag-and-drop upload to the JSON API with the session cookie, a progress bar
   polling the import every second, and the column-mapping form for unknown files.
   Without this script the form posts to the page itself, which refreshes until done. */
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form || !window.fetch || !window.FormData) { return; }
  var text = JSON.parse(document.getElementById("import-messages").textContent);
  // Failure codes by what the page offers (password field, mapping form, re-export hint).
  var failureKinds = JSON.parse(document.getElementById("import-failure-kinds").textContent);
  var fileInput = document.getElementById("file");
  var fileName = document.getElementById("file-name");
  var dropzone = document.getElementById("dropzone");
  var panel = document.getElementById("import-status");
  var mappingPanel = document.getElementById("mapping-panel");
  var mappingForm = document.getElementById("mapping-form");
  var currentFile = null;

  function url(name, id) {
    return form.getAttribute("data-" + name).replace(/\/0(\/|$)/, "/" + id + "$1");
  }

  // Writes signed in by the session cookie carry the page's CSRF token.
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');

  function getJson(address, options) {
    var settings = Object.assign({ credentials: "same-origin", headers: { Accept: "application/json" } },
      options || {});
    if (settings.method && settings.method !== "GET" && csrfMeta) {
      settings.headers = Object.assign({}, settings.headers, { "X-CSRFToken": csrfMeta.content });
    }
    return fetch(address, settings).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        return { ok: response.ok, status: response.status, body: body };
      });
    });
  }

  // -- choosing a file: the input, or a file dropped on the zone ------------------------------
  function chose(file) {
    currentFile = file || null;
    fileName.textContent = file ? text.selected + file.name : "";
    clearQuestion();
  }

  // -- the shop question: a file that names no shop, with several that fit --------------------
  var question = document.getElementById("shop-choice");
  var shopField = document.getElementById("shop-field");

  function ask(body) {
    var codes = (body.candidates || []).map(function (option) { return option.code; });
    question.querySelector("[data-shop-question]").textContent = body.message || text.chooseAmong;
    var box = question.querySelector("[data-shop-choices]");
    box.textContent = "";
    (body.candidates || []).forEach(function (option) {
      var button = document.createElement("button");
      button.type = "submit";
      button.className = "button small";
      button.name = "chosen_shop";
      button.value = option.code;
      button.textContent = option.name + " ";
      var code = document.createElement("span");
      code.className = "muted small";
      code.textContent = option.code;
      button.appendChild(code);
      box.appendChild(button);
    });
    Array.prototype.forEach.call(form.elements.shop.options, function (item) {
      var other = item.value && codes.indexOf(item.value) < 0;
      item.hidden = other;
      item.disabled = other;
    });
    shopField.classList.add("invalid");
    question.hidden = false;
    panel.hidden = true;
    question.scrollIntoView({ block: "center" });
  }

  function clearQuestion() {
    question.hidden = true;
    shopField.classList.remove("invalid");
    Array.prototype.forEach.call(form.elements.shop.options, function (item) {
      item.hidden = false;
      item.disabled = false;
    });
  }
  fileInput.addEventListener("change", function () { chose(fileInput.files[0]); });
  ["dragenter", "dragover"].forEach(function (type) {
    dropzone.addEventListener(type, function (event) {
      event.preventDefault();
      dropzone.classList.add("over");
    });
  });
  ["dragleave", "drop"].forEach(function (type) {
    dropzone.addEventListener(type, function (event) {
      event.preventDefault();
      dropzone.classList.remove("over");
    });
  });
  dropzone.addEventListener("drop", function (event) {
    var files = event.dataTransfer && event.dataTransfer.files;
    if (!files || !files.length) { return; }
    try { fileInput.files = files; } catch (ignored) { /* older browsers keep currentFile only */ }
    chose(files[0]);
  });

  // -- progress ---------------------------------------------------------------------------------
  function show(record, line) {
    panel.hidden = false;
    var progress = panel.querySelector("[data-progress]");
    var value = Math.round((record.progress || 0) * 100);
    if (record.status === "succeeded") { value = 100; }
    progress.className = "progress status-" + (record.status || "queued");
    progress.querySelector(".progress-fill").style.width = value + "%";
    progress.querySelector(".progress-text").textContent = value + "%";
    panel.querySelector("[data-status-line]").textContent = line;
    if (record.file) { panel.querySelector("[data-file]").textContent = record.file; }
    var counts = record.counts || {};
    panel.querySelectorAll("[data-count]").forEach(function (cell) {
      cell.textContent = counts[cell.getAttribute("data-count")] || 0;
    });
    var notes = panel.querySelector("[data-notes]");
    notes.textContent = "";
    (record.notes || []).forEach(function (note) {
      var item = document.createElement("li");
      item.textContent = note.count > 1 ? note.message + "（" + note.count + "）" : note.message;
      item.setAttribute("data-code", note.code);
      notes.appendChild(item);
    });
    var errorLink = panel.querySelector("[data-error-link]");
    errorLink.hidden = !(counts.rejected > 0);
    if (record.id) { errorLink.href = url("errors", record.id); }
    panel.querySelector("[data-mapping-link]").hidden = true;
    if (record.status !== "failed") { showFailureHint(null); }
  }

  // What the upload's answer says beside the import (uploaded before, queue delayed …).
  function note(messages) {
    var box = panel.querySelector("[data-upload-note]");
    box.textContent = messages.join(" ");
    box.hidden = !messages.length;
  }

  function failureKind(code) {
    return Object.keys(failureKinds).filter(function (kind) {
      return failureKinds[kind].indexOf(code) >= 0;
    })[0] || null;
  }

  function showFailureHint(kind) {
    var hint = panel.querySelector("[data-failure-hint]");
    hint.textContent = kind === "password" ? text.passwordHint
      : kind === "reexport" ? text.reexportHint : "";
    hint.hidden = !hint.textContent;
    if (kind === "password") { form.elements.password.focus(); }
  }

  // A finished import joins the history below without reloading the page (its filters kept).
  function refreshHistory(done) {
    var table = document.getElementById("import-history");
    if (!table) { done(); return; }
    fetch(window.location.href, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (page) {
        var fresh = new DOMParser().parseFromString(page, "text/html").getElementById("import-history");
        if (fresh) { table.replaceWith(fresh); }
      })
      .catch(function () { /* the history stays as it was */ })
      .then(done);
  }

  function watch(id) {
    getJson(url("status", id)).then(function (answer) {
      var record = answer.body;
      if (!answer.ok) { show({}, text.error + (record.message || answer.status)); return; }
      if (record.status === "succeeded") {
        show(record, text.succeeded);
        refreshHistory(function () { panel.setAttribute("data-finished", "succeeded"); });
      } else if (record.status === "failed") {
        show(record, text.failed + (record.message || ""));
        refreshHistory(function () { panel.setAttribute("data-finished", "failed"); });
        var kind = failureKind(record.code);
        showFailureHint(kind);
        if (kind === "mapping") {
          // Straight after an upload the file is still at hand: offer the form at once.
          if (currentFile) { openMapping(record.id); }
          else { panel.querySelector("[data-mapping-link]").hidden = false; }
        }
      } else {
        show(record, text[record.status] || record.status);
        window.setTimeout(function () { watch(id); }, 1000);
      }
    }).catch(function (error) { show({}, text.error + error); });
  }

  function send(file, fields) {
    var data = new FormData();
    data.append("file", file, file.name);
    Object.keys(fields).forEach(function (key) { if (fields[key]) { data.append(key, fields[key]); } });
    panel.removeAttribute("data-finished");
    panel.removeAttribute("data-duplicate");
    note([]);
    show({ status: "queued", file: file.name }, text.uploading);
    return getJson(form.getAttribute("data-api"), { method: "POST", body: data })
      .then(function (answer) {
        if (!answer.ok && answer.body.code === "shop_required") { ask(answer.body); return; }
        if (!answer.ok) { show({ status: "failed" }, text.error + (answer.body.message || answer.status)); return; }
        clearQuestion();
        // 200: these bytes were uploaded before; the answer is that import, followed as usual.
        var notes = (answer.body.notes || []).map(function (item) { return item.message; });
        if (answer.status === 200) {
          panel.setAttribute("data-duplicate", answer.body.id);
          if (!notes.length) { notes.push(text.uploadedBefore); }
        }
        note(notes);
        watch(answer.body.id);
      })
      .catch(function (error) { show({ status: "failed" }, text.error + error); });
  }

  // No shop chosen: Cunbo takes the file's own, or the only one that fits, or asks.
  function chosenShop() {
    return form.elements.shop.value;
  }

  function formFields() {
    return {
      platform: form.elements.platform.value,
      shop: chosenShop(),
      password: form.elements.password.value,
      mapping: form.elements.mapping.value
    };
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var file = currentFile || fileInput.files[0];
    if (!file) { show({ status: "failed" }, text.choose); return; }
    // A button of the shop question answers it: that shop, for the same file.
    var picked = event.submitter && event.submitter.name === "chosen_shop" ? event.submitter.value : "";
    if (picked) { form.elements.shop.value = picked; }
    mappingPanel.hidden = true;
    form.elements.mapping.value = "";
    send(file, formFields());
  });

  // -- column mapping -----------------------------------------------------------------------------
  var mappingFor = null;

  function openMapping(id, password) {
    mappingFor = { id: id };
    var options = {};
    if (password) {
      var body = new FormData();
      body.append("password", password);
      body.append("csrf_token", form.elements.csrf_token.value);
      options = { method: "POST", body: body };
    }
    getJson(url("headers", id), options).then(function (answer) {
      mappingPanel.hidden = false;
      var error = mappingPanel.querySelector("[data-mapping-error]");
      error.textContent = "";
      if (!answer.ok) {
        var needsPassword = failureKind(answer.body.code) === "password";
        error.textContent = needsPassword ? text.needPassword
          : text.headersFailed + (answer.body.message || answer.status);
        mappingPanel.querySelector("[data-password-field]").hidden = !needsPassword;
        return;
      }
      mappingFor = answer.body;
      buildFields(answer.body);
      mappingPanel.scrollIntoView({ behavior: "smooth", block: "start" });
    });
  }

  function buildFields(info) {
    document.getElementById("mapping-name").value = info.name;
    document.getElementById("mapping-platform").value = info.platform || "other";
    mappingPanel.querySelector("[data-file-field]").hidden = !!currentFile;
    var box = mappingPanel.querySelector("[data-fields]");
    box.textContent = "";
    info.fields.forEach(function (field) {
      var wrap = document.createElement("div");
      wrap.className = "field";
      var label = document.createElement("label");
      label.setAttribute("for", "map-" + field.name);
      label.textContent = field.label + (field.required ? " *" : "");
      var select = document.createElement("select");
      select.id = "map-" + field.name;
      select.setAttribute("data-field", field.name);
      if (field.required) { select.required = true; }
      var none = document.createElement("option");
      none.value = "";
      none.textContent = text.unused;
      select.appendChild(none);
      info.headers.forEach(function (header) {
        var option = document.createElement("option");
        option.value = header;
        option.textContent = header;
        if (info.guess[field.name] === header) { option.selected = true; }
        select.appendChild(option);
      });
      wrap.appendChild(label);
      wrap.appendChild(select);
      box.appendChild(wrap);
    });
  }

  mappingForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var error = mappingPanel.querySelector("[data-mapping-error]");
    var password = document.getElementById("mapping-password").value;
    if (!mappingFor || !mappingFor.headers) {
      if (mappingFor) { openMapping(mappingFor.id, password); }
      return;
    }
    var fields = {};
    var missing = [];
    mappingPanel.querySelectorAll("[data-field]").forEach(function (select) {
      if (select.value) { fields[select.getAttribute("data-field")] = select.value; }
      else if (select.required) { missing.push(select.previousSibling.textContent); }
    });
    if (missing.length) { error.textContent = text.required + missing.join("、"); return; }
    var file = currentFile || document.getElementById("mapping-file").files[0];
    if (!file) { error.textContent = text.choose; return; }
    var name = document.getElementById("mapping-name").value.trim();
    var platform = document.getElementById("mapping-platform").value;
    error.textContent = text.saving;
    getJson(form.getAttribute("data-mappings"), {
      method: "POST",
      headers: { Accept: "application/json", "Content-Type": "application/json" },
      body: JSON.stringify({ name: name, platform: platform, fields: fields })
    }).then(function (answer) {
      if (!answer.ok) { error.textContent = answer.body.message || answer.status; return; }
      error.textContent = "";
      mappingPanel.hidden = true;
      form.elements.mapping.value = name;
      var shop = chosenShop() || mappingFor.shop || "";
      send(file, { platform: platform, shop: shop, password: password || form.elements.password.value,
        mapping: name });
    });
  });

  // -- a page opened to watch an import, or to map an earlier one ---------------------------------
  if (panel.getAttribute("data-watch")) { watch(panel.getAttribute("data-watch")); }
  if (mappingPanel.getAttribute("data-remap")) { openMapping(mappingPanel.getAttribute("data-remap")); }
})();
