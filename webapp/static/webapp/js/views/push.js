// Notifications on this device (Web Push): shown only when the server has a VAPID key
// (GET /devices/webpush-key/), and the browser can subscribe. The subscription is registered
// as a device; turning it off deletes the device and unsubscribes.

import { ApiError, OfflineError, api } from "../core/api.js";
import { h } from "../core/dom.js";
import { busy } from "../core/forms.js";
import { t } from "../core/i18n.js";
import { KV, del, get, put } from "../core/store.js";

const SUBSCRIBE_TIMEOUT_MS = 10_000;

function keyBytes(base64url) {
  const padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

// The server's answer when Web Push is set up; null when it is not (any non-2xx status or
// no key in the answer: the switch is hidden).
export async function webPushKey() {
  try {
    const answer = await api("GET", "devices/webpush-key/");
    return answer && answer.public_key ? answer.public_key : null;
  } catch (error) {
    if (error instanceof ApiError || error instanceof OfflineError) return null;
    throw error;
  }
}

function supported() {
  return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

function deviceName() {
  const ua = navigator.userAgent;
  const browser = /Firefox\//.test(ua) ? "Firefox" : /Edg\//.test(ua) ? "Edge" : /Chrome\//.test(ua) ? "Chrome" : /Safari\//.test(ua) ? "Safari" : "Browser";
  const system = /Android/.test(ua) ? "Android" : /iPhone|iPad/.test(ua) ? "iOS" : /Mac OS/.test(ua) ? "Mac" : /Windows/.test(ua) ? "Windows" : /Linux/.test(ua) ? "Linux" : "";
  return `${browser}${system ? ` on ${system}` : ""}`;
}

export async function pushOn(publicKey) {
  const permission = await Notification.requestPermission();
  if (permission !== "granted") return { ok: false, reason: "denied" };
  const registration = await navigator.serviceWorker.ready;
  let subscription = await registration.pushManager.getSubscription();
  if (!subscription) {
    // A browser that cannot reach its push service may never answer: give up after a while
    // rather than leave the switch busy for good.
    subscription = await Promise.race([
      registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: keyBytes(publicKey),
      }),
      new Promise((_, reject) => setTimeout(() => reject(new Error("push service timeout")), SUBSCRIBE_TIMEOUT_MS)),
    ]);
  }
  const device = await api("POST", "devices/", {
    body: { kind: "webpush", name: deviceName(), subscription: subscription.toJSON() },
  });
  await put(KV, device.id, "push_device");
  return { ok: true };
}

export async function pushOff() {
  const id = await get(KV, "push_device");
  if (id) {
    try {
      await api("DELETE", `devices/${id}/`);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error;
    }
  }
  await del(KV, "push_device");
  // getRegistration, not ready: with no worker left, ready would never settle.
  const registration = await navigator.serviceWorker?.getRegistration("/app/");
  const subscription = await registration?.pushManager?.getSubscription();
  if (subscription) await subscription.unsubscribe();
}

export async function pushPanel() {
  const publicKey = await webPushKey();
  if (!publicKey || !supported()) return null;
  const out = h("div", { class: "result-slot", role: "status" });
  const on = Boolean(await get(KV, "push_device")) && Notification.permission === "granted";
  const button = h(
    "button",
    { type: "button", class: "button button--secondary", id: "push-toggle", "aria-pressed": on ? "true" : "false" },
    t(on ? "settings.push.turnOff" : "settings.push.turnOn"),
  );
  button.addEventListener("click", () =>
    busy(button, async () => {
      const turningOn = button.getAttribute("aria-pressed") !== "true";
      try {
        if (turningOn) {
          const result = await pushOn(publicKey);
          if (!result.ok) {
            out.replaceChildren(h("p", {}, t("settings.push.denied")));
            return;
          }
        } else {
          await pushOff();
        }
        button.setAttribute("aria-pressed", turningOn ? "true" : "false");
        button.textContent = t(turningOn ? "settings.push.turnOff" : "settings.push.turnOn");
        out.replaceChildren(h("p", {}, t(turningOn ? "settings.push.isOn" : "settings.push.isOff")));
      } catch (error) {
        console.error(error);
        out.replaceChildren(
          h("p", { class: "field-error" }, error instanceof OfflineError ? t("common.needsNetwork") : t("settings.push.failed")),
        );
      }
    }),
  );
  return h(
    "section",
    { "aria-labelledby": "push-title", id: "push" },
    h("h2", { id: "push-title" }, t("settings.push.title")),
    h("p", {}, t("settings.push.intro")),
    button,
    out,
  );
}
