// The frame around every page: skip link, header with the service name and the device's
// state (offline, entries waiting to send), the page (<main>), and the tab bar a thumb
// reaches on a phone (at the side on a wide screen).

import { h } from "./dom.js";
import { t } from "./i18n.js";
import { onOutboxChange, queuedCount, refusedCount } from "./outbox.js";
import { onRoute } from "./router.js";
import { signedIn } from "./session.js";

export const TABS = [
  { path: "/app/log", key: "nav.log", icon: "M12 5v14M5 12h14" },
  { path: "/app/entries", key: "nav.entries", icon: "M5 6h14M5 12h14M5 18h14" },
  { path: "/app/trends", key: "nav.trends", icon: "M4 18l5-6 4 3 7-9" },
  { path: "/app/alerts", key: "nav.alerts", icon: "M12 4l9 16H3z M12 10v4 M12 17v.5" },
  { path: "/app/settings", key: "nav.settings", icon: "M4 7h16M4 17h16M9 4v6M15 14v6" },
];

function icon(d) {
  const ns = "http://www.w3.org/2000/svg";
  const el = document.createElementNS(ns, "svg");
  el.setAttribute("viewBox", "0 0 24 24");
  el.setAttribute("aria-hidden", "true");
  el.setAttribute("focusable", "false");
  el.setAttribute("class", "tabbar__icon");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", d);
  el.appendChild(path);
  return el;
}

export function mountLayout() {
  const app = document.getElementById("app");
  const main = document.getElementById("main");
  const offline = h("p", { class: "banner banner--offline", hidden: true }, t("common.offline"));
  const waiting = h("a", { class: "banner banner--waiting", href: "/app/entries", hidden: true });
  const refused = h("a", { class: "banner banner--refused", href: "/app/entries", hidden: true });
  const status = h("div", { class: "status", role: "status", "aria-live": "polite" }, offline, waiting, refused);
  const header = h(
    "header",
    { class: "header" },
    h(
      "div",
      { class: "header__bar" },
      h("a", { class: "header__name", href: "/app/" }, t("common.serviceName")),
    ),
    status,
  );
  const links = TABS.map((tab) =>
    h(
      "li",
      {},
      h("a", { class: "tabbar__link", href: tab.path, "data-tab": tab.path }, icon(tab.icon), h("span", {}, t(tab.key))),
    ),
  );
  const nav = h(
    "nav",
    { class: "tabbar", "aria-label": t("nav.label"), hidden: true },
    h("ul", { class: "tabbar__list" }, links),
  );
  const skip = h("a", { class: "skip-link", href: "#main" }, t("common.skip"));
  skip.addEventListener("click", (event) => {
    event.preventDefault();
    (main.querySelector("h1") || main).focus();
  });
  app.replaceChildren(skip, header, main, nav);
  document.body.classList.add("js");

  function updateOnline() {
    offline.hidden = navigator.onLine;
  }
  async function updateWaiting() {
    let count = 0;
    let refusedNow = 0;
    try {
      count = await queuedCount();
      refusedNow = await refusedCount();
    } catch {
      count = 0;
    }
    waiting.hidden = count === 0;
    waiting.textContent = t("common.waiting", { count });
    refused.hidden = refusedNow === 0;
    refused.textContent = t("common.refusedCount", { count: refusedNow });
  }
  window.addEventListener("online", updateOnline);
  window.addEventListener("offline", updateOnline);
  onOutboxChange(updateWaiting);
  updateOnline();
  updateWaiting();

  onRoute((path) => {
    nav.hidden = !signedIn();
    document.body.classList.toggle("has-tabbar", signedIn());
    for (const link of nav.querySelectorAll("a")) {
      const tab = link.getAttribute("data-tab");
      const current = path === tab || path.startsWith(`${tab}/`);
      if (current) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    updateWaiting();
  });
}
