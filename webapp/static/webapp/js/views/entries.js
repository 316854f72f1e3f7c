// /app/entries: the journal, newest first, filtered by site, a page at a time; entries still
// on the device first ("waiting to send", or refused with the server's own messages, never
// dropped without the patient saying so). /app/entry?id=… changes or deletes one.
import { ApiError, OfflineError, api } from "../core/api.js";
import { clear, h } from "../core/dom.js";
import { busy, clearErrors, errorSummary, showErrors } from "../core/forms.js";
import { formatDateTime, has, t } from "../core/i18n.js";
import { discard, onOutboxChange, queuedLogs } from "../core/outbox.js";
import { navigate } from "../core/router.js";
import { footMap, siteAndSide, siteOptions } from "../parts/foot-map.js";
import {
  FIELD_IDS,
  entryBody,
  flagQuestions,
  loadSites,
  readTemperature,
  severityQuestion,
} from "./log.js";
import { setLastWrite } from "./result.js";

const PAGE_SIZE = 20;
let flash = null; // one message for the next list ("The entry was deleted.")

function flagsOf(entry) {
  const out = [];
  if (entry.swelling && entry.swelling !== "none") {
    out.push(t("entries.flags.swelling", { level: t(`entries.swellingWords.${entry.swelling}`) }));
  }
  if (entry.can_bear_weight === false) out.push(t("entries.flags.cannot_bear_weight"));
  for (const flag of [
    "redness_or_warmth",
    "fever",
    "numbness_or_tingling",
    "sudden_onset",
    "heard_pop",
    "back_or_leg_pain",
  ]) {
    if (entry[flag]) out.push(t(`entries.flags.${flag}`));
  }
  if (entry.temperature_c !== null && entry.temperature_c !== undefined) {
    out.push(t("entries.flags.temperature", { t: entry.temperature_c }));
  }
  return out;
}

function entryCard(entry, me, { state = null } = {}) {
  const flags = flagsOf(entry);
  return h(
    "li",
    { class: ["entry", state && `entry--${state}`], "data-id": entry.id },
    h(
      "h2",
      { class: "entry__title", id: `entry-${entry.id}` },
      siteAndSide(entry.site, entry.side),
      " ",
      h("span", { class: "entry__when" }, formatDateTime(entry.recorded_at, me)),
    ),
    h("p", { class: "entry__severity" }, t("entries.severity", { n: entry.severity })),
    flags.length
      ? h(
          "ul",
          { class: "tags" },
          flags.map((flag) => h("li", {}, flag)),
        )
      : null,
    entry.notes ? h("p", { class: "entry__notes" }, entry.notes) : null,
    state === "waiting" ? h("p", { class: "badge badge--waiting" }, t("entries.waiting")) : null,
    state === "refused" ? refusedPart(entry) : null,
    state
      ? null
      : h(
          "p",
          {},
          h(
            "a",
            {
              href: `/app/entry?id=${entry.id}`,
              class: "entry__edit",
              // "Change or delete" on every entry: which one is in its heading.
              "aria-describedby": `entry-${entry.id}`,
            },
            t("entries.edit"),
          ),
        ),
  );
}

function messagesOf(errors) {
  const out = [];
  for (const [field, messages] of Object.entries(errors || {})) {
    const list = Array.isArray(messages)
      ? messages
      : [typeof messages === "string" ? messages : JSON.stringify(messages)];
    for (const message of list) {
      const known = has(`entries.fieldNames.${field}`);
      // The server's message as it sent it, after the question it is about.
      out.push(
        field === "non_field_errors" || field === "detail"
          ? message
          : t("entries.fieldMessage", {
              field: known ? t(`entries.fieldNames.${field}`) : field,
              message,
            }),
      );
    }
  }
  return out;
}

function refusedPart(entry) {
  const remove = h(
    "button",
    {
      type: "button",
      class: "button button--secondary",
      onclick: () => discard(entry.id),
    },
    t("entries.removeRefused"),
  );
  return h(
    "div",
    { class: "refused", role: "group", "aria-label": t("entries.refused") },
    h("p", { class: "badge badge--refused" }, t("entries.refused")),
    h(
      "ul",
      {},
      messagesOf(entry.errors).map((message) => h("li", {}, message)),
    ),
    h("p", { class: "hint" }, t("entries.refusedHelp")),
    remove,
  );
}

async function entriesView(ctx) {
  const sites = await loadSites();
  const site = ctx.query.get("site") || "";
  const me = ctx.me;
  const root = h("div", { class: "entries" });
  const status = h("p", { role: "status", class: "entries__count" });
  const queuedList = h("ul", {
    class: "entry-list entry-list--queued",
    "aria-label": t("entries.queuedLabel"),
  });
  const list = h("ul", { class: "entry-list" });
  const more = h("div", { class: "more" });
  const message = flash;
  flash = null;

  const select = h(
    "select",
    { id: "site-filter", name: "site", class: "select" },
    siteOptions(sites, site, { all: t("entries.allSites") }),
  );
  const filter = h(
    "form",
    {
      class: "filter",
      role: "search",
      onsubmit: (event) => {
        event.preventDefault();
        navigate(
          select.value ? `/app/entries?site=${encodeURIComponent(select.value)}` : "/app/entries",
        );
      },
    },
    h("label", { for: "site-filter", class: "label" }, t("entries.filterLabel")),
    h(
      "div",
      { class: "filter__row" },
      select,
      h("button", { type: "submit", class: "button button--secondary" }, t("entries.show")),
    ),
  );

  async function drawQueued() {
    let queued = [];
    try {
      queued = await queuedLogs();
    } catch {
      queued = [];
    }
    if (site) queued = queued.filter((entry) => entry.site === site);
    clear(queuedList).append(
      ...queued.map((entry) => entryCard(entry, me, { state: entry.state })),
    );
    queuedList.hidden = !queued.length;
  }

  let page = 1;
  async function loadPage({ reset = false } = {}) {
    const data = await api("GET", "logs/", {
      query: { site, page: reset ? 1 : page, page_size: PAGE_SIZE },
    });
    if (reset) {
      page = 1;
      clear(list);
    }
    list.append(...data.results.map((entry) => entryCard(entry, me)));
    status.textContent = data.count ? t("entries.count", { count: data.count }) : "";
    clear(more);
    if (data.next) {
      const button = h(
        "button",
        {
          type: "button",
          class: "button button--secondary",
          onclick: async () => {
            page += 1;
            const first = list.children.length;
            await busy(button, loadPage);
            // Keyboard and screen reader users carry on from the first new entry.
            const next = list.children[first];
            if (next) {
              next.setAttribute("tabindex", "-1");
              next.focus();
            }
          },
        },
        t("entries.loadMore"),
      );
      more.append(button);
    }
    return data;
  }

  let data = { count: 0, results: [] };
  let offlineNote = null;
  try {
    data = await loadPage();
  } catch (error) {
    // Offline with nothing cached: what waits on the device is still worth showing.
    if (!(error instanceof OfflineError)) throw error;
    offlineNote = h("p", { class: "notice notice--warning" }, t("entries.offline"));
  }
  await drawQueued();
  let redraw = Promise.resolve(); // one redraw at a time, or the list would double
  const off = onOutboxChange(() => {
    if (!root.isConnected) {
      off();
      return;
    }
    redraw = redraw.then(async () => {
      await drawQueued();
      // Something was sent (or refused): the server's list is the one to show now.
      try {
        await loadPage({ reset: true });
        if (offlineNote) offlineNote.remove();
      } catch {
        // still offline: keep what is shown
      }
    });
  });

  root.append(
    // h() skips empty parts; the DOM's append() would print "null".
    ...[
      h("h1", { tabindex: "-1" }, t("entries.title")),
      message ? h("p", { class: "notice", role: "status" }, message) : null,
      offlineNote,
      filter,
      status,
      queuedList,
      list,
      !data.count && queuedList.hidden
        ? h(
            "p",
            { class: "empty" },
            t("entries.none"),
            " ",
            h("a", { href: "/app/log" }, t("entries.logFirst")),
          )
        : null,
      more,
    ].filter(Boolean),
  );
  return root;
}

// --- change or delete one entry -------------------------------------------------------------

async function entryView(ctx) {
  const id = ctx.query.get("id") || "";
  let entry;
  try {
    entry = await api("GET", `logs/${encodeURIComponent(id)}/`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      return h(
        "div",
        {},
        h("h1", { tabindex: "-1" }, t("entries.editTitle")),
        h("p", {}, t("entries.notFound")),
        h("p", {}, h("a", { href: "/app/entries" }, t("entries.title"))),
      );
    }
    throw error;
  }
  const sites = await loadSites();
  const state = {
    ...entry,
    temperatureText: entry.temperature_c === null ? "" : String(entry.temperature_c),
  };
  const summarySlot = h("div", { class: "summary-slot" });
  const map = footMap({
    sites,
    site: entry.site,
    side: entry.side,
    prefix: "where",
    onChange: (v) => Object.assign(state, v),
  });
  const confirmSlot = h("div", { class: "confirm-slot" });

  async function save(event) {
    event.preventDefault();
    const form = event.currentTarget;
    clearErrors(form, summarySlot);
    const temperature = readTemperature(state);
    if (temperature === undefined) {
      showErrors(form, summarySlot, { temperature_c: [t("log.errors.temperature")] }, FIELD_IDS);
      return;
    }
    const body = entryBody(state);
    body.temperature_c = temperature;
    if (body.severity !== 0) body.gone = false; // "gone" is only an answer at 0
    try {
      const written = await busy(form.querySelector("button[type=submit]"), () =>
        api("PATCH", `logs/${entry.id}/`, { body }),
      );
      setLastWrite({ entry: written, triage: written.triage });
      navigate("/app/result");
    } catch (error) {
      if (error instanceof ApiError && error.status === 400)
        showErrors(form, summarySlot, error.fields, FIELD_IDS);
      else
        summarySlot.replaceChildren(
          errorSummary({ detail: [error.detail || t("common.failed.body")] }, {}),
        );
    }
  }

  function askDelete() {
    const yes = h(
      "button",
      {
        type: "button",
        class: "button button--warning",
        onclick: async () => {
          try {
            await busy(yes, () => api("DELETE", `logs/${entry.id}/`));
            flash = t("entries.deleted");
            navigate("/app/entries", { replace: true });
          } catch (error) {
            confirmSlot.replaceChildren(
              errorSummary({ detail: [error.detail || t("common.failed.body")] }, {}),
            );
          }
        },
      },
      t("entries.confirmYes"),
    );
    const no = h(
      "button",
      { type: "button", class: "button button--secondary", onclick: () => clear(confirmSlot) },
      t("entries.confirmNo"),
    );
    const box = h(
      "div",
      { class: "confirm", role: "alertdialog", "aria-labelledby": "confirm-text", tabindex: "-1" },
      h("p", { id: "confirm-text" }, t("entries.confirmDelete")),
      h("div", { class: "button-row" }, yes, no),
    );
    confirmSlot.replaceChildren(box);
    box.focus();
  }

  return h(
    "div",
    { class: "entry-edit" },
    h(
      "h1",
      { tabindex: "-1" },
      t("entries.editHeading", { when: formatDateTime(entry.recorded_at, ctx.me) }),
    ),
    h(
      "form",
      { novalidate: true, onsubmit: save },
      summarySlot,
      map.node,
      severityQuestion(state),
      flagQuestions(state),
      h(
        "div",
        { class: "button-row" },
        h("button", { type: "submit", class: "button button--primary" }, t("entries.saveChanges")),
      ),
    ),
    h("h2", {}, t("entries.delete")),
    h(
      "p",
      {},
      h(
        "button",
        { type: "button", class: "button button--warning", onclick: askDelete },
        t("entries.delete"),
      ),
    ),
    confirmSlot,
  );
}

export default entriesView;
export const routes = [
  { path: "/app/entries", view: entriesView, title: "entries.title" },
  { path: "/app/entry", view: entryView, title: "entries.editTitle" },
];
