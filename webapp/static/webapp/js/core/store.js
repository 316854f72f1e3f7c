// The device's storage: one IndexedDB database, used by the pages and the service worker
// (no DOM here). "kv" holds the sign-in token, the cached profile and the running timer;
// "outbox" the entries and sessions waiting to be sent.

const DB_NAME = "foot-journal";
const DB_VERSION = 1;
export const KV = "kv";
export const OUTBOX = "outbox";

let opening = null;

export function openDb() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains(KV)) db.createObjectStore(KV);
        if (!db.objectStoreNames.contains(OUTBOX)) {
          const outbox = db.createObjectStore(OUTBOX, { keyPath: "id" });
          outbox.createIndex("queued_at", "queued_at");
        }
      };
      request.onsuccess = () => {
        const db = request.result;
        // Another tab (or the worker) deleting the database must not be blocked by us.
        db.onversionchange = () => {
          db.close();
          opening = null;
        };
        resolve(db);
      };
      request.onerror = () => {
        opening = null;
        reject(request.error);
      };
    });
  }
  return opening;
}

function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function tx(storeName, mode, work) {
  const db = await openDb();
  const transaction = db.transaction(storeName, mode);
  const result = work(transaction.objectStore(storeName));
  await new Promise((resolve, reject) => {
    transaction.oncomplete = resolve;
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
  return result instanceof IDBRequest ? result.result : result;
}

export function get(storeName, key) {
  return tx(storeName, "readonly", (store) => store.get(key));
}

export function put(storeName, value, key) {
  return tx(storeName, "readwrite", (store) =>
    key === undefined ? store.put(value) : store.put(value, key),
  );
}

export function del(storeName, key) {
  return tx(storeName, "readwrite", (store) => store.delete(key));
}

export async function all(storeName) {
  const db = await openDb();
  return done(db.transaction(storeName, "readonly").objectStore(storeName).getAll());
}

// Signing out: everything this device holds about the patient goes.
export async function wipe() {
  const db = await openDb();
  const transaction = db.transaction([KV, OUTBOX], "readwrite");
  transaction.objectStore(KV).clear();
  transaction.objectStore(OUTBOX).clear();
  await new Promise((resolve, reject) => {
    transaction.oncomplete = resolve;
    transaction.onerror = () => reject(transaction.error);
  });
}
