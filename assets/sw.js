// Service worker: keeps the app shell (every route's HTML and the files it loads) for offline use.
// Reflex's live channels (/_event, /_upload, /ping, /_health) always go to the network.
const CACHE = "estate-shell-v1";
const ROUTES = ["/", "/login", "/join", "/me", "/manager", "/manager/staff", "/manager/units",
  "/manager/roster", "/manager/jobs", "/manager/patrol", "/resident/requests", "/guard", "/cleaner", "/technician", "/resident"];
const STATIC = ["/manifest.webmanifest", "/pwa.js", "/countdown.js", "/signature.js", "/icons/icon-192.png", "/icons/icon-512.png",
  "/icons/icon-maskable-512.png"];
const LIVE = ["/_event", "/_upload", "/ping", "/_health", "/_all_routes"];
const MATCH = { ignoreVary: true, ignoreSearch: true };
// Checkpoint URLs carry signed codes: never kept on the device.
const PRIVATE = ["/p/"];

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
  await Promise.all([...files].map(async (file) => {
    const url = new URL(file, self.location.origin);
    if (isLive(url)) return;
    try {
      const response = await fetch(url, { cache: "no-cache" });
      if (response.ok) await cache.put(keyOf(url), await storable(response));
    } catch (e) { /* a missing optional file must not break installation */ }
  }));
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
    if (response.ok && !PRIVATE.some((prefix) => key.startsWith(prefix))) {
      await cache.put(key, await storable(response.clone()));
    }
    return response;
  } catch (error) {
    const cached = await cache.match(keyOf(request.url), MATCH);
    return cached || (await cache.match("/login", MATCH)) || Response.error();
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

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin || isLive(url)) return;
  event.respondWith(event.request.mode === "navigate" ? networkFirst(event.request) : cacheFirst(event.request));
});
