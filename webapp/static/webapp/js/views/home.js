// /app/: what to do next, in one or two taps.

import { api } from "../core/api.js";
import { h } from "../core/dom.js";
import { busy } from "../core/forms.js";
import { t } from "../core/i18n.js";

function verifyBanner(me) {
  if (!me || me.email_verified) return null;
  const out = h("div", { class: "result-slot", role: "status" });
  const button = h("button", { type: "button", class: "button button--secondary button--small" }, t("auth.verify.resend"));
  button.addEventListener("click", () =>
    busy(button, async () => {
      try {
        const answer = await api("POST", "auth/verify-email/resend/");
        out.replaceChildren(h("p", {}, answer.detail));
      } catch (error) {
        out.replaceChildren(h("p", { class: "field-error" }, error.detail || t("common.needsNetwork")));
      }
    }),
  );
  return h(
    "div",
    { class: "notice notice--info" },
    h("p", {}, t("home.unverified", { email: me.email })),
    button,
    out,
  );
}

async function homeView(ctx) {
  return h(
    "div",
    { class: "page" },
    h("h1", { tabindex: "-1" }, t("home.title")),
    ctx.query.get("welcome") ? h("div", { class: "notice notice--success" }, h("p", {}, t("home.welcome"))) : null,
    verifyBanner(ctx.me),
    h(
      "ul",
      { class: "actions" },
      h("li", {}, h("a", { href: "/app/log", class: "action action--primary" }, t("home.log"))),
      h("li", {}, h("a", { href: "/app/treatments", class: "action" }, t("home.treatments"))),
      h("li", {}, h("a", { href: "/app/alerts", class: "action" }, t("home.alerts"))),
      h("li", {}, h("a", { href: "/app/entries", class: "action" }, t("home.entries"))),
      h("li", {}, h("a", { href: "/app/trends", class: "action" }, t("home.trends"))),
    ),
    h("p", {}, h("a", { href: "/app/questionnaires" }, t("questionnaires.startLink"))),
    h("p", { class: "hint" }, t("home.emergency")),
  );
}

export const routes = [{ path: "/app", view: homeView, title: "home.title" }];
