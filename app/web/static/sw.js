/* The service worker of Cunbo, served at /sw.js (scope: the whole site).
   It keeps the files the session form and the streamer's home need, and the last copy of
   those two pages, so that a streamer without network can still open the form and type a
   session; the entry then waits in the phone (offline.js) and is sent when the network
   returns. Everything else goes to the network as usual. The server fills in VERSION, ASSETS
   and PAGES. */
"use strict";

var VERSION = "__VERSION__";
var ASSETS = __ASSETS__;
var PAGES = __PAGES__;
var FILES = "cunbo-files-" + VERSION;
var PAGE_CACHE = "cunbo-pages";

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(FILES).then(function (cache) { return cache.addAll(ASSETS); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("cunbo-files-") === 0 && name !== FILES;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function pathOf(url) { return new URL(url, self.location.origin).pathname; }

function isPage(url) { return PAGES.indexOf(pathOf(url)) !== -1; }

// A page as the signed-in user sees it (not the sign-in page a redirect led to).
function keepPage(path, response) {
  if (!response || !response.ok || response.redirected || response.type !== "basic") {
    return Promise.resolve();
  }
  var copy = response.clone();
  return caches.open(PAGE_CACHE).then(function (cache) { return cache.put(path, copy); });
}

function fetchPage(path) {
  return fetch(path, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
    return keepPage(path, response).then(function () { return response; });
  });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "keep-pages") {
    // A page of ours asks to keep a fresh copy of the form and the home while online.
    event.waitUntil(Promise.all(PAGES.map(function (path) {
      return fetchPage(path).catch(function () { return null; });
    })));
  } else if (data.type === "forget-pages") {
    // Signing out: the copies of the user's pages go.
    event.waitUntil(caches.delete(PAGE_CACHE));
  }
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) {
    return;
  }
  var path = pathOf(request.url);
  if (request.mode === "navigate" && isPage(request.url)) {
    // The network first; without it, the last copy of the page.
    event.respondWith(
      fetch(request).then(function (response) {
        event.waitUntil(keepPage(path, response));
        return response;
      }).catch(function () {
        return caches.open(PAGE_CACHE).then(function (cache) { return cache.match(path); })
          .then(function (kept) { return kept || Response.error(); });
      })
    );
    return;
  }
  if (ASSETS.indexOf(path) !== -1) {
    // Kept files: the phone's copy at once; a new version comes with a new worker.
    event.respondWith(
      caches.open(FILES).then(function (cache) {
        return cache.match(path).then(function (kept) {
          return kept || fetch(request).then(function (response) {
            if (response.ok) { cache.put(path, response.clone()); }
            return response;
          });
        });
      })
    );
  }
});
