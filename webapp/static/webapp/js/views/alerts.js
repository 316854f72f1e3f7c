// /app/alerts: the see-a-doctor alerts, open / seen / closed. Each says what to do and why:
// the alert's message and, while it is active, the passage the current assessment's finding
// rests on (/api/v1/triage/ gives the source; the alert list does not). "I have read this"
// acknowledges it; a clinician acknowledging or closing it shows here too, since both change
// the same alert.
import { ApiError, api } from "../core/api.js";
import { clear, h } from "../core/dom.js";
import { busy, errorSummary } from "../core/forms.js";
import { formatDateTime, t } from "../core/i18n.js";
import { sitePhrase } from "../parts/foot-map.js";
import { URGENT, levelWords } from "./result.js";

const STATUSES = ["open", "acknowledged", "resolved"];
const PAGE_SIZE = 20;

function tabs(current) {
  return h(
    "nav",
    { class: "tabs", "aria-label": t("alerts.filterLabel") },
    h(
      "ul",
      {},
      STATUSES.map((status) =>
        h(
          "li",
          {},
          h(
            "a",
            {
              href: `/app/alerts?status=${status}`,
              class: "tabs__link",
              "aria-current": status === current ? "page" : null,
            },
            t(`alerts.status.${status}`),
          ),
        ),
      ),
    ),
  );
}

function sourceFor(alert, findings) {
  const match = findings.find(
    (f) =>
      f.rule === alert.rule &&
      (f.site || null) === (alert.site || null) &&
      (f.side || null) === (alert.side || null),
  );
  return match && match.source && match.source.passage ? match.source : null;
}

function alertCard(alert, me, findings, onChange) {
  const headingId = `alert-${alert.id}`;
  const source = alert.status === "resolved" ? null : sourceFor(alert, findings);
  const slot = h("div", { class: "summary-slot" });
  const acknowledge =
    alert.status === "open"
      ? h(
          "button",
          {
            type: "button",
            class: "button",
            "aria-describedby": headingId,
            onclick: async () => {
              try {
                const updated = await busy(acknowledge, () =>
                  api("POST", `alerts/${alert.id}/acknowledge/`),
                );
                onChange(alert, updated);
              } catch (error) {
                const fields =
                  error instanceof ApiError && Object.keys(error.fields).length
                    ? error.fields
                    : { detail: [error.detail || t("common.failed.body")] };
                slot.replaceChildren(errorSummary(fields, {}));
              }
            },
          },
          t("alerts.acknowledge"),
        )
      : null;
  return h(
    "li",
    {
      class: ["alert-card", `alert-card--${alert.level}`, `alert-card--${alert.status}`],
      "data-id": alert.id,
    },
    h(
      "article",
      { "aria-labelledby": headingId },
      h("h2", { id: headingId }, levelWords(alert.level)),
      h("p", { class: "alert-card__status" }, t(`alerts.statusLong.${alert.status}`)),
      h("p", { class: "alert-card__message" }, alert.message),
      h(
        "p",
        { class: "alert-card__where" },
        alert.site && alert.side
          ? t("result.where", { where: sitePhrase(alert.site, alert.side) })
          : t("alerts.whole"),
      ),
      source
        ? h(
            "figure",
            { class: "source" },
            h("figcaption", {}, t("result.sourceLabel", { file: source.file })),
            h("blockquote", {}, h("p", {}, source.passage)),
          )
        : null,
      h(
        "ul",
        { class: "alert-card__times meta" },
        h("li", {}, t("alerts.openedAt", { when: formatDateTime(alert.opened_at, me) })),
        alert.acknowledged_at
          ? h(
              "li",
              {},
              t("alerts.acknowledgedAt", { when: formatDateTime(alert.acknowledged_at, me) }),
            )
          : null,
        alert.resolved_at
          ? h("li", {}, t("alerts.resolvedAt", { when: formatDateTime(alert.resolved_at, me) }))
          : null,
      ),
      slot,
      acknowledge,
    ),
  );
}

async function alertsView(ctx) {
  const asked = ctx.query.get("status");
  const status = STATUSES.includes(asked) ? asked : "open";
  const me = ctx.me;
  const [data, triage] = await Promise.all([
    api("GET", "alerts/", { query: { status, page_size: PAGE_SIZE } }),
    api("GET", "triage/").catch(() => null),
  ]);
  const findings = (triage && triage.findings) || [];
  // A live region from the start (so it is announced), styled only once it says something.
  const notice = h("p", { role: "status" });
  const list = h("ul", { class: "alert-list" });
  const more = h("div", { class: "more" });
  let page = 1;

  function changed(before, after) {
    const old = list.querySelector(`[data-id="${CSS.escape(before.id)}"]`);
    const card = alertCard(after, me, findings, changed);
    if (old) old.replaceWith(card);
    notice.textContent = t("alerts.acknowledged");
    notice.className = "notice notice--success";
    const heading = card.querySelector("h2");
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }

  function add(results, next) {
    list.append(...results.map((alert) => alertCard(alert, me, findings, changed)));
    clear(more);
    if (next) {
      const button = h(
        "button",
        {
          type: "button",
          class: "button button--secondary",
          onclick: async () => {
            page += 1;
            const page_data = await busy(button, () =>
              api("GET", "alerts/", { query: { status, page, page_size: PAGE_SIZE } }),
            );
            add(page_data.results, page_data.next);
          },
        },
        t("alerts.loadMore"),
      );
      more.append(button);
    }
  }
  add(data.results, data.next);

  // While the current assessment is urgent, its advice leads the page on every tab: having
  // read an alert (or the care team having seen it) does not make the advice go away.
  const level = triage ? triage.level : null;
  const urgent = level && URGENT.has(level) ? { level } : null;
  return h(
    "div",
    { class: "alerts" },
    h("h1", { tabindex: "-1" }, t("alerts.title")),
    urgent
      ? h(
          "div",
          { class: ["advice", `advice--${urgent.level}`], role: "alert" },
          h("p", { class: "advice__title" }, levelWords(urgent.level)),
          h("p", {}, t(`result.levelBody.${urgent.level}`)),
        )
      : null,
    tabs(status),
    notice,
    data.results.length ? list : h("p", { class: "empty" }, t(`alerts.none.${status}`)),
    more,
  );
}

export default alertsView;
export const routes = [{ path: "/app/alerts", view: alertsView, title: "alerts.title" }];
