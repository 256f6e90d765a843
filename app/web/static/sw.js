/* The service worker of Cunbo, served at /sw.js (scope: the whole site).
   It keeps the files the session form and the streamer's home need, and the last copy of
   those two pages, so that a streamer without network can still open the form and type a
   session; the entry then waits in the phone (offline.js) and is sent when the network
   returns. The copies are one account's: kept under the user id the page names (meta
   cunbo-user), they go when another account's page comes, and when the sign-in page is
   answered (signed out, session ended). Everything else goes to the network as usual. The
   server fills in VERSION, ASSETS, PAGES and LOGIN. */
"use strict";

var VERSION = "__VERSION__";
var ASSETS = __ASSETS__;
var PAGES = __PAGES__;
var LOGIN = __LOGIN__;
var FILES = "cunbo-files-" + VERSION;
// The kept pages are one account's: "cunbo-pages-<user id>", at most one such cache at a time.
var PAGE_CACHE = "cunbo-pages-";
var OWNER = /<meta name="cunbo-user" content="([^"]+)">/;

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
        // Old files, and the pages an earlier worker kept without their account.
        return (name.indexOf("cunbo-files-") === 0 && name !== FILES) || name === "cunbo-pages";
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function pathOf(url) { return new URL(url, self.location.origin).pathname; }

function isPage(url) { return PAGES.indexOf(pathOf(url)) !== -1; }

// Raised whenever kept pages go, so that a page asked for before (a slow answer to the
// previous account) is not kept after.
var forgotten = 0;

// The kept pages' caches other than `keep` (every one when `keep` is null) go.
function forgetPages(keep) {
  if (keep === null) { forgotten += 1; }
  return caches.keys().then(function (names) {
    var gone = names.filter(function (name) {
      return name.indexOf(PAGE_CACHE) === 0 && name !== keep;
    });
    if (gone.length) { forgotten += 1; }
    return Promise.all(gone.map(function (name) { return caches.delete(name); }));
  });
}

// A page as the signed-in user sees it (not the sign-in page a redirect led to), kept under
// the account named in the page; another account's pages go first. `asked` is the value of
// `forgotten` when the page was asked for.
function keepPage(path, response, asked) {
  if (!response || response.redirected || response.type !== "basic" ||
      pathOf(response.url) === LOGIN) {
    return forgetPages(null); // signed out: nobody's pages stay in the phone
  }
  if (!response.ok) { return Promise.resolve(); }
  var copy = response.clone();
  return response.clone().text().then(function (page) {
    if (asked !== forgotten) { return null; } // pages went since: this answer is too old
    var owner = page.match(OWNER);
    if (!owner) { return forgetPages(null); }
    var name = PAGE_CACHE + owner[1];
    return forgetPages(name).then(function () { return caches.open(name); })
      .then(function (cache) { return cache.put(path, copy); });
  });
}

function keptPage(path) {
  return caches.keys().then(function (names) {
    var name = names.filter(function (one) { return one.indexOf(PAGE_CACHE) === 0; })[0];
    return name ? caches.open(name).then(function (cache) { return cache.match(path); }) : null;
  });
}

function fetchPage(path) {
  var asked = forgotten;
  return fetch(path, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
    return keepPage(path, response, asked).then(function () { return response; });
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
    event.waitUntil(forgetPages(null));
  }
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) {
    return;
  }
  var path = pathOf(request.url);
  if (request.mode === "navigate" && path === LOGIN) {
    // The sign-in page answered (signed out, or the session ended): the kept pages go.
    event.respondWith(fetch(request).then(function (response) {
      event.waitUntil(forgetPages(null));
      return response;
    }));
    return;
  }
  if (request.mode === "navigate" && isPage(request.url)) {
    // The network first; without it, the last copy of the page.
    var asked = forgotten;
    event.respondWith(
      fetch(request).then(function (response) {
        if (response.type !== "opaqueredirect") {
          event.waitUntil(keepPage(path, response, asked));
        }
        return response;
      }).catch(function () {
        return keptPage(path).then(function (kept) { return kept || Response.error(); });
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
