// The app's service worker, served at /app/sw.js (scope /app/) by webapp.views, which puts
// VERSION (a digest of every file below), PRECACHE (the shell and every static file of the
// app), STATIC_ROOT and the imports of core/sync.js (the outbox sender the pages use too) and
// core/notification-target.js (which page a tapped notification opens) above this line.
//
// Jake Archibald's offline cookbook: the shell is cached on install and every navigation
// under /app/ is answered with it (cache first, so the app opens with no network); API reads
// are network first with the last answer as fallback; writes are never cached (the outbox
// in IndexedDB holds them, and Background Sync sends them even with no tab open).

const SHELL_CACHE = `shell-${VERSION}`;
const API_CACHE = "api-v1";
const SHELL_URL = "/app/";

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL_CACHE);
      await cache.addAll(PRECACHE.map((url) => new Request(url, { cache: "reload" })));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith("shell-") && name !== SHELL_CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

function offlineAnswer() {
  return new Response(JSON.stringify({ detail: "You are offline." }), {
    status: 503,
    headers: { "Content-Type": "application/json", "X-Offline": "1" },
  });
}

async function apiRead(request) {
  const cache = await caches.open(API_CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch {
    const cached = await cache.match(request);
    return cached || offlineAnswer();
  }
}

async function shell(request) {
  const cache = await caches.open(SHELL_CACHE);
  const cached = await cache.match(SHELL_URL);
  if (cached) return cached;
  try {
    return await fetch(request);
  } catch {
    return Response.error();
  }
}

async function staticFile(request) {
  const cache = await caches.open(SHELL_CACHE);
  const cached = await cache.match(request, { ignoreSearch: true });
  return cached || fetch(request);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && /^\/app(\/|$)/.test(url.pathname) && !url.pathname.endsWith(".js")) {
    event.respondWith(shell(request));
  } else if (request.method === "GET" && url.pathname.startsWith("/api/v1/")) {
    // The export is a download of everything: never kept in a cache.
    if (url.pathname === "/api/v1/me/export/") return;
    event.respondWith(apiRead(request));
  } else if (request.method === "GET" && url.pathname.startsWith(STATIC_ROOT)) {
    event.respondWith(staticFile(request));
  } else if (request.method === "GET" && PRECACHE.includes(url.pathname)) {
    // The manifest and the favicon: cached with the shell, so an offline start has them.
    event.respondWith(staticFile(request));
  }
  // Everything else (every write) goes to the network untouched.
});

self.addEventListener("sync", (event) => {
  if (event.tag === "outbox") event.waitUntil(flush());
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "flush") event.waitUntil(flush());
});

// A push shows exactly what the server sent: it already chose whether the lock screen may
// see what the message is about (Patient.lock_screen_detail). Nothing is added here.
self.addEventListener("push", (event) => {
  let payload = {};
  try {
    payload = event.data ? event.data.json() : {};
  } catch {
    payload = { title: event.data ? event.data.text() : "" };
  }
  const title = typeof payload.title === "string" && payload.title ? payload.title : "Your journal";
  const options = {
    body: typeof payload.body === "string" ? payload.body : "",
    tag: typeof payload.tag === "string" && payload.tag ? payload.tag : undefined,
    icon: `${STATIC_ROOT}icons/icon-192.png`,
    badge: `${STATIC_ROOT}icons/favicon-32.png`,
    data: { url: payload.url || null, data: payload.data || {} },
  };
  event.waitUntil(self.registration.showNotification(title, options));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = targetOf(event.notification.data || {});
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      const open = windows.find((client) => new URL(client.url).pathname.startsWith("/app"));
      if (open) {
        await open.focus();
        open.postMessage({ type: "navigate", url: target });
        return;
      }
      await self.clients.openWindow(target);
    })(),
  );
});
