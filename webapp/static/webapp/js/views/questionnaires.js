// /app/questionnaires: what is due now (/questionnaires/due/), then the patient's answers so
// far with their scores (/questionnaires/responses/, newest first). The daily reminder's
// weekly question links here.
// /app/questionnaires/answer?instrument=...: one questionnaire on its own page.
//
// Definitions are data: every questionnaire is drawn from /api/v1/questionnaires/ (its
// items, their words and anchors as the API gives them), with no code per instrument. The
// server checks the answers; its 400 is shown in the error summary, linked to the item.
import { ApiError, OfflineError, api } from "../core/api.js";
import { h } from "../core/dom.js";
import { busy, errorSummary, showErrors } from "../core/forms.js";
import { formatDate, formatDay, t } from "../core/i18n.js";
import { navigate } from "../core/router.js";
import { sitePhrase } from "../parts/foot-map.js";
import { newId } from "./log.js";

const LIST = "/app/questionnaires";
const ANSWER = "/app/questionnaires/answer";

async function definitions() {
  const list = await api("GET", "questionnaires/");
  return new Map(list.map((each) => [each.code, each]));
}

// The address of one due questionnaire's page: its instrument and, for one about an episode,
// which (site, side, start day), as the submission names it.
function answerHref(due) {
  const query = new URLSearchParams({ instrument: due.instrument });
  if (due.site && due.side && due.episode_start) {
    query.set("site", due.site);
    query.set("side", due.side);
    query.set("episode_start", due.episode_start);
  }
  return `${ANSWER}?${query}`;
}

function aboutPlace(due) {
  if (!(due.site && due.side)) return null;
  const where = sitePhrase(due.site, due.side);
  return due.episode_start && due.episode_end
    ? t("questionnaires.aboutPlace", {
        where,
        start: formatDay(due.episode_start),
        end: formatDay(due.episode_end),
      })
    : t("questionnaires.aboutPlaceOpen", { where });
}

function dueItem(due, definition) {
  const questionnaire = definition || due.questionnaire;
  const about = aboutPlace(due);
  return h(
    "li",
    { class: "due", "data-instrument": due.instrument },
    h("a", { href: answerHref(due), class: "action" }, questionnaire.title),
    about ? h("p", { class: "due__about" }, about) : null,
    h(
      "p",
      { class: "hint" },
      t("questionnaires.questions", { count: questionnaire.items.length }),
      " · ",
      t("questionnaires.lookingBack", { recall: questionnaire.recall_period }),
    ),
  );
}

// An item's answer in words: its anchor when every value has one, else the number.
function answerWords(item, value) {
  if (item.anchors && item.anchors.length) return item.anchors[value - item.min] ?? String(value);
  return String(value);
}

function score(value) {
  return Number(value).toLocaleString("en-GB", { maximumFractionDigits: 2 });
}

function historyItem(response, definition, me) {
  const title = definition ? definition.title : response.instrument;
  const answers = Object.entries(response.answers || {});
  return h(
    "li",
    { class: "response", "data-id": response.id },
    h("h3", {}, title),
    h("p", { class: "meta" }, t("questionnaires.answeredOn", { when: formatDate(response.authored_at, me) })),
    response.site && response.side
      ? h("p", {}, t("questionnaires.aboutPlaceOpen", { where: sitePhrase(response.site, response.side) }))
      : null,
    h("p", { class: "response__score" }, t("questionnaires.score", { score: score(response.score) })),
    definition ? h("p", { class: "hint" }, t(`questionnaires.higherIs.${definition.higher_is}`)) : null,
    definition && answers.length
      ? h(
          "ul",
          { class: "response__answers" },
          answers.map(([code, value]) => {
            const item = definition.items.find((each) => each.code === code);
            return h(
              "li",
              {},
              t("questionnaires.answerLabel", {
                question: item ? item.text : code,
                answer: item ? answerWords(item, value) : String(value),
              }),
            );
          }),
        )
      : null,
  );
}

async function listView(ctx) {
  const [defined, due, history] = await Promise.all([
    definitions(),
    api("GET", "questionnaires/due/"),
    api("GET", "questionnaires/responses/"),
  ]);
  const done = ctx.query.get("done");
  const saved = done ? history.find((each) => each.id === done) : null;
  const savedDefinition = saved ? defined.get(saved.instrument) : null;
  return h(
    "div",
    { class: "questionnaires" },
    h("h1", { tabindex: "-1" }, saved ? t("questionnaires.thanks") : t("questionnaires.title")),
    saved
      ? h(
          "div",
          { class: "notice notice--success" },
          h(
            "p",
            {},
            t("questionnaires.thanksScore", {
              title: savedDefinition ? savedDefinition.title : saved.instrument,
              score: score(saved.score),
            }),
          ),
        )
      : null,
    h("h2", {}, t("questionnaires.dueHeading")),
    due.results.length
      ? h(
          "ul",
          { class: "actions due-list" },
          due.results.map((each) => dueItem(each, defined.get(each.instrument))),
        )
      : h("p", { class: "empty" }, t("questionnaires.dueNone")),
    h("h2", {}, t("questionnaires.historyHeading")),
    history.length
      ? h(
          "ul",
          { class: "response-list" },
          history.map((each) => historyItem(each, defined.get(each.instrument), ctx.me)),
        )
      : h("p", { class: "empty" }, t("questionnaires.historyNone")),
  );
}

// --- one questionnaire ------------------------------------------------------------------------

function itemId(item, value) {
  return `q-${item.code}-${value}`;
}

// One item: its question as the legend and every value from min to max as a large radio.
// With an anchor per value (the API's `anchors`) each value is its words; otherwise the
// numbers, with the two end words under the first and last.
function itemQuestion(item, index, answers) {
  const values = Array.from({ length: item.max - item.min + 1 }, (_, i) => item.min + i);
  const worded = Boolean(item.anchors && item.anchors.length === values.length);
  const hintId = `q-${item.code}-hint`;
  const choices = values.map((value) => {
    const id = itemId(item, value);
    const end =
      value === item.min ? item.min_anchor : value === item.max ? item.max_anchor : null;
    return h(
      "div",
      { class: ["choice", worded && "choice--big"] },
      h("input", {
        type: "radio",
        name: `q-${item.code}`,
        id,
        value: String(value),
        checked: answers[item.code] === value,
        onchange: () => {
          answers[item.code] = value;
        },
      }),
      h(
        "label",
        { for: id },
        worded ? item.anchors[value - item.min] : String(value),
        !worded && end ? h("span", { class: "severity__end" }, end) : null,
      ),
    );
  });
  return h(
    "div",
    { class: "form-group", "data-item": item.code },
    h(
      "fieldset",
      { "aria-describedby": worded ? null : hintId },
      h("legend", { class: "question" }, h("span", { class: "caption" }, t("questionnaires.itemLabel", { n: index + 1 })), " ", item.text),
      worded
        ? null
        : h("p", { class: "hint", id: hintId }, t("questionnaires.itemHint", { min: item.min, max: item.max })),
      h("div", { class: worded ? "anchor-list" : "severity__scale" }, choices),
    ),
  );
}

// DRF's {answers: {item: [messages]}} flattened to one field per item, each linked to its
// item's first choice; other fields (period, id, detail) stay as the server named them.
function errorFields(fields, questionnaire) {
  const flat = {};
  const labels = {};
  for (const [field, messages] of Object.entries(fields)) {
    if (field === "answers" && messages && typeof messages === "object" && !Array.isArray(messages)) {
      for (const [code, itemMessages] of Object.entries(messages)) {
        const index = questionnaire.items.findIndex((item) => item.code === code);
        const item = questionnaire.items[index];
        flat[`answers.${code}`] = itemMessages;
        labels[`answers.${code}`] = item
          ? { id: itemId(item, item.min), label: t("questionnaires.itemLabel", { n: index + 1 }) }
          : { id: `answers-${code}` };
      }
    } else {
      flat[field] = messages;
    }
  }
  return { flat, labels };
}

async function answerView(ctx) {
  const code = ctx.query.get("instrument");
  const [defined, due] = await Promise.all([definitions(), api("GET", "questionnaires/due/")]);
  const wanted = {
    site: ctx.query.get("site") || "",
    side: ctx.query.get("side") || "",
    episode_start: ctx.query.get("episode_start") || null,
  };
  const match = due.results.find(
    (each) =>
      each.instrument === code &&
      (each.site || "") === wanted.site &&
      (each.side || "") === wanted.side &&
      (each.episode_start || null) === wanted.episode_start,
  );
  const questionnaire = defined.get(code);
  if (!match || !questionnaire) {
    return h(
      "div",
      {},
      h("h1", { tabindex: "-1" }, questionnaire ? questionnaire.title : t("questionnaires.title")),
      h("p", {}, t("questionnaires.notDue")),
      h("p", {}, h("a", { href: LIST }, t("questionnaires.backToList"))),
    );
  }
  setTimeout(() => {
    document.title = `${questionnaire.title} – ${t("common.serviceName")}`;
  }, 0);
  const answers = {};
  // One id for this page: sending the same answers again (a retry after a lost answer) is
  // harmless, and the server's 200 for it means they were stored.
  const id = newId();
  const summarySlot = h("div", { class: "summary-slot" });
  const about = aboutPlace(match);

  async function submit(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const button = form.querySelector("button[type=submit]");
    const body = { id, instrument: code, answers: { ...answers } };
    if (match.site && match.side && match.episode_start) {
      Object.assign(body, { site: match.site, side: match.side, episode_start: match.episode_start });
    }
    try {
      const stored = await busy(button, () => api("POST", "questionnaires/responses/", { body }));
      await navigate(`${LIST}?done=${encodeURIComponent(stored.id)}`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 400 && Object.keys(error.fields).length) {
        const { flat, labels } = errorFields(error.fields, questionnaire);
        showErrors(form, summarySlot, flat, labels);
      } else {
        const message =
          error instanceof OfflineError ? t("questionnaires.offline") : error.detail || t("common.failed.body");
        summarySlot.replaceChildren(errorSummary({ detail: [message] }, {}));
      }
    }
  }

  return h(
    "div",
    { class: "questionnaire" },
    h("p", {}, h("a", { href: LIST, class: "back" }, t("common.back"))),
    h(
      "form",
      { class: "question-page", novalidate: true, onsubmit: submit },
      h("h1", { tabindex: "-1" }, questionnaire.title),
      about ? h("p", { class: "where-now" }, about) : null,
      h("p", { class: "hint" }, t("questionnaires.lookingBack", { recall: questionnaire.recall_period })),
      summarySlot,
      questionnaire.items.map((item, index) => itemQuestion(item, index, answers)),
      h(
        "div",
        { class: "button-row" },
        h("button", { type: "submit", class: "button button--primary" }, t("questionnaires.submit")),
      ),
    ),
  );
}

export default listView;
export const routes = [
  { path: LIST, view: listView, title: "questionnaires.title" },
  { path: ANSWER, view: answerView, title: "questionnaires.title" },
];
