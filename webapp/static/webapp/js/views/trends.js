// /app/trends: per site and side, the daily worst and average pain with the ice and heat
// minutes, over 30, 90 or 365 local days (/api/v1/trends/). Each chart has its figures as
// a real table (what a screen reader reads; the chart is a picture with a summary).
import { api } from "../core/api.js";
import { h } from "../core/dom.js";
import { formatDay, t } from "../core/i18n.js";
import { todayIn, trendChart } from "../parts/chart.js";
import { SIDES, SITE_CODES, siteAndSide, sitePhrase } from "../parts/foot-map.js";

export const RANGES = [30, 90, 365];

function shortDay(day) {
  const [y, m, d] = day.split("-").map(Number);
  return new Intl.DateTimeFormat("en-GB", {
    day: "numeric",
    month: "short",
    timeZone: "UTC",
  }).format(new Date(Date.UTC(y, m - 1, d)));
}

// Rows grouped by site and side, in the catalogue's order of sites, left before right.
export function groupRows(rows) {
  const groups = new Map();
  for (const row of rows) {
    const key = `${row.site}:${row.side}`;
    if (!groups.has(key)) groups.set(key, { site: row.site, side: row.side, rows: [] });
    groups.get(key).rows.push(row);
  }
  const rank = (g) => SITE_CODES.indexOf(g.site) * 2 + SIDES.indexOf(g.side);
  return [...groups.values()].sort((a, b) => rank(a) - rank(b));
}

function rangeNav(days) {
  return h(
    "nav",
    { class: "tabs", "aria-label": t("trends.rangeLabel") },
    h("span", { class: "tabs__label", "aria-hidden": "true" }, t("trends.rangeLabel")),
    h(
      "ul",
      {},
      RANGES.map((n) =>
        h(
          "li",
          {},
          h(
            "a",
            {
              href: `/app/trends?days=${n}`,
              class: "tabs__link",
              "aria-current": n === days ? "page" : null,
            },
            t(`trends.range.${n}`),
          ),
        ),
      ),
    ),
  );
}

function figure(value) {
  return value === null || value === undefined ? "–" : String(value);
}

function groupSection(group, days, lastDay, index) {
  const rows = [...group.rows].sort((a, b) => (a.date < b.date ? -1 : 1));
  const withPain = rows.filter((r) => r.max_severity !== null);
  const sum = (key) => rows.reduce((total, r) => total + (r[key] || 0), 0);
  const label = t("trends.chartLabel", {
    where: sitePhrase(group.site, group.side),
    days,
    first: withPain.length ? withPain[0].max_severity : "–",
    last: withPain.length ? withPain[withPain.length - 1].max_severity : "–",
    entries: sum("entries"),
    ice: sum("ice_minutes"),
    heat: sum("heat_minutes"),
  });
  const headingId = `trend-${index}`;
  const caption = t("trends.caption", { where: siteAndSide(group.site, group.side) });
  const table = h(
    "table",
    { class: "trend-table" },
    h("caption", {}, caption),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ["date", "worst", "mean", "entries", "ice", "heat"].map((key) =>
          h("th", { scope: "col" }, t(`trends.${key}`)),
        ),
      ),
    ),
    h(
      "tbody",
      {},
      rows.map((row) =>
        h(
          "tr",
          { "data-date": row.date },
          h("th", { scope: "row" }, formatDay(row.date)),
          h("td", {}, figure(row.max_severity)),
          h("td", {}, figure(row.mean_severity)),
          h("td", {}, String(row.entries)),
          h("td", {}, String(row.ice_minutes)),
          h("td", {}, String(row.heat_minutes)),
        ),
      ),
    ),
  );
  return h(
    "section",
    {
      class: "trend",
      "aria-labelledby": headingId,
      "data-site": group.site,
      "data-side": group.side,
    },
    h("h2", { id: headingId }, siteAndSide(group.site, group.side)),
    h(
      "div",
      { class: "trend__chart" },
      trendChart({ rows, days, lastDay, label, formatDay: shortDay }),
    ),
    h(
      "ul",
      { class: "legend", "aria-hidden": "true" },
      h("li", { class: "legend__worst" }, t("trends.worst")),
      h("li", { class: "legend__mean" }, t("trends.mean")),
      h("li", { class: "legend__ice" }, t("trends.ice")),
      h("li", { class: "legend__heat" }, t("trends.heat")),
    ),
    h(
      "details",
      { class: "trend__table" },
      h("summary", {}, t("trends.tableToggle")),
      // A table wider than a phone scrolls sideways: focusable, so a keyboard can scroll it.
      h(
        "div",
        { class: "table-scroll", tabindex: "0", role: "region", "aria-label": caption },
        table,
      ),
    ),
  );
}

async function trendsView(ctx) {
  const asked = Number(ctx.query.get("days"));
  const days = RANGES.includes(asked) ? asked : 30;
  const data = await api("GET", "trends/", { query: { days } });
  const zone = data.timezone || (ctx.me && ctx.me.timezone) || "UTC";
  const lastDay = todayIn(zone);
  const groups = groupRows(data.results);
  return h(
    "div",
    { class: "trends" },
    h("h1", { tabindex: "-1" }, t("trends.title")),
    rangeNav(days),
    h(
      "ul",
      { class: "next-links" },
      h("li", {}, h("a", { href: "/app/insights" }, t("insights.trendsLink"))),
      h("li", {}, h("a", { href: "/app/questionnaires" }, t("questionnaires.trendsLink"))),
    ),
    groups.length
      ? groups.map((group, index) => groupSection(group, days, lastDay, index))
      : h("p", { class: "empty" }, t("trends.none")),
  );
}

export default trendsView;
export const routes = [{ path: "/app/trends", view: trendsView, title: "trends.title" }];
