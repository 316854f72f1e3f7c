// Signing in and out, registering, and the two links the service mails: confirm the address
// (/app/verify-email?token=) and set a new password (/app/reset-password?token=).

import { ApiError, OfflineError, api } from "../core/api.js";
import { h } from "../core/dom.js";
import { busy, clearErrors, showErrors, textField } from "../core/forms.js";
import { t } from "../core/i18n.js";
import { queuedCount, sendNow } from "../core/outbox.js";
import { navigate } from "../core/router.js";
import { begin, end, remember, signedIn } from "../core/session.js";
import { KV, OUTBOX, all, del, get, put } from "../core/store.js";
import { pushOff } from "./push.js";

function page(titleKey, ...children) {
  return h("div", { class: "page" }, h("h1", { tabindex: "-1" }, t(titleKey)), ...children);
}

function notice(text, kind = "info") {
  return h("div", { class: `notice notice--${kind}`, role: kind === "success" ? "status" : null }, h("p", {}, text));
}

// Only paths of this app are followed after sign-in: never another site.
function safeNext(query, fallback = "/app/") {
  const next = query.get("next") || "";
  return /^\/app(\/[\w\-/?=&%.]*)?$/.test(next) && !next.startsWith("//") ? next : fallback;
}

// What a 400 says, in the form; anything else as one message at the top.
function showFailure(form, slot, error, labels) {
  if (error instanceof OfflineError) {
    showErrors(form, slot, { non_field_errors: [t("common.needsNetwork")] }, labels);
  } else if (error instanceof ApiError && Object.keys(error.fields).length) {
    showErrors(form, slot, error.fields, labels);
  } else if (error instanceof ApiError) {
    showErrors(form, slot, { non_field_errors: [error.detail || t("common.failed.body")] }, labels);
  } else {
    throw error;
  }
}

// After a token arrives: remember whose device this is. Entries left waiting by someone
// else who used this browser are not sent under this account.
async function startSession(token) {
  await begin(token);
  const me = await api("GET", "me/");
  const owner = await get(KV, "owner");
  if (owner && owner !== me.email) {
    for (const item of await all(OUTBOX)) await del(OUTBOX, item.id);
  }
  await put(KV, me.email, "owner");
  await remember(me);
  sendNow();
  return me;
}

function authForm({ id, fields, submitKey, labels, onSubmit, after = [] }) {
  const slot = h("div", { class: "error-slot" });
  const button = h("button", { type: "submit", class: "button" }, t(submitKey));
  const form = h("form", { id, novalidate: true, class: "form" }, fields, button, ...after);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form, slot);
    await busy(button, async () => {
      try {
        await onSubmit(form);
      } catch (error) {
        showFailure(form, slot, error, labels);
      }
    });
  });
  return [slot, form];
}

const value = (form, id) => form.querySelector(`#${id}`).value;

async function signinView(ctx) {
  if (signedIn()) {
    navigate(safeNext(ctx.query), { replace: true });
    return page("auth.signin.title");
  }
  const labels = { email: t("auth.email"), password: t("auth.password") };
  const messages = [];
  if (ctx.query.get("signed_out")) messages.push(notice(t("auth.signedOut"), "success"));
  if (ctx.query.get("expired")) messages.push(notice(t("auth.expired")));
  if (ctx.query.get("deleted")) messages.push(notice(t("auth.deleted"), "success"));
  if (ctx.query.get("reset")) messages.push(notice(t("auth.reset.done"), "success"));
  const [slot, form] = authForm({
    id: "signin-form",
    submitKey: "auth.signin.submit",
    labels,
    fields: [
      textField({ id: "email", label: labels.email, type: "email", autocomplete: "email", spellcheck: "false" }),
      textField({ id: "password", label: labels.password, type: "password", autocomplete: "current-password" }),
    ],
    onSubmit: async (f) => {
      const answer = await api("POST", "auth/login/", {
        body: { email: value(f, "email").trim(), password: value(f, "password") },
      });
      await startSession(answer.token);
      navigate(safeNext(ctx.query), { replace: true });
    },
  });
  return page(
    "auth.signin.title",
    ...messages,
    slot,
    form,
    h("p", {}, h("a", { href: "/app/forgot-password" }, t("auth.forgot.link"))),
    h("p", {}, t("auth.signin.new"), " ", h("a", { href: "/app/register" }, t("auth.register.link"))),
  );
}

function browserZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

async function registerView() {
  if (signedIn()) {
    navigate("/app/", { replace: true });
    return page("auth.register.title");
  }
  const zone = browserZone();
  const labels = { email: t("auth.email"), password: t("auth.newPassword"), timezone: t("auth.register.zone") };
  const [slot, form] = authForm({
    id: "register-form",
    submitKey: "auth.register.submit",
    labels,
    fields: [
      textField({ id: "email", label: labels.email, hint: t("auth.register.emailHint"), type: "email", autocomplete: "email", spellcheck: "false" }),
      textField({ id: "password", label: labels.password, hint: t("auth.passwordHint"), type: "password", autocomplete: "new-password" }),
      h("p", { class: "hint", id: "timezone" }, t("auth.register.zoneIs", { zone })),
    ],
    onSubmit: async (f) => {
      const answer = await api("POST", "auth/register/", {
        body: { email: value(f, "email").trim(), password: value(f, "password"), timezone: zone },
      });
      await startSession(answer.token);
      navigate("/app/?welcome=1", { replace: true });
    },
  });
  return page(
    "auth.register.title",
    h("p", {}, t("auth.register.intro")),
    slot,
    form,
    h("p", {}, t("auth.register.have"), " ", h("a", { href: "/app/signin" }, t("auth.signin.link"))),
  );
}

async function forgotView() {
  const labels = { email: t("auth.email") };
  const result = h("div", { class: "result-slot" });
  const [slot, form] = authForm({
    id: "forgot-form",
    submitKey: "auth.forgot.submit",
    labels,
    fields: [textField({ id: "email", label: labels.email, type: "email", autocomplete: "email", spellcheck: "false" })],
    onSubmit: async (f) => {
      await api("POST", "auth/password/reset/", { body: { email: value(f, "email").trim() } });
      result.replaceChildren(notice(t("auth.forgot.sent"), "success"));
      f.hidden = true;
    },
  });
  return page(
    "auth.forgot.title",
    h("p", {}, t("auth.forgot.intro")),
    slot,
    result,
    form,
    h("p", {}, h("a", { href: "/app/signin" }, t("auth.signin.back"))),
  );
}

async function resetView(ctx) {
  const token = ctx.query.get("token") || "";
  const labels = { new_password: { id: "new-password", label: t("auth.newPassword") }, token: { id: "token-message", label: null } };
  const [slot, form] = authForm({
    id: "reset-form",
    submitKey: "auth.reset.submit",
    labels,
    fields: [
      textField({ id: "new-password", label: t("auth.newPassword"), hint: t("auth.passwordHint"), type: "password", autocomplete: "new-password" }),
    ],
    onSubmit: async (f) => {
      await api("POST", "auth/password/reset/confirm/", { body: { token, new_password: value(f, "new-password") } });
      // Every device is signed out by a reset, this one too.
      if (signedIn()) await end();
      navigate("/app/signin?reset=1", { replace: true });
    },
    after: [],
  });
  if (!token) {
    return page("auth.reset.title", notice(t("auth.reset.noToken")), h("p", {}, h("a", { href: "/app/forgot-password" }, t("auth.reset.again"))));
  }
  return page(
    "auth.reset.title",
    h("p", {}, t("auth.reset.intro")),
    slot,
    form,
    h("p", {}, h("a", { href: "/app/forgot-password" }, t("auth.reset.again"))),
  );
}

function resendButton() {
  const out = h("div", { class: "result-slot", role: "status" });
  const button = h("button", { type: "button", class: "button" }, t("auth.verify.resend"));
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
  return h("div", {}, button, out);
}

async function verifyView(ctx) {
  const token = ctx.query.get("token");
  if (ctx.query.get("done")) {
    return page("auth.verify.doneTitle", notice(t("auth.verify.done"), "success"), h("p", {}, h("a", { href: "/app/", class: "button" }, t("auth.verify.continue"))));
  }
  if (token) {
    try {
      const answer = await api("POST", "auth/verify-email/", { body: { token } });
      // A reload must not post a used token again.
      history.replaceState(null, "", "/app/verify-email?done=1");
      if (signedIn()) await remember({ ...(ctx.me || {}), email_verified: true });
      return page(
        "auth.verify.doneTitle",
        notice(t("auth.verify.doneFor", { email: answer.email }), "success"),
        h("p", {}, h("a", { href: "/app/", class: "button" }, t("auth.verify.continue"))),
      );
    } catch (error) {
      if (error instanceof OfflineError) {
        return page("auth.verify.title", notice(t("common.needsNetwork")), h("p", {}, h("a", { href: location.pathname + location.search }, t("common.tryAgain"))));
      }
      if (!(error instanceof ApiError) || error.status !== 400) throw error;
    }
  }
  // Expired, used or mangled: say so, and offer a new link (it needs the patient signed in).
  return page(
    "auth.verify.failedTitle",
    token ? notice(t("auth.verify.failed"), "warning") : null,
    signedIn()
      ? resendButton()
      : h("p", {}, h("a", { href: `/app/signin?next=${encodeURIComponent("/app/verify-email")}` }, t("auth.verify.signinToResend"))),
  );
}

async function signOutNow({ everywhere }) {
  // This device stops receiving the patient's notifications with the sign-in.
  if (await get(KV, "push_device")) {
    try {
      await pushOff();
    } catch (error) {
      if (!(error instanceof OfflineError)) console.error(error);
    }
  }
  if (everywhere) await api("POST", "auth/logout-all/");
  else {
    try {
      await api("POST", "auth/logout/");
    } catch (error) {
      // Offline: the device still forgets the token (it expires on the server by itself).
      if (!(error instanceof OfflineError)) throw error;
    }
  }
  await end();
  navigate("/app/signin?signed_out=1", { replace: true });
}

// /app/signout (?everywhere=1): entries still waiting are sent first; if they cannot be,
// the patient chooses between staying signed in and losing them.
async function signoutView(ctx) {
  const everywhere = ctx.query.get("everywhere") === "1";
  await sendNow();
  const waiting = await queuedCount();
  const slot = h("div", { class: "error-slot" });
  const confirm = h("button", { type: "button", class: waiting ? "button button--warning" : "button" }, t(everywhere ? "auth.signout.everywhere" : "auth.signout.submit"));
  confirm.addEventListener("click", () =>
    busy(confirm, async () => {
      try {
        await signOutNow({ everywhere });
      } catch (error) {
        slot.replaceChildren(notice(error instanceof OfflineError ? t("common.needsNetwork") : error.detail || t("common.failed.body"), "warning"));
      }
    }),
  );
  return page(
    everywhere ? "auth.signout.everywhereTitle" : "auth.signout.title",
    h("p", {}, t(everywhere ? "auth.signout.everywhereIntro" : "auth.signout.intro")),
    waiting ? notice(t("auth.signout.waiting", { count: waiting }), "warning") : null,
    slot,
    h("div", { class: "button-group" }, confirm, h("a", { href: "/app/settings", class: "button button--secondary" }, t("auth.signout.stay"))),
  );
}

export const routes = [
  { path: "/app/signin", view: signinView, title: "auth.signin.title", auth: false },
  { path: "/app/register", view: registerView, title: "auth.register.title", auth: false },
  { path: "/app/forgot-password", view: forgotView, title: "auth.forgot.title", auth: false },
  { path: "/app/reset-password", view: resetView, title: "auth.reset.title", auth: false },
  { path: "/app/verify-email", view: verifyView, title: "auth.verify.title", auth: false },
  { path: "/app/signout", view: signoutView, title: "auth.signout.title" },
];
