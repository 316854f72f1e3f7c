// Sending what waits in the outbox. Shared by the pages and the service worker (Background
// Sync), so no DOM here. Entries go through POST /api/v1/logs/sync/, which is idempotent by
// the client's UUID: a batch sent twice (two tabs, a retry after a lost answer) stores each
// entry once. Ice/heat sessions have no sync endpoint; a POST with the client's id is
// idempotent enough: a second copy is refused as "already exists", which means it is stored.

import { KV, OUTBOX, all, del, get, put } from "./store.js";

export const API_ROOT = "/api/v1/";
const BATCH = 100;
const REQUEST_TIMEOUT_MS = 30_000;
const LOCK_WAIT_MS = 5_000;

function timeout(ms) {
  return typeof AbortSignal.timeout === "function" ? AbortSignal.timeout(ms) : undefined;
}
const CHANNEL = "foot-journal-outbox";

export function announce() {
  try {
    const channel = new BroadcastChannel(CHANNEL);
    channel.postMessage({ type: "outbox-changed" });
    channel.close();
  } catch {
    // No BroadcastChannel: the page polls on its own events instead.
  }
}

export function listen(callback) {
  try {
    const channel = new BroadcastChannel(CHANNEL);
    channel.onmessage = () => callback();
    return () => channel.close();
  } catch {
    return () => {};
  }
}

class Unreachable extends Error {}

async function post(path, token, body, method = "POST") {
  let response;
  try {
    response = await fetch(API_ROOT + path, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        "Content-Type": "application/json",
        Accept: "application/json",
      },
      body: JSON.stringify(body),
      credentials: "omit",
      // A request that hangs must not hold the outbox (and its lock) for good.
      signal: timeout(REQUEST_TIMEOUT_MS),
    });
  } catch {
    throw new Unreachable();
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  return { status: response.status, data };
}

function alreadyStored(errors) {
  // The treatments API's answer to an id it already holds (journal.services.treatment_create).
  return Array.isArray(errors?.id) && errors.id.some((m) => /already exists/i.test(m));
}

async function refuse(item, errors) {
  await put(OUTBOX, { ...item, state: "refused", errors: errors || {} });
}

async function flushLogs(token, items, summary) {
  for (let start = 0; start < items.length; start += BATCH) {
    const batch = items.slice(start, start + BATCH);
    const { status, data } = await post("logs/sync/", token, { logs: batch.map((i) => i.body) });
    if (status === 401) throw Object.assign(new Error("unauthorised"), { status });
    if (status >= 500 || status === 429) throw new Unreachable();
    if (status === 400) {
      // The envelope itself was refused (never the case for a well-formed batch): keep the
      // entries, visibly, with the server's message.
      for (const item of batch) await refuse(item, data || {});
      summary.refused += batch.length;
      continue;
    }
    const byId = new Map((data?.results || []).map((r) => [r.id, r]));
    for (const item of batch) {
      const result = byId.get(item.id);
      if (result && result.status === "invalid") {
        await refuse(item, result.errors);
        summary.refused += 1;
      } else if (result) {
        await del(OUTBOX, item.id);
        summary.sent += 1;
      }
    }
    summary.triage = data?.triage ?? summary.triage;
  }
}

async function flushTreatments(token, items, summary) {
  for (const item of items) {
    const { status, data } = await post("treatments/", token, item.body);
    if (status === 401) throw Object.assign(new Error("unauthorised"), { status });
    if (status >= 500 || status === 429) throw new Unreachable();
    let stored = status === 201;
    if (status === 400 && alreadyStored(data)) {
      // Sent before (the answer was lost, or another tab sent it). If this copy finishes
      // the session, the stored one gets its minutes now.
      const { id, ...fields } = item.body;
      const patched =
        fields.minutes === null || fields.minutes === undefined
          ? { status: 200 }
          : await post(`treatments/${id}/`, token, fields, "PATCH");
      if (patched.status >= 500 || patched.status === 429) throw new Unreachable();
      stored = patched.status === 200;
    }
    if (stored) {
      await del(OUTBOX, item.id);
      summary.sent += 1;
    } else {
      await refuse(item, data);
      summary.refused += 1;
    }
  }
}

async function flushNow() {
  const summary = { sent: 0, refused: 0, triage: null, offline: false };
  const token = await get(KV, "token");
  if (!token) return summary;
  const waiting = (await all(OUTBOX)).filter((i) => i.state === "waiting");
  waiting.sort((a, b) => (a.queued_at < b.queued_at ? -1 : 1));
  try {
    await flushLogs(
      token,
      waiting.filter((i) => i.type === "log"),
      summary,
    );
    await flushTreatments(
      token,
      waiting.filter((i) => i.type === "treatment"),
      summary,
    );
  } catch (error) {
    if (!(error instanceof Unreachable) && error.status !== 401) throw error;
    summary.offline = error instanceof Unreachable;
  } finally {
    if (summary.sent || summary.refused) announce();
  }
  return summary;
}

// One sender at a time across tabs and the worker (Web Locks); without them (or after
// waiting too long for one) the sync endpoint's idempotence still keeps every entry single.
export async function flush() {
  if (!globalThis.navigator?.locks) return flushNow();
  try {
    return await navigator.locks.request(
      "foot-journal-outbox",
      { signal: timeout(LOCK_WAIT_MS) },
      flushNow,
    );
  } catch (error) {
    // Waited too long for another sender (a worker that was stopped mid-send, say): send
    // anyway; the sync endpoint stores each entry once whoever sends it.
    if (error?.name === "AbortError" || error?.name === "TimeoutError") return flushNow();
    throw error;
  }
}
