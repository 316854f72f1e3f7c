// Where it hurts: the side (left/right) and the 12 sites of /api/v1/sites/.
//
// The plain labelled radio list is the control a screen reader or keyboard user relies on;
// the SVG picture above it is a shortcut for a thumb. Both are one state: choosing in one
// checks the other. The picture is an ARIA radiogroup with a roving tabindex (one tab stop,
// arrow keys move, as native radios do), so it is reachable by keyboard too.
import { h, svg } from "../core/dom.js";
import { t } from "../core/i18n.js";

// The order of /api/v1/sites/ (journal/sites.py), used when the list cannot be fetched
// (offline before the first visit cached it): the codes are the contract, not the labels.
export const SITE_CODES = [
  "ankle_outer",
  "ankle_inner",
  "ankle_front",
  "achilles",
  "heel_bottom",
  "arch",
  "ball_of_foot",
  "big_toe",
  "lesser_toes",
  "top_of_foot",
  "outer_foot",
  "calf",
];
export const SIDES = ["left", "right"];

// The site's name in the patient's language; the server's label when the catalogue lacks it.
export function siteLabel(code, serverLabel) {
  const key = `sites.${code}`;
  const word = t(key);
  return word === key ? serverLabel || code : word;
}

export function sideLabel(side) {
  return t(`sides.${side}`);
}

// "the bottom of your right heel"
export function sitePhrase(site, side) {
  const key = `sitePhrase.${site}`;
  const phrase = t(key, { side: t(`sidesLower.${side}`) });
  return phrase === key ? `${site} (${side})` : phrase;
}

export function siteAndSide(site, side) {
  return t("siteAndSide", { site: siteLabel(site), side: sideLabel(side) });
}

// Shapes drawn for a right foot. Three views in one picture, each 120 wide: the outside
// (toes to the right), the inside (toes to the left) and the sole seen from above (big toe
// on the inner side). Every site is drawn once. A left foot mirrors each view.
const PROFILE =
  "M48 4 L80 4 C82 40 78 80 74 112 C76 124 84 134 98 146 C108 152 116 158 116 168 " +
  "C116 176 110 178 104 178 L40 178 C30 178 26 170 28 156 C30 142 40 128 44 110 " +
  "C40 76 42 40 48 4 Z";
const SOLE =
  "M62 40 C90 38 100 50 96 80 C92 110 84 130 84 160 C84 184 72 194 60 194 " +
  "C46 194 38 182 40 160 C42 130 30 110 30 80 C30 54 36 40 62 40 Z";

const VIEWS = [
  {
    key: "outerView",
    outline: PROFILE,
    mirror: false,
    spots: {
      calf: [["ellipse", { cx: 62, cy: 42, rx: 16, ry: 28 }]],
      achilles: [["ellipse", { cx: 40, cy: 122, rx: 7, ry: 18 }]],
      ankle_outer: [["circle", { cx: 58, cy: 134, r: 10 }]],
      ankle_front: [["ellipse", { cx: 79, cy: 124, rx: 7, ry: 10 }]],
      top_of_foot: [["ellipse", { cx: 97, cy: 154, rx: 12, ry: 8 }]],
      outer_foot: [["ellipse", { cx: 70, cy: 171, rx: 24, ry: 6 }]],
    },
  },
  {
    key: "innerView",
    outline: PROFILE,
    mirror: true,
    spots: {
      ankle_inner: [["circle", { cx: 58, cy: 134, r: 10 }]],
      arch: [["ellipse", { cx: 80, cy: 166, rx: 20, ry: 8 }]],
    },
  },
  {
    key: "soleView",
    outline: SOLE,
    mirror: false,
    spots: {
      big_toe: [["ellipse", { cx: 42, cy: 24, rx: 10, ry: 13 }]],
      lesser_toes: [
        ["circle", { cx: 60, cy: 17, r: 6 }],
        ["circle", { cx: 74, cy: 21, r: 5.5 }],
        ["circle", { cx: 85, cy: 28, r: 5 }],
        ["circle", { cx: 94, cy: 37, r: 4.5 }],
      ],
      ball_of_foot: [["ellipse", { cx: 63, cy: 60, rx: 28, ry: 12 }]],
      heel_bottom: [["ellipse", { cx: 62, cy: 164, rx: 19, ry: 18 }]],
    },
  },
];

/**
 * The side and site questions. Returns {node, value(), set(site, side)}; onChange(value) is
 * called on every choice. Input ids are `${prefix}-side-<side>` and `${prefix}-site-<code>`,
 * so an error summary can link to the first of each.
 */
export function footMap({
  sites = null,
  site = null,
  side = null,
  prefix = "where",
  onChange,
} = {}) {
  const list = (sites && sites.length ? sites : SITE_CODES.map((code) => ({ code }))).map(
    (each) => ({ code: each.code, label: siteLabel(each.code, each.label) }),
  );
  const state = { site, side };
  const spots = new Map(); // code -> <g role="radio">
  const radios = new Map(); // code -> <input type="radio">
  const sideRadios = new Map();

  function changed() {
    if (onChange) onChange({ ...state });
  }

  // --- side -------------------------------------------------------------------------------
  const sideFieldset = h(
    "fieldset",
    { class: "fm-side", id: `${prefix}-side` },
    h("legend", { class: "question" }, t("footMap.sideLegend")),
    h(
      "div",
      { class: "choice-row" },
      SIDES.map((value) => {
        const input = h("input", {
          type: "radio",
          name: `${prefix}-side`,
          id: `${prefix}-side-${value}`,
          value,
          checked: state.side === value,
          onchange: () => {
            state.side = value;
            drawSide();
            changed();
          },
        });
        sideRadios.set(value, input);
        return h(
          "div",
          { class: "choice choice--big" },
          input,
          h("label", { for: input.id }, sideLabel(value)),
        );
      }),
    ),
  );

  // --- picture ----------------------------------------------------------------------------
  const picture = svg("svg", {
    class: "fm-picture",
    viewBox: "0 0 360 214",
    role: "radiogroup",
    focusable: "false",
  });
  const order = []; // spots in reading order, for the arrow keys

  VIEWS.forEach((view, index) => {
    const shapes = svg("g", {
      class: "fm-view",
      "data-mirror": view.mirror ? "1" : "0",
    });
    shapes.appendChild(
      svg("path", { d: view.outline, class: "fm-outline", "aria-hidden": "true" }),
    );
    for (const [code, parts] of Object.entries(view.spots)) {
      if (!list.some((each) => each.code === code)) continue;
      const spot = svg(
        "g",
        {
          class: "fm-spot",
          role: "radio",
          "aria-checked": "false",
          "aria-label": list.find((each) => each.code === code).label,
          tabindex: "-1",
          "data-site": code,
          onclick: () => choose(code, true),
          onkeydown: (event) => keyOnSpot(event, code),
        },
        parts.map(([tag, attrs]) => svg(tag, attrs)),
      );
      spots.set(code, spot);
      order.push(code);
      shapes.appendChild(spot);
    }
    const panel = svg(
      "g",
      { transform: `translate(${index * 120} 0)` },
      shapes,
      svg(
        "text",
        { x: 60, y: 208, "text-anchor": "middle", class: "fm-caption", "aria-hidden": "true" },
        t(`footMap.${view.key}`),
      ),
    );
    picture.appendChild(panel);
  });

  function drawSide() {
    const shown = state.side || "right";
    picture.setAttribute("aria-label", t("footMap.picture", { side: t(`sidesLower.${shown}`) }));
    picture.setAttribute("data-side", shown);
    for (const view of picture.querySelectorAll(".fm-view")) {
      // A view drawn toes-left for the right foot is toes-right for the left one.
      const mirrored = (view.getAttribute("data-mirror") === "1") !== (shown === "left");
      view.setAttribute("transform", mirrored ? "translate(120 0) scale(-1 1)" : "");
    }
  }

  function keyOnSpot(event, code) {
    const at = order.indexOf(code);
    let next = null;
    if (event.key === "ArrowRight" || event.key === "ArrowDown")
      next = order[(at + 1) % order.length];
    if (event.key === "ArrowLeft" || event.key === "ArrowUp")
      next = order[(at - 1 + order.length) % order.length];
    if (event.key === "Home") next = order[0];
    if (event.key === "End") next = order[order.length - 1];
    if (next) {
      event.preventDefault();
      choose(next, true);
      spots.get(next).focus();
    } else if (event.key === " " || event.key === "Enter") {
      event.preventDefault();
      choose(code, true);
    }
  }

  // --- the list (primary control) -----------------------------------------------------------
  const listNode = h(
    "div",
    { class: "fm-list" },
    list.map(({ code, label }) => {
      const input = h("input", {
        type: "radio",
        name: `${prefix}-site`,
        id: `${prefix}-site-${code}`,
        value: code,
        checked: state.site === code,
        onchange: () => choose(code, false),
      });
      radios.set(code, input);
      return h("div", { class: "choice" }, input, h("label", { for: input.id }, label));
    }),
  );

  const siteFieldset = h(
    "fieldset",
    { class: "fm-site", id: `${prefix}-site`, "aria-describedby": `${prefix}-site-hint` },
    h("legend", { class: "question" }, t("footMap.siteLegend")),
    h("p", { class: "hint", id: `${prefix}-site-hint` }, t("footMap.siteHint")),
    picture,
    listNode,
  );

  function choose(code, fromPicture) {
    state.site = code;
    drawSite();
    if (fromPicture && radios.get(code)) radios.get(code).checked = true;
    changed();
  }

  function drawSite() {
    const focusable = state.site && spots.has(state.site) ? state.site : order[0];
    for (const [code, spot] of spots) {
      spot.setAttribute("aria-checked", String(code === state.site));
      spot.setAttribute("tabindex", code === focusable ? "0" : "-1");
    }
  }

  drawSide();
  drawSite();

  return {
    node: h(
      "div",
      { class: "foot-map" },
      h("div", { class: "form-group" }, sideFieldset),
      h("div", { class: "form-group" }, siteFieldset),
    ),
    value: () => ({ ...state }),
    set(site, side) {
      if (side !== undefined) {
        state.side = side;
        for (const [value, input] of sideRadios) input.checked = value === side;
        drawSide();
      }
      if (site !== undefined) {
        state.site = site;
        for (const [code, input] of radios) input.checked = code === site;
        drawSite();
      }
    },
  };
}

// <option>s for a <select> of sites (filters, the ice/heat form), catalogue order.
export function siteOptions(sites, selected, { all = null } = {}) {
  const list = sites && sites.length ? sites : SITE_CODES.map((code) => ({ code }));
  const options = list.map(({ code, label }) =>
    h("option", { value: code, selected: code === selected }, siteLabel(code, label)),
  );
  return all ? [h("option", { value: "", selected: !selected }, all), ...options] : options;
}
