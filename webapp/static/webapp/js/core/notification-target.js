// The page a tapped notification opens (used by the service worker): its link when that is
// one of the app's pages, otherwise by the kind in its data (notify/content.py sends both).

export function targetOf(note, origin = self.location.origin) {
  const data = (note && note.data) || {};
  if (typeof note?.url === "string" && note.url) {
    try {
      const url = new URL(note.url, origin);
      // Only the path is taken: APP_BASE_URL may name another host for the same app.
      if (/^\/app(\/|$)/.test(url.pathname)) return url.pathname + url.search;
    } catch {
      // Not a URL: fall through to the kind.
    }
  }
  switch (data.kind) {
    case "alert":
      return "/app/alerts";
    case "site_check":
      return data.site && data.side
        ? `/app/log?site=${encodeURIComponent(data.site)}&side=${encodeURIComponent(data.side)}`
        : "/app/log";
    case "timer":
      return "/app/treatments";
    case "reminder":
      return "/app/log";
    default:
      return "/app/";
  }
}
