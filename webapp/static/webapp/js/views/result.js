// /app/result: the server's answer to a write (its `triage`): how soon to see a doctor in
// words, each finding's message and the passage of the clinical text it rests on, and the
// disclaimer. At consult_24h and above that advice is the first thing on the page, in an
// alert, and nothing of it is behind a tap. Opened without a fresh write (a reload), it shows
// the current assessment from /api/v1/triage/.
import { api } from "../core/api.js";
import { h } from "../core/dom.js";
import { formatDateTime, t } from "../core/i18n.js";
import { sitePhrase } from "../parts/foot-map.js";

export const LEVELS = ["self_care", "consult", "consult_24h", "emergency"];
export const URGENT = new Set(["consult_24h", "emergency"]);

let lastWrite = null;

// The log form, the site check and the edit page hand their outcome over here:
// {entry, triage, queued?, note?}.
export function setLastWrite(outcome) {
  lastWrite = outcome;
}

export function levelWords(level) {
  return t(`result.level.${level}`);
}

// One finding: what it means for the patient and the passage it rests on (as the server
// wrote both: text nodes only).
export function findingItem(finding) {
  return h(
    "li",
    { class: ["finding", `finding--${finding.level}`] },
    h("p", { class: "finding__level" }, levelWords(finding.level)),
    h("p", { class: "finding__message" }, finding.message),
    finding.site && finding.side
      ? h(
          "p",
          { class: "finding__where" },
          t("result.where", { where: sitePhrase(finding.site, finding.side) }),
        )
      : null,
    finding.source && finding.source.passage
      ? h(
          "figure",
          { class: "source" },
          h("figcaption", {}, t("result.sourceLabel", { file: finding.source.file })),
          h("blockquote", {}, h("p", {}, finding.source.passage)),
        )
      : null,
  );
}

export function findingsList(findings) {
  if (!findings || !findings.length) return h("p", {}, t("result.findingsNone"));
  return h("ul", { class: "findings" }, findings.map(findingItem));
}

// The level box: a heading and what to do. `heading` is the tag ("h1" when it leads the page).
export function levelBox(level, heading = "h2") {
  const urgent = URGENT.has(level);
  return h(
    "div",
    {
      class: ["advice", `advice--${level}`],
      role: urgent ? "alert" : null,
    },
    h(heading, heading === "h1" ? { tabindex: "-1" } : {}, levelWords(level)),
    h("p", {}, t(`result.levelBody.${level}`)),
  );
}

// The whole answer: at consult_24h and above, the advice first and as the page's h1.
export function advice(triage, me, { lead = null } = {}) {
  const urgent = URGENT.has(triage.level);
  const parts = [];
  if (urgent) {
    parts.push(levelBox(triage.level, "h1"));
    if (lead) parts.push(h("p", { class: "saved-note" }, lead));
  } else {
    parts.push(h("h1", { tabindex: "-1" }, lead || t("result.title")));
    parts.push(levelBox(triage.level, "h2"));
  }
  parts.push(
    h("h2", {}, t("result.whyHeading")),
    findingsList(triage.findings),
    h("p", { class: "disclaimer" }, triage.disclaimer),
  );
  if (triage.assessed_at) {
    parts.push(
      h(
        "p",
        { class: "meta" },
        t("result.assessedAt", { when: formatDateTime(triage.assessed_at, me) }),
      ),
    );
  }
  return parts;
}

function nextLinks(level) {
  return h(
    "ul",
    { class: "next-links" },
    h("li", {}, h("a", { href: "/app/log" }, t("result.logAnother"))),
    h("li", {}, h("a", { href: "/app/entries" }, t("result.seeEntries"))),
    level && level !== "self_care"
      ? h("li", {}, h("a", { href: "/app/alerts" }, t("result.seeAlerts")))
      : null,
  );
}

async function resultView(ctx) {
  const outcome = lastWrite;
  lastWrite = null; // a reload or a later visit shows the current assessment instead
  if (outcome && outcome.queued) {
    return h(
      "div",
      { class: "result" },
      h("h1", { tabindex: "-1" }, t("result.queuedTitle")),
      outcome.note ? h("p", {}, outcome.note) : null,
      h("div", { class: "advice advice--offline" }, h("p", {}, t("result.queuedBody"))),
      nextLinks(null),
    );
  }
  const triage = outcome && outcome.triage ? outcome.triage : await api("GET", "triage/");
  const lead = outcome ? outcome.note || t("result.saved") : null;
  return h("div", { class: "result" }, advice(triage, ctx.me, { lead }), nextLinks(triage.level));
}

export default resultView;
export const routes = [{ path: "/app/result", view: resultView, title: "result.title" }];
