// Every page of the app. CORE's pages are imported here; the journal's pages (JOURNAL's
// modules under views/) each export `routes` = [{path, view, title, auth?}] and are loaded
// at start (webapp.views.shell_assets follows these imports: they are all first-load).

import { route } from "./core/router.js";
import * as auth from "./views/auth.js";
import * as home from "./views/home.js";
import * as settings from "./views/settings.js";

const JOURNAL = [
  import("./views/log.js"),
  import("./views/result.js"),
  import("./views/entries.js"),
  import("./views/treatments.js"),
  import("./views/trends.js"),
  import("./views/alerts.js"),
  import("./views/questionnaires.js"),
  import("./views/insights.js"),
];

function register(list) {
  for (const { path, view, title, auth: needsAuth = true } of list || []) {
    route(path, view, { title, auth: needsAuth });
  }
}

export async function registerRoutes() {
  register(home.routes);
  register(auth.routes);
  register(settings.routes);
  const loaded = await Promise.allSettled(JOURNAL);
  for (const result of loaded) {
    if (result.status === "fulfilled") register(result.value.routes);
    else console.error(result.reason);
  }
}
