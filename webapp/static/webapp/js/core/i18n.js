// Every user-facing text comes from the catalogue (js/i18n/en/), looked up by dotted key.
// Dates and times are shown in the patient's own time zone (the profile's), with Intl.

import catalogue from "../i18n/en/index.js";

export const LOCALE = "en-GB";
const plurals = new Intl.PluralRules(LOCALE);

function lookup(key) {
  let node = catalogue;
  for (const part of key.split(".")) {
    if (node === null || typeof node !== "object" || !(part in node)) return undefined;
    node = node[part];
  }
  return node;
}

export function has(key) {
  return lookup(key) !== undefined;
}

// t("log.saved", {site: "Heel"}); a {one, other} entry picks its form by vars.count.
export function t(key, vars = {}) {
  let text = lookup(key);
  if (text && typeof text === "object" && "other" in text) {
    text = text[plurals.select(Number(vars.count ?? 0))] ?? text.other;
  }
  if (typeof text !== "string") {
    console.warn(`i18n: no text for ${key}`);
    return key;
  }
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

function zoneOf(me) {
  const zone = me && me.timezone;
  if (!zone) return undefined;
  try {
    new Intl.DateTimeFormat(LOCALE, { timeZone: zone });
    return zone;
  } catch {
    return undefined;
  }
}

function format(iso, me, options) {
  if (!iso) return "";
  const date = iso instanceof Date ? iso : new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return new Intl.DateTimeFormat(LOCALE, { timeZone: zoneOf(me), ...options }).format(date);
}

export function formatDateTime(iso, me) {
  return format(iso, me, { dateStyle: "medium", timeStyle: "short" });
}

export function formatDate(iso, me) {
  return format(iso, me, { dateStyle: "medium" });
}

export function formatTime(iso, me) {
  return format(iso, me, { timeStyle: "short" });
}

// A local day (YYYY-MM-DD, as /trends/ gives) shown as a date without moving it across zones.
export function formatDay(day) {
  const [y, m, d] = String(day).split("-").map(Number);
  return new Intl.DateTimeFormat(LOCALE, { dateStyle: "medium", timeZone: "UTC" }).format(
    new Date(Date.UTC(y, m - 1, d)),
  );
}
