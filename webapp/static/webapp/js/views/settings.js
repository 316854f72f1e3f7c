// Settings: reminders, alerts, lock-screen detail, health conditions, time zone; push on
// this device; care team; download my data; sign out; delete my account.

import { ApiError, OfflineError, api, raw } from "../core/api.js";
import { h } from "../core/dom.js";
import { busy, checkboxField, clearErrors, showErrors, textField } from "../core/forms.js";
import { t } from "../core/i18n.js";
import { navigate } from "../core/router.js";
import { end, remember } from "../core/session.js";
import { pushPanel } from "./push.js";

function notice(text, kind = "info") {
  return h("div", { class: `notice notice--${kind}` }, h("p", {}, text));
}

function failureFields(error) {
  if (error instanceof OfflineError) return { non_field_errors: [t("common.needsNetwork")] };
  if (error instanceof ApiError && Object.keys(error.fields).length) return error.fields;
  if (error instanceof ApiError) return { non_field_errors: [error.detail || t("common.failed.body")] };
  throw error;
}

function channelBoxes(name, legendKey, chosen, hintKey) {
  const hintId = `${name}-hint`;
  return h(
    "fieldset",
    { class: "form-group fieldset", id: name, tabindex: "-1", "aria-describedby": hintKey ? hintId : null },
    h("legend", { class: "fieldset__legend" }, t(legendKey)),
    hintKey ? h("p", { class: "hint", id: hintId }, t(hintKey)) : null,
    ["push", "email"].map((channel) =>
      checkboxField({
        id: `${name}-${channel}`,
        label: t(`settings.channel.${channel}`),
        checked: chosen.includes(channel),
        "data-channel": channel,
      }),
    ),
  );
}

function zones(current) {
  let list = [];
  try {
    list = Intl.supportedValuesOf("timeZone");
  } catch {
    list = [];
  }
  if (current && !list.includes(current)) list = [current, ...list];
  if (!list.includes("UTC")) list.push("UTC");
  return list;
}

const LABELS = () => ({
  reminders_enabled: { id: "reminders-enabled", label: t("settings.reminders.enabled") },
  reminder_time: { id: "reminder-time", label: t("settings.reminders.time") },
  reminder_channels: { id: "reminder-channels", label: t("settings.reminders.channels") },
  alert_channels: { id: "alert-channels", label: t("settings.alerts.channels") },
  lock_screen_detail: { id: "lock-screen-detail", label: t("settings.alerts.lockScreen") },
  has_diabetes: { id: "has-diabetes", label: t("settings.health.diabetes") },
  has_circulation_problems: { id: "has-circulation", label: t("settings.health.circulation") },
  has_reduced_sensation: { id: "has-reduced-sensation", label: t("settings.health.sensation") },
  timezone: { id: "timezone", label: t("settings.zone.label") },
});

function preferencesForm(me) {
  const slot = h("div", { class: "error-slot" });
  const saved = h("div", { class: "result-slot", role: "status" });
  const zoneSelect = h(
    "select",
    { id: "timezone", name: "timezone", class: "select", "aria-describedby": "timezone-hint" },
    zones(me.timezone).map((zone) => h("option", { value: zone, selected: zone === me.timezone }, zone)),
  );
  const button = h("button", { type: "submit", class: "button" }, t("settings.save"));
  const form = h(
    "form",
    { id: "settings-form", class: "form", novalidate: true },
    h(
      "section",
      { "aria-labelledby": "reminders-title" },
      h("h2", { id: "reminders-title" }, t("settings.reminders.title")),
      checkboxField({ id: "reminders-enabled", label: t("settings.reminders.enabled"), checked: me.reminders_enabled }),
      textField({
        id: "reminder-time",
        label: t("settings.reminders.time"),
        hint: t("settings.reminders.timeHint", { zone: me.timezone }),
        type: "time",
        value: me.reminder_time || "",
        class: "input input--short",
      }),
      channelBoxes("reminder-channels", "settings.reminders.channels", me.reminder_channels || []),
    ),
    h(
      "section",
      { "aria-labelledby": "alerts-title" },
      h("h2", { id: "alerts-title" }, t("settings.alerts.title")),
      channelBoxes("alert-channels", "settings.alerts.channels", me.alert_channels || [], "settings.alerts.channelsHint"),
      checkboxField({
        id: "lock-screen-detail",
        label: t("settings.alerts.lockScreen"),
        hint: t("settings.alerts.lockScreenHint"),
        checked: me.lock_screen_detail,
      }),
    ),
    h(
      "section",
      { "aria-labelledby": "health-title" },
      h("h2", { id: "health-title" }, t("settings.health.title")),
      h("p", { class: "hint" }, t("settings.health.intro")),
      checkboxField({ id: "has-diabetes", label: t("settings.health.diabetes"), checked: me.has_diabetes }),
      checkboxField({ id: "has-circulation", label: t("settings.health.circulation"), checked: me.has_circulation_problems }),
      checkboxField({ id: "has-reduced-sensation", label: t("settings.health.sensation"), checked: me.has_reduced_sensation }),
    ),
    h(
      "section",
      { "aria-labelledby": "zone-title" },
      h("h2", { id: "zone-title" }, t("settings.zone.title")),
      h(
        "div",
        { class: "form-group" },
        h("label", { for: "timezone", class: "label" }, t("settings.zone.label")),
        h("p", { class: "hint", id: "timezone-hint" }, t("settings.zone.hint", { zone: Intl.DateTimeFormat().resolvedOptions().timeZone })),
        zoneSelect,
      ),
    ),
    button,
  );
  const chosen = (name) =>
    [...form.querySelectorAll(`#${name} input[type=checkbox]`)].filter((c) => c.checked).map((c) => c.getAttribute("data-channel"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form, slot);
    saved.replaceChildren();
    const body = {
      reminders_enabled: form.querySelector("#reminders-enabled").checked,
      reminder_channels: chosen("reminder-channels"),
      alert_channels: chosen("alert-channels"),
      lock_screen_detail: form.querySelector("#lock-screen-detail").checked,
      has_diabetes: form.querySelector("#has-diabetes").checked,
      has_circulation_problems: form.querySelector("#has-circulation").checked,
      has_reduced_sensation: form.querySelector("#has-reduced-sensation").checked,
      timezone: zoneSelect.value,
    };
    const time = form.querySelector("#reminder-time").value;
    body.reminder_time = time;
    await busy(button, async () => {
      try {
        const updated = await api("PATCH", "me/", { body });
        await remember(updated);
        saved.replaceChildren(notice(t("settings.saved"), "success"));
      } catch (error) {
        showErrors(form, slot, failureFields(error), LABELS());
      }
    });
  });
  return [slot, form, saved];
}

function emailSection(me) {
  const out = h("div", { class: "result-slot", role: "status" });
  let action = null;
  if (!me.email_verified) {
    action = h("button", { type: "button", class: "button button--secondary" }, t("auth.verify.resend"));
    action.addEventListener("click", () =>
      busy(action, async () => {
        try {
          const answer = await api("POST", "auth/verify-email/resend/");
          out.replaceChildren(h("p", {}, answer.detail));
        } catch (error) {
          out.replaceChildren(h("p", { class: "field-error" }, error.detail || t("common.needsNetwork")));
        }
      }),
    );
  }
  return h(
    "section",
    { "aria-labelledby": "email-title" },
    h("h2", { id: "email-title" }, t("settings.email.title")),
    h("p", {}, t("settings.email.address", { email: me.email })),
    h("p", {}, t(me.email_verified ? "settings.email.verified" : "settings.email.unverified")),
    action,
    out,
  );
}

async function careTeamSection() {
  const list = h("ul", { class: "list list--rows", id: "care-team-list" });
  const status = h("div", { class: "result-slot", role: "status" });
  async function refresh() {
    let team = [];
    try {
      team = await api("GET", "care-team/");
    } catch (error) {
      list.replaceChildren(h("li", {}, t("common.needsNetwork")));
      return;
    }
    if (!team.length) {
      list.replaceChildren(h("li", {}, t("settings.care.none")));
      return;
    }
    list.replaceChildren(
      ...team.map((member) => {
        const remove = h(
          "button",
          { type: "button", class: "button button--secondary button--small", "aria-label": t("settings.care.removeWho", { email: member.email }) },
          t("settings.care.remove"),
        );
        remove.addEventListener("click", () =>
          busy(remove, async () => {
            try {
              await api("DELETE", `care-team/${member.id}/`);
              status.replaceChildren(h("p", {}, t("settings.care.removed", { email: member.email })));
              await refresh();
            } catch (error) {
              status.replaceChildren(h("p", { class: "field-error" }, error.detail || t("common.needsNetwork")));
            }
          }),
        );
        return h("li", { class: "list__row" }, h("span", { class: "list__main" }, member.email), remove);
      }),
    );
  }
  const slot = h("div", { class: "error-slot" });
  const button = h("button", { type: "submit", class: "button" }, t("settings.care.add"));
  const form = h(
    "form",
    { id: "care-team-form", class: "form", novalidate: true },
    textField({ id: "invite-code", label: t("settings.care.code"), hint: t("settings.care.codeHint"), autocomplete: "off", spellcheck: "false", autocapitalize: "characters", class: "input input--code" }),
    button,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form, slot);
    await busy(button, async () => {
      try {
        const member = await api("POST", "care-team/", { body: { code: form.querySelector("#invite-code").value.trim() } });
        form.querySelector("#invite-code").value = "";
        status.replaceChildren(h("p", {}, t("settings.care.added", { email: member.email })));
        await refresh();
      } catch (error) {
        showErrors(form, slot, failureFields(error), { code: { id: "invite-code", label: t("settings.care.code") } });
      }
    });
  });
  await refresh();
  return h(
    "section",
    { "aria-labelledby": "care-title" },
    h("h2", { id: "care-title" }, t("settings.care.title")),
    h("p", {}, t("settings.care.intro")),
    list,
    status,
    slot,
    form,
  );
}

function exportSection() {
  const out = h("div", { class: "result-slot", role: "status" });
  const button = h("button", { type: "button", class: "button button--secondary", id: "export" }, t("settings.data.download"));
  button.addEventListener("click", () =>
    busy(button, async () => {
      try {
        const response = await raw("GET", "me/export/");
        if (!response.ok) throw new ApiError(response.status, null);
        const blob = await response.blob();
        const url = URL.createObjectURL(blob);
        const link = h("a", { href: url, download: "foot-journal-export.json", class: "visually-hidden" }, t("settings.data.download"));
        document.body.appendChild(link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(url), 10_000);
        out.replaceChildren(h("p", {}, t("settings.data.done")));
      } catch (error) {
        out.replaceChildren(h("p", { class: "field-error" }, error instanceof OfflineError ? t("common.needsNetwork") : t("common.failed.body")));
      }
    }),
  );
  return h(
    "section",
    { "aria-labelledby": "data-title" },
    h("h2", { id: "data-title" }, t("settings.data.title")),
    h("p", {}, t("settings.data.intro")),
    button,
    out,
  );
}

async function settingsView(ctx) {
  const me = ctx.me || (await api("GET", "me/"));
  return h(
    "div",
    { class: "page" },
    h("h1", { tabindex: "-1" }, t("settings.title")),
    ...preferencesForm(me),
    emailSection(me),
    await pushPanel(),
    await careTeamSection(),
    exportSection(),
    h(
      "section",
      { "aria-labelledby": "account-title" },
      h("h2", { id: "account-title" }, t("settings.account.title")),
      h(
        "ul",
        { class: "list" },
        h("li", {}, h("a", { href: "/app/signout" }, t("auth.signout.submit"))),
        h("li", {}, h("a", { href: "/app/signout?everywhere=1" }, t("auth.signout.everywhere"))),
        h("li", {}, h("a", { href: "/app/settings/delete", class: "link--warning" }, t("settings.delete.link"))),
      ),
    ),
  );
}

async function deleteView() {
  const slot = h("div", { class: "error-slot" });
  const button = h("button", { type: "submit", class: "button button--warning" }, t("settings.delete.submit"));
  const form = h(
    "form",
    { id: "delete-form", class: "form", novalidate: true },
    textField({ id: "password", label: t("settings.delete.password"), type: "password", autocomplete: "current-password" }),
    h("div", { class: "button-group" }, button, h("a", { href: "/app/settings", class: "button button--secondary" }, t("settings.delete.cancel"))),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form, slot);
    await busy(button, async () => {
      try {
        await api("DELETE", "me/", { body: { password: form.querySelector("#password").value } });
        await end();
        navigate("/app/signin?deleted=1", { replace: true });
      } catch (error) {
        showErrors(form, slot, failureFields(error), { password: { id: "password", label: t("settings.delete.password") } });
      }
    });
  });
  return h(
    "div",
    { class: "page" },
    h("h1", { tabindex: "-1" }, t("settings.delete.title")),
    h(
      "div",
      { class: "warning-text" },
      h("p", { class: "warning-text__strong" }, t("settings.delete.warning")),
      h("ul", {}, ["settings.delete.what1", "settings.delete.what2", "settings.delete.what3"].map((k) => h("li", {}, t(k)))),
      h("p", {}, t("settings.delete.exportFirst")),
    ),
    slot,
    form,
  );
}

export const routes = [
  { path: "/app/settings", view: settingsView, title: "settings.title" },
  { path: "/app/settings/delete", view: deleteView, title: "settings.delete.title" },
];
