// The app's start: storage, the frame, the pages, the outbox, the service worker.

import { ApiError, OfflineError, api, setUnauthorizedHandler } from "./core/api.js";
import { h } from "./core/dom.js";
import { t } from "./core/i18n.js";
import { mountLayout } from "./core/layout.js";
import { startOutbox } from "./core/outbox.js";
import { configure, navigate, start } from "./core/router.js";
import { cachedMe, forget, load, remember, signedIn } from "./core/session.js";
import { registerRoutes } from "./routes.js";

async function loadMe() {
  try {
    const me = await api("GET", "me/");
    await remember(me);
    return me;
  } catch (error) {
    if (error instanceof OfflineError) return cachedMe();
    if (error instanceof ApiError && error.status === 401) return null;
    return cachedMe();
  }
}

function errorView(error) {
  const offline = error instanceof OfflineError;
  return h(
    "div",
    {},
    h("h1", { tabindex: "-1" }, t(offline ? "common.offlinePage.title" : "common.failed.title")),
    h("p", {}, t(offline ? "common.offlinePage.body" : "common.failed.body")),
    error instanceof ApiError && error.detail ? h("p", {}, error.detail) : null,
    h("p", {}, h("a", { href: location.pathname + location.search }, t("common.tryAgain"))),
  );
}

async function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  try {
    await navigator.serviceWorker.register("/app/sw.js", { scope: "/app/", type: "module" });
  } catch (error) {
    console.error("service worker", error);
  }
  // A tapped notification asks an open tab to show its page.
  navigator.serviceWorker.addEventListener("message", (event) => {
    const data = event.data || {};
    if (data.type === "navigate" && typeof data.url === "string" && data.url.startsWith("/app")) {
      navigate(data.url);
    }
  });
}

async function main() {
  await load();
  mountLayout();
  configure({ signedIn, loadMe, cachedMe, errorView });
  // A token that stopped working (signed out everywhere, expired): sign in again. What waits
  // in the outbox stays for the same patient's next sign-in (views/auth.js checks whose).
  setUnauthorizedHandler(async () => {
    await forget();
    const next = location.pathname + location.search;
    navigate(`/app/signin?expired=1&next=${encodeURIComponent(next)}`, { replace: true });
  });
  await registerRoutes();
  await start();
  startOutbox();
  registerServiceWorker();
}

main();
