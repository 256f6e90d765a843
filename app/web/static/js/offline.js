/* The session form without network.
   On the form and the streamer's home ([data-offline]): registers the service worker (sw.js),
   sends the form itself and keeps a session in the phone (localStorage) instead of losing it
   when there is no network or the network fails on the way (a signal but no data),
   shows "待同步 N 场", and sends the waiting entries when the network returns.
   Each entry carries the client id (a UUID) the form was given when it was opened; the server
   stores an id once, so an entry sent twice (a lost answer, two tabs) is still one session.
   The security token is not kept with the entry: a fresh one is read from the form page just
   before sending, so a token that expired while the phone was offline does not matter, and a
   page of another site still cannot send anything. */
(function () {
  "use strict";
  var box = document.querySelector("[data-offline]");
  if (!box) { return; }
  var KEY = "cunbo.pending.v1";
  var user = box.getAttribute("data-user") || "";
  var formUrl = box.getAttribute("data-form-url");
  var homeUrl = box.getAttribute("data-home-url");
  var form = document.querySelector("form.session-form");
  var countLine = box.querySelector("[data-pending-count]");
  var list = box.querySelector("[data-pending-list]");
  var note = box.querySelector("[data-offline-note]");
  var syncing = false;

  function text(name, n) {
    return (box.getAttribute("data-text-" + name) || "").replace("{n}", String(n));
  }

  function newId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) {
      return (b + 0x100).toString(16).slice(1);
    }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20),
      hex.slice(20)].join("-");
  }

  function load() {
    try {
      var all = JSON.parse(window.localStorage.getItem(KEY) || "[]");
      return Array.isArray(all) ? all : [];
    } catch (error) {
      return [];
    }
  }

  function store(all) { window.localStorage.setItem(KEY, JSON.stringify(all)); }

  function mine(all) { return all.filter(function (entry) { return entry.user === user; }); }

  function say(message, kind) {
    if (!note) { return; }
    note.textContent = message || "";
    note.className = message ? "flash flash-" + (kind || "success") : "";
    note.hidden = !message;
    if (message) { box.hidden = false; }
  }

  function describe(entry) {
    var fields = entry.fields || {};
    return [fields.room, (fields.start || "").replace("T", " ")].filter(Boolean).join(" · ");
  }

  function render() {
    var entries = mine(load());
    var waiting = entries.filter(function (entry) { return !entry.error; });
    var failed = entries.filter(function (entry) { return entry.error; });
    box.hidden = entries.length === 0 && !(note && note.textContent);
    countLine.hidden = waiting.length === 0;
    countLine.textContent = waiting.length ? text("pending", waiting.length) : "";
    countLine.setAttribute("data-count", String(waiting.length));
    list.textContent = "";
    entries.forEach(function (entry) {
      var item = document.createElement("li");
      item.setAttribute("data-client-id", entry.client_id);
      item.textContent = describe(entry);
      if (entry.error) {
        item.className = "failed";
        var why = document.createElement("span");
        why.className = "hint";
        why.textContent = text("failed", 1) + entry.error;
        item.appendChild(why);
        if (form) { item.appendChild(button(text("restore"), function () { restore(entry); })); }
        item.appendChild(button(text("discard"), function () { drop(entry.client_id); }));
      }
      list.appendChild(item);
    });
  }

  function button(label, action) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "button small";
    b.textContent = label;
    b.addEventListener("click", action);
    return b;
  }

  function drop(clientId) {
    store(load().filter(function (entry) { return entry.client_id !== clientId; }));
    render();
  }

  function update(clientId, changes) {
    store(load().map(function (entry) {
      return entry.client_id === clientId ? Object.assign({}, entry, changes) : entry;
    }));
  }

  // A refused entry goes back into the form (same client id) to be corrected and saved.
  function restore(entry) {
    Object.keys(entry.fields).forEach(function (name) {
      var field = form.elements.namedItem(name);
      if (field && name !== "csrf_token") { field.value = entry.fields[name]; }
    });
    if ((entry.error_fields || []).indexOf("client_id") !== -1) {
      // The id is another session's: the corrected entry goes with a new one.
      form.elements.namedItem("client_id").value = newId();
    }
    drop(entry.client_id);
    say(entry.error, "error");
    form.scrollIntoView();
  }

  function ensureId() {
    if (!form) { return; }
    var field = form.elements.namedItem("client_id");
    if (field && !field.value) { field.value = newId(); }
  }

  var SEND_TIMEOUT = 20000; // ms: a phone with a signal but no data waits no longer

  // A fetch given up after SEND_TIMEOUT, the answer read by `read` within that time; rejects
  // when no answer came (TypeError) or none in time (AbortError).
  function fetchInTime(url, options, read) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? window.setTimeout(function () { controller.abort(); },
      SEND_TIMEOUT) : null;
    var sent = fetch(url, Object.assign({}, options,
      { signal: controller ? controller.signal : undefined })).then(read);
    function done() { if (timer) { window.clearTimeout(timer); } }
    sent.then(done, done);
    return sent;
  }

  // The form's entry as kept in the phone (without the security token).
  function entryFields() {
    ensureId();
    var fields = {};
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrf_token") { fields[name] = String(value); }
    });
    return fields;
  }

  function keep(fields, message, kind) {
    var all = load();
    if (!all.some(function (entry) { return entry.client_id === fields.client_id; })) {
      all.push({ client_id: fields.client_id, user: user, fields: fields,
        kept_at: new Date().toISOString() });
      store(all);
    }
    // A fresh form for the next session, on the same room.
    Array.prototype.forEach.call(form.querySelectorAll("input"), function (input) {
      if (input.type !== "hidden") { input.value = ""; }
    });
    form.elements.namedItem("client_id").value = newId();
    say(message, kind || "success");
    render();
    window.scrollTo(0, 0);
  }

  // The form is sent from here, not by the browser: when the network fails on the way (a
  // signal but no data, a timeout, a gateway that cannot reach the server) the entry is kept
  // in the phone instead of being lost. Each press of 保存 is one post: a refusal (a mistake
  // in the figures, an overlap) is shown in the form with what was typed, and nothing is kept
  // for later; a session that ended is kept and sent after signing in again. Only a security
  // token that expired while the form was open is sent again, once, with a fresh token: the
  // server refused that post unread.
  function submit(event) {
    event.preventDefault();
    if (!form.checkValidity()) { form.reportValidity(); return; }
    var fields = entryFields();
    if (navigator.onLine === false) { keep(fields, text("kept")); return; }
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; }
    post(false).then(function (result) {
      if (result.outcome === "saved") { return; }
      if (button) { button.disabled = false; }
      if (result.outcome === "network") { keep(fields, text("kept")); return; }
      if (result.outcome === "login") { keep(fields, text("login"), "error"); return; }
      showProblems(result.answer || {}, result.status);
    });
  }

  // One post of the form; resolves to {outcome: saved | network | login | refused, …}.
  function post(retried) {
    return fetchInTime(form.action || formUrl, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    }, function (response) {
      var type = response.headers.get("Content-Type") || "";
      var json = type.indexOf("application/json") !== -1;
      if (response.status >= 502 && response.status <= 504 && !json) {
        return { outcome: "network" };
      }
      if (response.status === 401 || (response.redirected && !json)) {
        return { outcome: "login" }; // the session ended: sign in, then it is sent
      }
      var read = json ? response.json().catch(function () { return {}; }) : Promise.resolve({});
      return read.then(function (answer) {
        if ((response.status === 200 || response.status === 201) && json) {
          window.sessionStorage.setItem("cunbo.saved", answer.message || "");
          window.location.assign(answer.next || window.location.href);
          return { outcome: "saved" };
        }
        return { outcome: "refused", answer: answer, status: response.status };
      });
    }).then(function (result) {
      if (result.status === 400 && !result.answer.errors && !retried) {
        return renewToken().then(function (renewed) {
          return renewed === "renewed" ? post(true) : { outcome: renewed };
        });
      }
      return result;
    }, function () {
      return { outcome: "network" }; // no answer (TypeError) or no answer in time (AbortError)
    });
  }

  // The form's token replaced by a fresh page's: "renewed"; "login" when signed out;
  // "network" when no page came (no data, no answer in time), so the entry waits in the phone.
  function renewToken() {
    return freshToken().then(function (token) {
      if (!token) { return "login"; }
      form.elements.namedItem("csrf_token").value = token;
      var meta = document.querySelector("meta[name=csrf-token]");
      if (meta) { meta.setAttribute("content", token); }
      return "renewed";
    }, function () { return "network"; });
  }

  // The server's answer to a refused post, shown as the server's own page shows it: the
  // count of problems above the form and each problem under its field, the input kept.
  function showProblems(answer, status) {
    var errors = answer.errors || {};
    Array.prototype.forEach.call(form.querySelectorAll(".field-error"), function (old) {
      old.parentNode.removeChild(old);
    });
    Array.prototype.forEach.call(form.querySelectorAll(".field.invalid"), function (field) {
      field.classList.remove("invalid");
    });
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (input) {
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
    });
    var first = null;
    Object.keys(errors).forEach(function (name) {
      var input = form.elements.namedItem(name);
      var problem = document.createElement("p");
      problem.className = "field-error";
      problem.id = name + "-error";
      problem.textContent = errors[name];
      if (name === "client_id") {
        // Another session holds this id: the entry goes with a new one next time.
        if (input) { input.value = newId(); input.after(problem); }
        return;
      }
      var holder = input && input.closest ? input.closest(".field") : null;
      if (!holder) { form.insertBefore(problem, form.firstChild); return; }
      holder.classList.add("invalid");
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", problem.id);
      holder.appendChild(problem);
      if (!first) { first = input; }
    });
    var banner = document.querySelector("[data-form-problems]");
    if (!banner) {
      banner = document.createElement("p");
      banner.className = "flash flash-error";
      banner.setAttribute("role", "alert");
      banner.setAttribute("data-form-problems", "");
      form.parentNode.insertBefore(banner, form);
    }
    // A 400 without problems is a security check whose words are not the user's language.
    var own = status === 400 && !answer.errors ? "" : answer.message;
    banner.textContent = own || text("refused", status || "");
    banner.scrollIntoView({ block: "center" });
    if (first) { first.focus({ preventScroll: true }); }
  }

  // A fresh security token, read from the form page: null when signed out (the sign-in page
  // answered, or 401); rejects when no form page came (no network, no answer in time, an
  // error or another page on the way).
  function freshToken() {
    return fetchInTime(formUrl, { credentials: "same-origin", cache: "no-store" },
      function (response) {
        if (response.redirected || response.status === 401) { return null; }
        if (!response.ok) { throw new Error("no form page: " + response.status); }
        return response.text().then(function (page) {
          var found = page.match(/<meta name="csrf-token" content="([^"]+)">/);
          if (!found) { throw new Error("no token in the page"); }
          return found[1];
        });
      });
  }

  function send(entry, token) {
    var body = new URLSearchParams(entry.fields);
    body.set("csrf_token", token);
    return fetchInTime(formUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    }, function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (response.status >= 502 && response.status <= 504 &&
          type.indexOf("application/json") === -1) {
        return { status: "later" }; // a gateway without the server: the entries wait
      }
      if (type.indexOf("application/json") === -1) {
        // A sign-in page (the session ended) or a refused token: try again later.
        return { status: response.status === 400 ? "token" : "login" };
      }
      if (response.status === 401) { return { status: "login" }; }
      return response.json().then(function (answer) {
        if (response.status === 200 || response.status === 201) { return { status: "saved" }; }
        if (response.status === 400 && !answer.errors) {
          return { status: "token", message: answer.message || "" };
        }
        var problems = answer.errors ? Object.keys(answer.errors).map(function (name) {
          return answer.errors[name];
        }).join("；") : "";
        return { status: "refused", message: problems || answer.message || "",
          fields: answer.errors ? Object.keys(answer.errors) : [] };
      });
    });
  }

  function syncAll() {
    if (syncing || navigator.onLine === false) { return Promise.resolve(); }
    var waiting = mine(load()).filter(function (entry) { return !entry.error; });
    if (!waiting.length) { return Promise.resolve(); }
    syncing = true;
    var sent = 0;
    var retried = false;
    function next(token, index) {
      if (index >= waiting.length) { return Promise.resolve(); }
      var entry = waiting[index];
      return send(entry, token).then(function (result) {
        if (result.status === "saved") {
          drop(entry.client_id);
          sent += 1;
          return next(token, index + 1);
        }
        if (result.status === "refused") {
          update(entry.client_id, { error: result.message, error_fields: result.fields });
          return next(token, index + 1);
        }
        if (result.status === "token" && !retried) {
          retried = true;
          return freshToken().then(function (again) {
            return again ? next(again, index) : say(text("login"), "error");
          });
        }
        if (result.status === "token") {
          // Refused again with a fresh token: not the token. The entry is marked, the next go.
          // The server's own words for such a refusal (a security check) are not the
          // user's language: the page's text says it.
          update(entry.client_id, { error: text("refused", 400), error_fields: [] });
          return next(token, index + 1);
        }
        if (result.status === "later") { return null; }
        say(text("login"), "error");
        return null;
      });
    }
    return freshToken().then(function (token) {
      if (!token) { say(text("login"), "error"); return null; }
      return next(token, 0);
    }).catch(function () {
      return null; // the network went again: the entries wait for the next chance
    }).then(function () {
      syncing = false;
      render();
      if (sent) {
        if (!form && homeUrl && window.location.pathname === homeUrl) {
          // The home lists the sessions: show it again with the ones just sent.
          window.sessionStorage.setItem("cunbo.synced", String(sent));
          window.location.reload();
          return;
        }
        say(text("synced", sent), "success");
        render();
      }
    });
  }

  function sync() {
    if (navigator.locks && navigator.locks.request) {
      // One tab at a time sends the phone's entries.
      return navigator.locks.request("cunbo-sync", syncAll);
    }
    return syncAll();
  }

  function registerWorker() {
    if (!("serviceWorker" in navigator)) { return; }
    var url = box.getAttribute("data-worker-url");
    navigator.serviceWorker.register(url, { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      if (navigator.onLine !== false && registration.active) {
        registration.active.postMessage({ type: "keep-pages" });
      }
      box.setAttribute("data-worker", "ready");
    }).catch(function () { return null; });
    Array.prototype.forEach.call(
      document.querySelectorAll("form[action$='/logout']"),
      function (logout) {
        logout.addEventListener("submit", function () {
          var worker = navigator.serviceWorker.controller;
          if (worker) { worker.postMessage({ type: "forget-pages" }); }
        });
      }
    );
  }

  var synced = window.sessionStorage.getItem("cunbo.synced");
  if (synced) {
    window.sessionStorage.removeItem("cunbo.synced");
    say(text("synced", synced), "success");
  }
  var saved = window.sessionStorage.getItem("cunbo.saved");
  if (saved !== null) {
    window.sessionStorage.removeItem("cunbo.saved");
    if (saved) { say(saved, "success"); }
  }
  if (form) {
    ensureId();
    form.addEventListener("submit", submit);
  }
  window.addEventListener("online", function () { say(""); sync(); });
  window.addEventListener("offline", function () { say(text("offline"), "warning"); render(); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { sync(); }
  });
  window.setInterval(sync, 30000);
  render();
  registerWorker();
  sync();
}());
