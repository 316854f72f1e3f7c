// Who is signed in on this device: the API token (kept in IndexedDB, so the service worker
// can send the outbox with it) and the cached /me/ profile for offline starts.
// docs/architecture.md says why a bearer token and not a cookie.

import { KV, del, get, put, wipe } from "./store.js";

let token = null;
let profile = null;
let loaded = false;

export async function load() {
  if (!loaded) {
    try {
      token = (await get(KV, "token")) || null;
      profile = (await get(KV, "me")) || null;
    } catch {
      token = null;
    }
    loaded = true;
  }
  return token;
}

export function currentToken() {
  return token;
}

export function signedIn() {
  return Boolean(token);
}

export async function begin(newToken) {
  token = newToken;
  profile = null;
  loaded = true;
  await put(KV, newToken, "token");
}

export function cachedMe() {
  return profile;
}

export async function remember(me) {
  profile = me;
  if (token) await put(KV, me, "me");
}

// The token stopped working: forget it, keep the outbox for the same patient's next sign-in.
export async function forget() {
  token = null;
  await del(KV, "token");
}

// Everything this device stored: IndexedDB, and the worker's cached API answers.
export async function end() {
  token = null;
  profile = null;
  await wipe();
  if (globalThis.caches) {
    for (const name of await caches.keys()) {
      if (name.startsWith("api-")) await caches.delete(name);
    }
  }
}
