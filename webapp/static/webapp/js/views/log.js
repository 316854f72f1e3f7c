// /app/log: log an entry in a few taps, one question page at a time (NHS question pages):
// where (picture or list, and side), how bad (0-10), then the red-flag questions and a note.
// Every question has an answer already ("no", "yes I can put weight on it") except where
// and how bad, so a patient with nothing else to report saves in three taps after those.
//
// /app/log?site=heel_bottom&side=right is the follow-up question the reminder asks about a
// quiet site: one tap "Gone" (severity 0) or "Still there" (the form, on that site).
import { ApiError, OfflineError, api } from "../core/api.js";
import { clear, h } from "../core/dom.js";
import { busy, clearErrors, errorSummary, showErrors } from "../core/forms.js";
import { t } from "../core/i18n.js";
import { queueLog } from "../core/outbox.js";
import { navigate } from "../core/router.js";
import { SIDES, SITE_CODES, footMap, sitePhrase } from "../parts/foot-map.js";
import { setLastWrite } from "./result.js";

const SWELLING = ["none", "mild", "moderate", "severe"];
// The yes/no flags asked as "select all that apply", in the order a clinician would ask.
const FLAGS = [
  "redness_or_warmth",
  "fever",
  "numbness_or_tingling",
  "sudden_onset",
  "heard_pop",
  "back_or_leg_pain",
];

let sitesCache = null;

// The sites the server offers (/api/v1/sites/), fetched once per page load; the built-in
// list when it cannot be had (offline on a first visit), since the codes are the contract.
export async function loadSites() {
  if (sitesCache) return sitesCache;
  try {
    sitesCache = await api("GET", "sites/");
  } catch {
    return SITE_CODES.map((code) => ({ code }));
  }
  return sitesCache;
}

export function newId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  // Pages served over plain http to another host have no randomUUID: RFC 4122 v4 by hand.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = [...b].map((n) => n.toString(16).padStart(2, "0")).join("");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

export function blankEntry() {
  return {
    site: null,
    side: null,
    severity: null,
    swelling: "none",
    can_bear_weight: true,
    redness_or_warmth: false,
    fever: false,
    numbness_or_tingling: false,
    sudden_onset: false,
    heard_pop: false,
    back_or_leg_pain: false,
    temperature_c: null,
    gone: false,
    notes: "",
  };
}

// The fields of an entry the API takes, from the form's state.
export function entryBody(state) {
  const body = {};
  for (const key of Object.keys(blankEntry())) body[key] = state[key];
  return body;
}

function radioChoice({ name, id, value, checked, label, onchange, big = false, extra = null }) {
  const input = h("input", { type: "radio", name, id, value, checked, onchange });
  return h(
    "div",
    { class: ["choice", big && "choice--big"] },
    input,
    h("label", { for: id }, label, extra),
  );
}

// --- the questions, each bound to `state` (shared with the edit page in entries.js) ---------

export function severityQuestion(state, { asHeading = false } = {}) {
  const legendText = t("log.severity.legend");
  return h(
    "div",
    { class: "form-group" },
    h(
      "fieldset",
      { class: "severity", "aria-describedby": "severity-hint" },
      h(
        "legend",
        { class: ["question", asHeading && "question--page"] },
        asHeading ? h("h1", { tabindex: "-1" }, legendText) : legendText,
      ),
      h("p", { class: "hint", id: "severity-hint" }, t("log.severity.hint")),
      h(
        "div",
        { class: "severity__scale" },
        Array.from({ length: 11 }, (_, n) =>
          radioChoice({
            name: "severity",
            id: `severity-${n}`,
            value: String(n),
            checked: state.severity === n,
            label: String(n),
            extra:
              n === 0
                ? h("span", { class: "severity__end" }, t("log.severity.lowWord"))
                : n === 10
                  ? h("span", { class: "severity__end" }, t("log.severity.highWord"))
                  : null,
            onchange: () => {
              state.severity = n;
            },
          }),
        ),
      ),
    ),
  );
}

// At 0 the patient can say the trouble is over (API `gone`): a 0 alone is read as a quiet
// moment of pain that comes and goes, and keeps the place watched until it is pain-free on two
// days in a row.
export function goneQuestion(state) {
  return h(
    "div",
    { class: "form-group" },
    h(
      "div",
      { class: "choice choice--check" },
      h("input", {
        type: "checkbox",
        id: "gone",
        name: "gone",
        checked: Boolean(state.gone),
        "aria-describedby": "gone-question-hint",
        onchange: (event) => {
          state.gone = event.target.checked;
        },
      }),
      h("label", { for: "gone" }, t("log.gone.label")),
    ),
    h("p", { class: "hint", id: "gone-question-hint" }, t("log.gone.hint")),
  );
}

export function flagQuestions(state) {
  const swelling = h(
    "div",
    { class: "form-group" },
    h(
      "fieldset",
      {},
      h("legend", { class: "question" }, t("log.flags.swelling.legend")),
      h(
        "div",
        { class: "choice-row" },
        SWELLING.map((value) =>
          radioChoice({
            name: "swelling",
            id: `swelling-${value}`,
            value,
            checked: state.swelling === value,
            label: t(`log.flags.swelling.${value}`),
            big: true,
            onchange: () => {
              state.swelling = value;
            },
          }),
        ),
      ),
    ),
  );
  const weight = h(
    "div",
    { class: "form-group" },
    h(
      "fieldset",
      {},
      h("legend", { class: "question" }, t("log.flags.weight.legend")),
      h(
        "div",
        { class: "choice-row" },
        [true, false].map((value) =>
          radioChoice({
            name: "can_bear_weight",
            id: `weight-${value ? "yes" : "no"}`,
            value: String(value),
            checked: state.can_bear_weight === value,
            label: t(`log.flags.weight.${value ? "yes" : "no"}`),
            big: true,
            onchange: () => {
              state.can_bear_weight = value;
            },
          }),
        ),
      ),
    ),
  );
  const any = h(
    "div",
    { class: "form-group" },
    h(
      "fieldset",
      { "aria-describedby": "flags-hint" },
      h("legend", { class: "question" }, t("log.flags.anyLegend")),
      h("p", { class: "hint", id: "flags-hint" }, t("log.flags.anyHint")),
      FLAGS.map((flag) =>
        h(
          "div",
          { class: "choice choice--check" },
          h("input", {
            type: "checkbox",
            id: `flag-${flag}`,
            name: flag,
            checked: Boolean(state[flag]),
            onchange: (event) => {
              state[flag] = event.target.checked;
            },
          }),
          h("label", { for: `flag-${flag}` }, t(`log.flags.${flag}`)),
        ),
      ),
    ),
  );
  const temperature = h(
    "div",
    { class: "form-group" },
    h("label", { for: "temperature", class: "label" }, t("log.flags.temperature")),
    h("p", { class: "hint", id: "temperature-hint" }, t("log.flags.temperatureHint")),
    h("input", {
      id: "temperature",
      name: "temperature",
      type: "text",
      inputmode: "decimal",
      autocomplete: "off",
      class: "input input--short",
      "aria-describedby": "temperature-hint",
      value: state.temperature_c === null ? "" : String(state.temperature_c),
      oninput: (event) => {
        state.temperatureText = event.target.value;
      },
    }),
  );
  const notes = h(
    "div",
    { class: "form-group" },
    h("label", { for: "notes", class: "label" }, t("log.flags.notes")),
    h(
      "textarea",
      {
        id: "notes",
        name: "notes",
        rows: "3",
        maxlength: "2000",
        class: "textarea",
        oninput: (event) => {
          state.notes = event.target.value;
        },
      },
      state.notes || "",
    ),
  );
  return [swelling, weight, any, temperature, notes];
}

// "38,5" or "38.5" to a number with one decimal; undefined when it is not a temperature.
export function readTemperature(state) {
  const text = (state.temperatureText ?? (state.temperature_c ?? "").toString()).trim();
  if (!text) return null;
  const value = Number(text.replace(",", "."));
  if (!Number.isFinite(value) || value < 34 || value > 43) return undefined;
  return Math.round(value * 10) / 10;
}

// Where each API field is shown, for the error summary's links.
export const FIELD_IDS = {
  site: { id: "where-site-ankle_outer" },
  side: { id: "where-side-left" },
  severity: { id: "severity-0" },
  swelling: { id: "swelling-none" },
  can_bear_weight: { id: "weight-yes" },
  temperature_c: { id: "temperature" },
  notes: { id: "notes" },
  gone: { id: "gone" },
  ...Object.fromEntries(FLAGS.map((flag) => [flag, { id: `flag-${flag}` }])),
};

// Save a new entry: the API when online, the device's outbox when not. Resolves to what the
// result page shows, or throws ApiError (400) with the fields refused.
export async function saveEntry(body) {
  try {
    const written = await api("POST", "logs/", { body });
    return { entry: written, triage: written.triage };
  } catch (error) {
    if (!(error instanceof OfflineError)) throw error;
  }
  const outcome = await queueLog(body);
  if (outcome.status === "sent") return { entry: body, triage: outcome.response };
  if (outcome.status === "refused") {
    throw Object.assign(new ApiError(400, outcome.errors || {}), { queued: true });
  }
  return { entry: body, triage: null, queued: true };
}

// --- the form -------------------------------------------------------------------------------

// The tab's title is the page's question. The router titles a page by its route after the
// view resolves, so a title set while the view is being built goes after that (a task, not a
// microtask, runs once the router has finished).
function retitle(text) {
  setTimeout(() => {
    document.title = `${text} – ${t("common.serviceName")}`;
  }, 0);
}

async function logView(ctx) {
  const sites = await loadSites();
  const site = ctx.query.get("site");
  const side = ctx.query.get("side");
  const known = sites.some((each) => each.code === site) && SIDES.includes(side);
  if (known && ctx.query.get("check") !== "0") return siteCheck(ctx, sites, site, side);
  const state = blankEntry();
  if (known) Object.assign(state, { site, side });
  return logForm(ctx, sites, state, known ? 2 : 1);
}

function logForm(ctx, sites, state, firstStep) {
  const root = h("div", { class: "log" });
  const summarySlot = h("div", { class: "summary-slot" });
  const total = 3;
  let step = firstStep;
  const map = footMap({
    sites,
    site: state.site,
    side: state.side,
    prefix: "where",
    onChange: (value) => Object.assign(state, value),
  });
  const opened = performance.now();

  function stepValid() {
    const fields = {};
    if (step === 1 && !state.side) fields.side = [t("log.errors.side")];
    if (step === 1 && !state.site) fields.site = [t("log.errors.site")];
    if (step === 2 && state.severity === null) fields.severity = [t("log.errors.severity")];
    if (step === 3 && readTemperature(state) === undefined) {
      fields.temperature_c = [t("log.errors.temperature")];
    }
    return fields;
  }

  function stepFor(fields) {
    if ("site" in fields || "side" in fields) return 1;
    if ("severity" in fields) return 2;
    return 3;
  }

  function draw(focus = true) {
    const form = h("form", { class: "question-page", novalidate: true, onsubmit: submit });
    const caption = h("p", { class: "caption" }, t("log.stepOf", { step, total }));
    let heading;
    let body;
    if (step === 1) {
      heading = h("h1", { tabindex: "-1" }, t("log.title"));
      body = [map.node];
    } else if (step === 2) {
      heading = null; // the question is the page's heading (inside its legend)
      body = [
        h("p", { class: "where-now" }, sitePhrase(state.site, state.side)),
        severityQuestion(state, { asHeading: true }),
      ];
    } else {
      heading = h("h1", { tabindex: "-1" }, t("log.flags.heading"));
      if (state.severity !== 0) state.gone = false;
      body = [
        h("p", { class: "hint" }, t("log.flags.hint")),
        state.severity === 0 && goneQuestion(state),
        ...flagQuestions(state),
      ];
    }
    const buttons = h(
      "div",
      { class: "button-row" },
      h(
        "button",
        { type: "submit", class: ["button", step === total && "button--primary"] },
        step === total ? t("log.save") : t("log.continue"),
      ),
    );
    form.append(caption, ...(heading ? [heading] : []), summarySlot, ...body, buttons);
    const back =
      step > 1
        ? h(
            "p",
            {},
            h(
              "button",
              {
                type: "button",
                class: "link-button back",
                onclick: () => {
                  step -= 1;
                  draw();
                },
              },
              t("log.back"),
            ),
          )
        : null;
    clear(root).append(...(back ? [back] : []), form);
    const h1 = root.querySelector("h1");
    // Each question page is titled by its question (NHS question pages); step 1 keeps the
    // route's title, which the router sets.
    if (step > 1) retitle(h1.textContent);
    if (focus && h1 && h1.isConnected) h1.focus();
  }

  async function submit(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const fields = stepValid();
    clearErrors(form, summarySlot);
    if (Object.keys(fields).length) {
      showErrors(form, summarySlot, fields, FIELD_IDS);
      return;
    }
    if (step < total) {
      step += 1;
      draw();
      return;
    }
    const body = { id: newId(), recorded_at: new Date().toISOString(), ...entryBody(state) };
    body.temperature_c = readTemperature(state);
    const button = form.querySelector("button[type=submit]");
    const saving = performance.now();
    try {
      const outcome = await busy(button, () => saveEntry(body));
      setLastWrite(outcome);
      await navigate("/app/result");
      // For bench/RESULTS.md (read by the browser test): opening the form to the advice on
      // the screen, and the Save tap alone (request, write, re-assessment, result page).
      window.__lastLogMs = performance.now() - opened;
      window.__lastSaveMs = performance.now() - saving;
    } catch (error) {
      if (error instanceof ApiError && error.status === 400 && Object.keys(error.fields).length) {
        const target = stepFor(error.fields);
        if (target !== step) {
          step = target;
          draw(false);
        }
        const shown = root.querySelector("form");
        showErrors(shown, summarySlot, error.fields, FIELD_IDS);
      } else {
        summarySlot.replaceChildren(
          errorSummary({ detail: [error.detail || t("common.failed.body")] }, {}),
        );
      }
    }
  }

  draw(false);
  return root;
}

// --- the site check (the reminder's follow-up question) --------------------------------------

// "Gone" is the patient saying the trouble is over (API `gone`), not a quiet reading of 0: only
// it ends the episode at once. Queued offline like any entry, with the flag.
function postGone(site, side) {
  const at = new Date().toISOString();
  return saveEntry({ id: newId(), recorded_at: at, site, side, severity: 0, gone: true });
}

function siteCheck(ctx, sites, site, side) {
  const where = sitePhrase(site, side);
  retitle(t("log.check.heading", { where }));
  const slot = h("div", { class: "summary-slot" });
  const gone = h(
    "button",
    {
      type: "button",
      class: "button button--big",
      "aria-describedby": "gone-hint",
      onclick: async () => {
        try {
          const outcome = await busy(gone, () => postGone(site, side));
          setLastWrite({ ...outcome, note: t("log.check.goneSaved", { where }) });
          navigate("/app/result");
        } catch (error) {
          slot.replaceChildren(
            errorSummary({ detail: [error.detail || t("common.failed.body")] }, {}),
          );
        }
      },
    },
    t("log.check.gone"),
  );
  const still = h(
    "a",
    {
      href: `/app/log?site=${encodeURIComponent(site)}&side=${encodeURIComponent(side)}&check=0`,
      class: "button button--big button--secondary",
      "aria-describedby": "still-hint",
    },
    t("log.check.still"),
  );
  return h(
    "div",
    { class: "site-check" },
    h("h1", { tabindex: "-1" }, t("log.check.heading", { where })),
    h("p", { class: "hint" }, t("log.check.hint")),
    slot,
    h(
      "div",
      { class: "check-answers" },
      h(
        "div",
        { class: "check-answer" },
        gone,
        h("p", { class: "hint", id: "gone-hint" }, t("log.check.goneHint")),
      ),
      h(
        "div",
        { class: "check-answer" },
        still,
        h("p", { class: "hint", id: "still-hint" }, t("log.check.stillHint")),
      ),
    ),
  );
}

export default logView;
export const routes = [{ path: "/app/log", view: logView, title: "log.title" }];
