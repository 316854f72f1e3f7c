// Entries and ice/heat sessions made without a network wait here (IndexedDB) with their
// client UUID and are sent when the network returns: on the `online` event, when the app
// starts, and by the service worker's Background Sync where the browser has it (so also
// after the tab was closed offline). One the server refuses stays, with its messages.

import { OUTBOX, all, del, put } from "./store.js";
import { announce, flush, listen } from "./sync.js";

const listeners = new Set();
listen(() => notify());

function notify() {
  for (const callback of listeners) {
    try {
      callback();
    } catch (error) {
      console.error(error);
    }
  }
}

function changed() {
  notify();
  announce();
}

async function requestBackgroundSync() {
  try {
    const registration = await navigator.serviceWorker?.ready;
    if (registration?.sync) await registration.sync.register("outbox");
  } catch {
    // Not supported or not allowed: the online event and the next start send it.
  }
}

async function enqueue(type, body) {
  const item = {
    id: body.id,
    type,
    body,
    queued_at: new Date().toISOString(),
    state: "waiting",
    errors: {},
  };
  await put(OUTBOX, item);
  changed();
  return item;
}

async function sendOrQueue(type, entry) {
  const body = { ...entry, id: entry.id || crypto.randomUUID() };
  await enqueue(type, body);
  const summary = await sendNow();
  const stillHere = (await all(OUTBOX)).find((i) => i.id === body.id);
  if (!stillHere) return { status: "sent", response: summary.triage, id: body.id };
  if (stillHere.state === "refused") return { status: "refused", errors: stillHere.errors };
  // Not awaited: with no service worker (registration failed) `ready` never settles.
  requestBackgroundSync();
  return { status: "queued", id: body.id };
}

export function queueLog(entry) {
  return sendOrQueue("log", entry);
}

export function queueTreatment(session) {
  return sendOrQueue("treatment", session);
}

function listOf(type) {
  return all(OUTBOX).then((items) =>
    items
      .filter((i) => i.type === type)
      .sort((a, b) => (a.queued_at < b.queued_at ? 1 : -1))
      .map((i) => ({ ...i.body, state: i.state, errors: i.errors, queued_at: i.queued_at })),
  );
}

export function queuedLogs() {
  return listOf("log");
}

export function queuedTreatments() {
  return listOf("treatment");
}

// How many wait, and how many the server refused (they stay until the patient removes them).
export async function queuedCount() {
  return (await all(OUTBOX)).filter((i) => i.state === "waiting").length;
}

export async function refusedCount() {
  return (await all(OUTBOX)).filter((i) => i.state === "refused").length;
}

// A refused entry the patient chose to throw away (or corrected and sent as a new one).
export async function discard(id) {
  await del(OUTBOX, id);
  changed();
}

export function onOutboxChange(callback) {
  listeners.add(callback);
  return () => listeners.delete(callback);
}

export async function sendNow() {
  let summary;
  try {
    summary = await flush();
  } catch (error) {
    console.error(error);
    summary = { sent: 0, refused: 0, triage: null, offline: true };
  }
  if (summary.sent || summary.refused) notify();
  return summary;
}

export function startOutbox() {
  window.addEventListener("online", () => sendNow());
  return sendNow();
}
