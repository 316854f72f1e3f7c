// The public REST API (/api/v1/), as the native apps use it: bearer token, JSON both ways.

import { currentToken } from "./session.js";

export const API_ROOT = "/api/v1/";

export class ApiError extends Error {
  constructor(status, body) {
    const detail = body && typeof body.detail === "string" ? body.detail : null;
    super(detail || `HTTP ${status}`);
    this.name = "ApiError";
    this.status = status;
    this.detail = detail;
    // DRF's {field: [messages]} for a refused request; {} otherwise.
    this.fields = status === 400 && body && typeof body === "object" && !detail ? body : {};
    this.body = body;
  }
}

export class OfflineError extends Error {
  constructor() {
    super("offline");
    this.name = "OfflineError";
  }
}

let onUnauthorized = () => {};

// main.js sends the patient to the sign-in page; kept as a hook so this module imports no UI.
export function setUnauthorizedHandler(handler) {
  onUnauthorized = handler;
}

export function apiUrl(path, query) {
  const url = new URL(API_ROOT + path, location.origin);
  for (const [name, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, value);
  }
  return url.pathname + url.search;
}

export async function raw(method, path, { body, query, headers = {} } = {}) {
  const token = currentToken();
  const init = {
    method,
    headers: { Accept: "application/json", ...headers },
    credentials: "omit",
  };
  if (token) init.headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  try {
    return await fetch(apiUrl(path, query), init);
  } catch {
    throw new OfflineError();
  }
}

export async function api(method, path, { body, query } = {}) {
  const response = await raw(method, path, { body, query });
  // The service worker answers an API read it cannot make and has no copy of with 503 +
  // this header: that is "offline", not a server fault.
  if (response.headers.get("X-Offline") === "1") throw new OfflineError();
  if (response.status === 204) return null;
  let data = null;
  const text = await response.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const error = new ApiError(response.status, data);
    if (response.status === 401 && token()) onUnauthorized(error);
    throw error;
  }
  return data;
}

function token() {
  return currentToken();
}
