// The pages under /app/: one shell, the pathname picks the view. Each view renders an <h1
// tabindex="-1">, which gets the focus after a page change so a screen reader starts there.

import { clear, h } from "./dom.js";
import { t } from "./i18n.js";

const routes = new Map();
const listeners = [];
let context = { me: null };
let rendering = 0;
// The first page of a visit keeps the browser's own start (the skip link is the first Tab
// stop); every page change after it moves the focus to the new page's heading.
let visited = false;

export function route(path, view, { title, auth = true } = {}) {
  routes.set(path.replace(/\/+$/, "") || "/app", { view, title, auth });
}

export function onRoute(callback) {
  listeners.push(callback);
}

// main.js supplies how to load the profile and where to send someone not signed in.
export function configure(options) {
  context = { ...context, ...options };
}

export function navigate(pathWithQuery, { replace = false } = {}) {
  if (replace) history.replaceState(null, "", pathWithQuery);
  else history.pushState(null, "", pathWithQuery);
  return render();
}

function notFound() {
  return h(
    "div",
    {},
    h("h1", { tabindex: "-1" }, t("common.notFound.title")),
    h("p", {}, t("common.notFound.body")),
    h("p", {}, h("a", { href: "/app/" }, t("common.notFound.home"))),
  );
}

export function currentPath() {
  return location.pathname.replace(/\/+$/, "") || "/app";
}

export async function render() {
  const ticket = ++rendering;
  const main = document.getElementById("main");
  const path = currentPath();
  const entry = routes.get(path) || { view: notFound, title: "common.notFound.title", auth: false };
  if (entry.auth && !context.signedIn()) {
    const next = location.pathname + location.search;
    history.replaceState(null, "", `/app/signin?next=${encodeURIComponent(next)}`);
    return render();
  }
  const me = entry.auth ? await context.loadMe() : context.cachedMe();
  const ctx = { query: new URLSearchParams(location.search), me, path };
  let node;
  try {
    node = await entry.view(ctx);
  } catch (error) {
    if (ticket !== rendering) return;
    node = context.errorView ? context.errorView(error) : h("h1", { tabindex: "-1" }, String(error));
  }
  // A later navigation won the race: its page is the one to show.
  if (ticket !== rendering) return;
  clear(main).appendChild(node);
  document.title = `${t(entry.title)} – ${t("common.serviceName")}`;
  for (const callback of listeners) callback(path, ctx);
  const heading = main.querySelector("h1");
  if (heading && !heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
  if (heading && visited) heading.focus({ preventScroll: false });
  visited = true;
  window.scrollTo(0, 0);
}

function sameOriginApp(anchor) {
  if (!anchor || anchor.target || anchor.hasAttribute("download")) return false;
  const url = new URL(anchor.href, location.href);
  return url.origin === location.origin && /^\/app(\/|$)/.test(url.pathname);
}

export function start() {
  document.addEventListener("click", (event) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const anchor = event.target.closest && event.target.closest("a[href]");
    if (!sameOriginApp(anchor)) return;
    const url = new URL(anchor.href, location.href);
    // A link to the sign-in page etc. is a page change; a #fragment on this page is not.
    if (url.pathname === location.pathname && url.search === location.search && url.hash) return;
    event.preventDefault();
    navigate(url.pathname + url.search);
  });
  window.addEventListener("popstate", () => render());
  return render();
}
