// Service worker: keeps the app shell (every route's HTML and the files it loads) for offline use.
// Reflex's live channels (/_event, /_upload, /ping, /_health) always go to the network.
// A checkpoint URL opened without a connection is queued as a scan in the outbox (outbox.js) and sent later.
importScripts("/outbox.js");
const CACHE = "estate-shell-v5";
const ROUTES = ["/", "/login", "/join", "/me", "/manager", "/manager/staff", "/manager/units",
  "/manager/roster", "/manager/jobs", "/manager/patrol", "/manager/patrol/history", "/manager/patrol/setup", "/manager/indicator", "/manager/surveys", "/manager/certification", "/manager/cleaning", "/manager/fees", "/manager/facilities", "/facilities/asset", "/resident/requests", "/resident/fees", "/services", "/resident/services", "/manager/bookings", "/guard", "/guard/scan", "/guard/incident", "/cleaner", "/cleaner/scan", "/manager/cleaning/inspect", "/technician", "/resident", "/inspections", "/inspections/scan"];
const STATIC = ["/manifest.webmanifest", "/pwa.js", "/outbox.js", "/zxing_reader.wasm", "/countdown.js", "/signature.js", "/icons/icon-192.png", "/icons/icon-512.png",
  "/icons/icon-maskable-512.png"];
const LIVE = ["/_event", "/_upload", "/ping", "/_health", "/_all_routes", "/media", "/files"];
const MATCH = { ignoreVary: true, ignoreSearch: true };
// Files under /assets/ carry a content hash in their names: served from the cache. Others (sw helpers, icons,
// the decoder) may change under the same name: asked of the network first.
const HASHED = "/assets/";
// Checkpoint URLs carry signed codes: never cached, always asked of the network (see checkpoint()).
const CHECKPOINT = "/p/";
const SCANNER = "/guard/scan";
const CHECKPOINT_TIMEOUT_MS = 8000;

// Cache keys are paths without a trailing slash, so "/login" and "/login/" are one entry.
function keyOf(url) {
  const path = new URL(url, self.location.origin).pathname;
  return path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
}

// A followed redirect cannot answer a navigation: store a plain copy of the final response.
async function storable(response) {
  if (!response.redirected) return response;
  return new Response(await response.blob(), { status: response.status, statusText: response.statusText,
    headers: response.headers });
}

function isLive(url) {
  return LIVE.some((prefix) => url.pathname === prefix || url.pathname.startsWith(prefix + "/"));
}

async function cacheShell() {
  const cache = await caches.open(CACHE);
  const files = new Set(STATIC);
  for (const route of ROUTES) {
    const response = await fetch(route, { cache: "no-cache" });
    if (!response.ok) continue;
    const html = await response.clone().text();
    await cache.put(route, await storable(response));
    for (const match of html.matchAll(/(?:src|href)="(\/[^"]+)"/g)) files.add(match[1]);
  }
  const lazy = await cacheFiles(cache, files);
  await cacheFiles(cache, new Set([...lazy].filter((file) => !files.has(file))));
}

// Cache `files`; returns the chunks their scripts load lazily (e.g. the scanner), to be cached in turn.
async function cacheFiles(cache, files) {
  const lazy = new Set();
  await Promise.all([...files].map(async (file) => {
    const url = new URL(file, self.location.origin);
    if (isLive(url)) return;
    try {
      const response = await fetch(url, { cache: "no-cache" });
      if (!response.ok) return;
      if (url.pathname.endsWith(".js")) {
        const text = await response.clone().text();
        for (const match of text.matchAll(/["'`]\.\/([\w.-]+\.js)["'`]/g)) lazy.add(new URL(match[1], url).pathname);
      }
      await cache.put(keyOf(url), await storable(response));
    } catch (e) { /* a missing optional file must not break installation */ }
  }));
  return lazy;
}

self.addEventListener("install", (event) => {
  event.waitUntil(cacheShell().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    const key = keyOf(request.url);
    if (response.ok) {
      await cache.put(key, await storable(response.clone()));
    }
    return response;
  } catch (error) {
    const cached = await cache.match(keyOf(request.url), MATCH);
    const shell = request.mode === "navigate" ? await cache.match("/login", MATCH) : undefined;
    return cached || shell || Response.error();
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request, MATCH);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

// Opening a checkpoint's code offline: the scan waits in the queue and the guard sees the scanner screen,
// which shows how many scans wait and sends them once the connection is back.
// Opening the page records nothing by itself, so queuing when the server fails or is too slow is safe: the queue
// sends the scan with its own id, recorded once.
async function checkpoint(request) {
  try {
    const response = await fetch(request, { signal: AbortSignal.timeout(CHECKPOINT_TIMEOUT_MS) });
    if (response.status < 500) return response;
  } catch (error) { /* offline, or no answer in time */ }
  await self.estateOutbox.add("scan", { code: request.url });
  return Response.redirect(SCANNER, 303);
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin || isLive(url)) return;
  if (event.request.mode !== "navigate") {
    event.respondWith(url.pathname.startsWith(HASHED) ? cacheFirst(event.request) : networkFirst(event.request));
  } else if (url.pathname.startsWith(CHECKPOINT)) {
    event.respondWith(checkpoint(event.request));
  } else {
    event.respondWith(networkFirst(event.request));
  }
});
