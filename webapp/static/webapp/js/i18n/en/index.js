// The English catalogue: every text the app shows. A translation is a sibling folder with
// the same keys.
import auth from "./auth.js";
import common from "./common.js";
import journal from "./journal.js";
import outcomes from "./outcomes.js";
import settings from "./settings.js";

export default { ...common, ...auth, ...settings, ...journal, ...outcomes };
