// /app/insights: per site and side, what the diary shows about pain the day after ice, after
// heat and after neither (/api/v1/insights/): the server's sentence for each, the days behind
// each group, or how many more days it needs. The caveat is always on the page, and each
// place's safety notes come before its numbers, never behind a tap: they stand whatever the
// numbers show. The page never recommends a treatment; the sentences are the server's.
import { api } from "../core/api.js";
import { h } from "../core/dom.js";
import { t } from "../core/i18n.js";
import { SIDES, SITE_CODES, siteAndSide } from "../parts/foot-map.js";

function comparison(each, headingId) {
  const kind = t(`insights.kindLower.${each.treatment}`);
  return h(
    "section",
    { class: "comparison", "aria-labelledby": headingId, "data-treatment": each.treatment },
    h("h3", { id: headingId }, t(`insights.kind.${each.treatment}`)),
    each.enough_data
      ? null
      : h("p", { class: "comparison__status" }, t("insights.notEnough", { count: each.days_needed })),
    h("p", { class: "comparison__summary" }, each.summary),
    h("p", { class: "meta" }, t("insights.daysHeading")),
    h(
      "ul",
      { class: "comparison__days" },
      h("li", {}, t("insights.daysWith", { count: each.treated_days, kind })),
      h("li", {}, t("insights.daysNeither", { count: each.untreated_days })),
    ),
  );
}

function placeSection(result, index) {
  const headingId = `insight-${index}`;
  const notes = result.safety_notes || [];
  return h(
    "section",
    {
      class: "insight",
      "aria-labelledby": headingId,
      "data-site": result.site,
      "data-side": result.side,
    },
    h("h2", { id: headingId }, siteAndSide(result.site, result.side)),
    notes.length
      ? h(
          "div",
          { class: "warning-text" },
          h("p", { class: "warning-text__strong" }, t("insights.safetyHeading")),
          h("ul", {}, notes.map((note) => h("li", {}, note))),
        )
      : null,
    result.comparisons.map((each, n) => comparison(each, `${headingId}-${n}`)),
  );
}

async function insightsView() {
  const data = await api("GET", "insights/");
  const rank = (r) => SITE_CODES.indexOf(r.site) * 2 + SIDES.indexOf(r.side);
  const results = [...data.results].sort((a, b) => rank(a) - rank(b));
  return h(
    "div",
    { class: "insights" },
    h("h1", { tabindex: "-1" }, t("insights.title")),
    h("p", {}, t("insights.intro")),
    h(
      "div",
      { class: "notice notice--warning caveat" },
      h("h2", { class: "advice__title" }, t("insights.caveatHeading")),
      h("p", {}, data.caveat),
      h("p", {}, t("insights.minimum", { n: data.min_days })),
    ),
    results.length
      ? results.map(placeSection)
      : [
          h("p", { class: "empty" }, t("insights.none")),
          h("p", {}, h("a", { href: "/app/treatments" }, t("insights.treatmentsLink"))),
        ],
  );
}

export default insightsView;
export const routes = [{ path: "/app/insights", view: insightsView, title: "insights.title" }];
