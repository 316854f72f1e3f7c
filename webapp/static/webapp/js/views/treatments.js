// /app/treatments: ice and heat. Start a session, watch a 15-minute countdown, stop it; the
// safety advice is always on the page. The countdown is computed from the session's
// started_at (the server's, or the outbox copy's), never kept in memory, so a reload, a
// closed tab or the timer push opening the page shows the true time left.
//
// The advice is the clinical text the triage rules cite (001_397942f7636e3461.txt, see
// docs/triage-rules.md: up to 15 minutes, a barrier, a few hours between, no heat on
// swelling, stop on a skin reaction, none with circulation or sensation problems); what the
// server says after a session (its `triage`) is shown with it, never contradicted.
import { ApiError, OfflineError, api } from "../core/api.js";
import { clear, h } from "../core/dom.js";
import { busy, clearErrors, errorSummary, showErrors } from "../core/forms.js";
import { formatDateTime, t } from "../core/i18n.js";
import { discard, queueTreatment, queuedTreatments } from "../core/outbox.js";
import { SIDES, sideLabel, siteAndSide, siteOptions, sitePhrase } from "../parts/foot-map.js";
import { loadSites, newId } from "./log.js";
import { findingsList } from "./result.js";

const LIMIT_SECONDS = 15 * 60;
const CONDITIONS = ["has_diabetes", "has_circulation_problems", "has_reduced_sensation"];
const KINDS = ["ice", "heat"];

let afterStop = null; // {minutes, triage}: shown once on the next draw of the page

export function remainingSeconds(startedAt, now = Date.now()) {
  return LIMIT_SECONDS - Math.floor((now - new Date(startedAt).getTime()) / 1000);
}

export function clock(seconds) {
  const s = Math.max(0, seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function kindWord(kind) {
  return t(`treatments.${kind}`);
}

function safetyAdvice(me) {
  const conditions = CONDITIONS.filter((name) => me && me[name]).map((name) =>
    t(`treatments.conditions.${name}`),
  );
  return h(
    "section",
    { class: "safety", "aria-labelledby": "safety-heading" },
    h("h2", { id: "safety-heading" }, t("treatments.safetyHeading")),
    conditions.length
      ? h(
          "div",
          { class: "advice advice--consult" },
          h(
            "p",
            {},
            t("treatments.notAdvised", { conditions: conditions.join(t("treatments.and")) }),
          ),
        )
      : null,
    h(
      "ul",
      { class: "safety__list" },
      ["limit", "barrier", "gap", "heatSwelling", "stop", "circulation"].map((key) =>
        h("li", {}, t(`treatments.safety.${key}`)),
      ),
    ),
    h("p", { class: "meta" }, t("treatments.safetySource")),
  );
}

function runningPanel(session, me, redraw) {
  const announcer = h("p", { class: "visually-hidden", role: "status" });
  const timer = h("p", { class: "timer", role: "timer", "aria-label": t("treatments.timerLabel") });
  const overNote = h("p", { class: "timer__over" });
  let announced = false;
  function tick() {
    const left = remainingSeconds(session.started_at);
    timer.textContent =
      left > 0 ? t("treatments.remaining", { time: clock(left) }) : t("treatments.overShort");
    timer.classList.toggle("timer--over", left <= 0);
    if (left <= 0 && !announced) {
      announced = true;
      const text = t(`treatments.over.${session.kind}`);
      overNote.textContent = text;
      announcer.textContent = text;
    }
  }
  tick();
  const interval = setInterval(() => {
    if (!panel.isConnected) {
      clearInterval(interval);
      return;
    }
    tick();
  }, 1000);

  const skin = h("input", { type: "checkbox", id: "skin-reaction", name: "skin_reaction" });
  const slot = h("div", { class: "summary-slot" });
  const stop = h(
    "button",
    {
      type: "submit",
      class: "button button--primary button--big",
    },
    t("treatments.stop"),
  );
  const form = h(
    "form",
    {
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        const elapsed = Math.round((Date.now() - new Date(session.started_at).getTime()) / 60000);
        const minutes = Math.min(720, Math.max(0, elapsed));
        const change = { minutes, skin_reaction: skin.checked };
        try {
          await busy(stop, async () => {
            const onDevice =
              session.state && (await queuedTreatments()).some((q) => q.id === session.id);
            if (onDevice) {
              // Still on the device: replace the queued copy with the finished session.
              const { state, errors, queued_at, ...body } = session;
              await discard(session.id);
              const outcome = await queueTreatment({ ...body, ...change });
              if (outcome.status === "refused") throw new ApiError(400, outcome.errors || {});
              afterStop = { minutes, triage: null }; // the advice comes when it is sent
            } else {
              const written = await api("PATCH", `treatments/${session.id}/`, { body: change });
              afterStop = { minutes, triage: written.triage };
            }
          });
          clearInterval(interval);
          redraw();
        } catch (error) {
          if (error instanceof OfflineError) {
            slot.replaceChildren(errorSummary({ detail: [t("treatments.offlineStop")] }, {}));
          } else {
            slot.replaceChildren(
              errorSummary(
                error.fields && Object.keys(error.fields).length
                  ? error.fields
                  : { detail: [error.detail || t("common.failed.body")] },
                {},
              ),
            );
          }
        }
      },
    },
    slot,
    h(
      "div",
      { class: "choice choice--check" },
      skin,
      h("label", { for: "skin-reaction" }, t("treatments.skinReaction")),
    ),
    h("div", { class: "button-row" }, stop),
  );
  const panel = h(
    "section",
    { class: ["running", `running--${session.kind}`], "aria-labelledby": "running-heading" },
    h(
      "h2",
      { id: "running-heading" },
      t("treatments.running", {
        kind: kindWord(session.kind),
        where: sitePhrase(session.site, session.side),
      }),
    ),
    timer,
    overNote,
    announcer,
    h(
      "p",
      { class: "meta" },
      t("treatments.startedAt", { when: formatDateTime(session.started_at, me) }),
    ),
    session.state ? h("p", { class: "badge badge--waiting" }, t("treatments.waiting")) : null,
    form,
  );
  return panel;
}

function startForm(sites, me, lastPlace, redraw) {
  const state = { kind: null, site: lastPlace?.site || "", side: lastPlace?.side || null };
  const slot = h("div", { class: "summary-slot" });
  const ids = {
    kind: { id: "kind-ice" },
    site: { id: "treatment-site" },
    side: { id: "treatment-side-left" },
  };
  const select = h(
    "select",
    {
      id: "treatment-site",
      name: "site",
      class: "select",
      onchange: (event) => (state.site = event.target.value),
    },
    siteOptions(sites, state.site, { all: t("treatments.choosePlace") }),
  );
  const radios = (name, values, label, current, set, idOf) =>
    h(
      "div",
      { class: "choice-row" },
      values.map((value) =>
        h(
          "div",
          { class: "choice choice--big" },
          h("input", {
            type: "radio",
            name,
            id: idOf(value),
            value,
            checked: current === value,
            onchange: () => set(value),
          }),
          h("label", { for: idOf(value) }, label(value)),
        ),
      ),
    );
  const start = h(
    "button",
    { type: "submit", class: "button button--primary button--big" },
    t("treatments.start"),
  );
  const form = h(
    "form",
    {
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        clearErrors(form, slot);
        const fields = {};
        if (!state.kind) fields.kind = [t("treatments.errors.kind")];
        if (!state.site) fields.site = [t("treatments.errors.site")];
        if (!state.side) fields.side = [t("treatments.errors.side")];
        if (Object.keys(fields).length) {
          showErrors(form, slot, fields, ids);
          return;
        }
        const body = {
          id: newId(),
          kind: state.kind,
          site: state.site,
          side: state.side,
          started_at: new Date().toISOString(),
        };
        try {
          await busy(start, async () => {
            try {
              await api("POST", "treatments/", { body });
            } catch (error) {
              if (!(error instanceof OfflineError)) throw error;
              const outcome = await queueTreatment(body);
              if (outcome.status === "refused") throw new ApiError(400, outcome.errors || {});
            }
          });
          redraw();
        } catch (error) {
          if (error instanceof ApiError && error.status === 400 && Object.keys(error.fields).length)
            showErrors(form, slot, error.fields, ids);
          else
            slot.replaceChildren(
              errorSummary({ detail: [error.detail || t("common.failed.body")] }, {}),
            );
        }
      },
    },
    slot,
    h(
      "div",
      { class: "form-group" },
      h(
        "fieldset",
        {},
        h("legend", { class: "question" }, t("treatments.kindLegend")),
        radios(
          "kind",
          KINDS,
          kindWord,
          state.kind,
          (v) => (state.kind = v),
          (v) => `kind-${v}`,
        ),
      ),
    ),
    h(
      "div",
      { class: "form-group" },
      h("label", { for: "treatment-site", class: "label" }, t("treatments.siteLabel")),
      select,
    ),
    h(
      "div",
      { class: "form-group" },
      h(
        "fieldset",
        {},
        h("legend", { class: "question" }, t("treatments.sideLegend")),
        radios(
          "treatment-side",
          SIDES,
          sideLabel,
          state.side,
          (v) => (state.side = v),
          (v) => `treatment-side-${v}`,
        ),
      ),
    ),
    h("div", { class: "button-row" }, start),
  );
  return h(
    "section",
    { class: "start", "aria-labelledby": "start-heading" },
    h("h2", { id: "start-heading" }, t("treatments.startHeading")),
    form,
  );
}

function sessionItem(session, me, redraw) {
  const when = formatDateTime(session.started_at, me);
  const confirmSlot = h("div", { class: "confirm-slot" });
  const ask = () => {
    const yes = h(
      "button",
      {
        type: "button",
        class: "button button--warning",
        onclick: async () => {
          try {
            await busy(yes, () =>
              session.state ? discard(session.id) : api("DELETE", `treatments/${session.id}/`),
            );
            redraw();
          } catch (error) {
            confirmSlot.replaceChildren(
              errorSummary({ detail: [error.detail || t("common.failed.body")] }, {}),
            );
          }
        },
      },
      t("treatments.confirmYes"),
    );
    const box = h(
      "div",
      {
        class: "confirm",
        role: "alertdialog",
        "aria-labelledby": `confirm-${session.id}`,
        tabindex: "-1",
      },
      h("p", { id: `confirm-${session.id}` }, t("treatments.confirmDelete")),
      h(
        "div",
        { class: "button-row" },
        yes,
        h(
          "button",
          { type: "button", class: "button button--secondary", onclick: () => clear(confirmSlot) },
          t("treatments.confirmNo"),
        ),
      ),
    );
    confirmSlot.replaceChildren(box);
    box.focus();
  };
  return h(
    "li",
    { class: ["session", `session--${session.kind}`] },
    h(
      "p",
      { class: "session__what" },
      t("treatments.sessionWhat", {
        kind: kindWord(session.kind),
        where: siteAndSide(session.site, session.side),
      }),
    ),
    h(
      "p",
      { class: "session__when" },
      t(session.skin_reaction ? "treatments.sessionWhenSkin" : "treatments.sessionWhen", {
        when,
        length:
          session.minutes === null || session.minutes === undefined
            ? t("treatments.runningNow")
            : t("treatments.minutes", { minutes: session.minutes }),
      }),
    ),
    session.state === "waiting"
      ? h("p", { class: "badge badge--waiting" }, t("treatments.waiting"))
      : null,
    session.state === "refused"
      ? h("p", { class: "badge badge--refused" }, t("treatments.refused"))
      : null,
    h(
      "button",
      {
        type: "button",
        class: "link-button",
        "aria-label": t("treatments.deleteNamed", { kind: kindWord(session.kind), when }),
        onclick: ask,
      },
      t("treatments.delete"),
    ),
    confirmSlot,
  );
}

async function treatmentsView(ctx) {
  const me = ctx.me;
  const sites = await loadSites();
  const root = h("div", { class: "treatments" });

  async function draw() {
    const [data, queued, lastLog] = await Promise.all([
      // Offline with nothing cached, the sessions on the device are still shown (and a
      // running one keeps counting down).
      api("GET", "treatments/", { query: { page_size: 20 } }).catch((error) => {
        if (error instanceof OfflineError) return { results: [], offline: true };
        throw error;
      }),
      queuedTreatments().catch(() => []),
      api("GET", "logs/", { query: { page_size: 1 } }).catch(() => null),
    ]);
    const sessions = [...queued, ...data.results.filter((s) => !queued.some((q) => q.id === s.id))];
    const running = sessions.find(
      (s) => (s.minutes === null || s.minutes === undefined) && s.state !== "refused",
    );
    const lastPlace = lastLog && lastLog.results && lastLog.results[0];
    const stopped = afterStop;
    afterStop = null;
    clear(root).append(
      // h() skips empty parts; the DOM's append() would print "null".
      ...[
        h("h1", { tabindex: "-1" }, t("treatments.title")),
        data.offline ? h("p", { class: "notice notice--warning" }, t("treatments.offline")) : null,
        stopped
          ? h(
              "section",
              { class: "stopped", role: "status", "aria-labelledby": "stopped-heading" },
              h(
                "h2",
                { id: "stopped-heading" },
                t("treatments.stopped", { minutes: stopped.minutes }),
              ),
              stopped.triage && stopped.triage.findings.length
                ? [
                    h("h3", {}, t("treatments.adviceHeading")),
                    findingsList(stopped.triage.findings),
                  ]
                : null,
            )
          : null,
        running
          ? runningPanel(running, me, redrawAndFocus)
          : startForm(sites, me, lastPlace, redrawAndFocus),
        safetyAdvice(me),
        h(
          "section",
          { "aria-labelledby": "history-heading" },
          h("h2", { id: "history-heading" }, t("treatments.historyHeading")),
          sessions.length
            ? h(
                "ul",
                { class: "session-list" },
                sessions.map((s) => sessionItem(s, me, redrawAndFocus)),
              )
            : h("p", {}, t("treatments.none")),
        ),
      ].filter(Boolean),
    );
  }

  async function redrawAndFocus() {
    await draw();
    const target = root.querySelector(".stopped h2, .running h2, h1");
    if (target) {
      target.setAttribute("tabindex", "-1");
      target.focus();
    }
  }

  await draw();
  return root;
}

export default treatmentsView;
export const routes = [
  { path: "/app/treatments", view: treatmentsView, title: "treatments.title" },
];
