// A small SVG chart of one site and side: daily worst pain (solid line), average pain
// (dashed) and ice/heat minutes (bars under the lines).
//
// Drawn by hand rather than with the workspace's Chart.js: a static SVG is a few hundred
// bytes of code, needs no canvas, no animation to switch off for prefers-reduced-motion, and
// scales with the page. The figures are also a real <table> (trends.js), which is what a
// screen reader reads; the picture is role="img" with a one-sentence summary.
import { svg } from "../core/dom.js";

const W = 360; // viewBox units; the element is as wide as the column
const LEFT = 26;
const RIGHT = 354;
const PAIN_TOP = 8;
const PAIN_BOTTOM = 132;
const BARS_TOP = 146;
const BARS_BOTTOM = 176;
const H = 196;

// Local days as "YYYY-MM-DD" strings, counted in UTC so no zone or DST can skip or repeat one.
export function dayRange(lastDay, days) {
  const [y, m, d] = lastDay.split("-").map(Number);
  const end = Date.UTC(y, m - 1, d);
  const out = [];
  for (let i = days - 1; i >= 0; i -= 1) {
    out.push(new Date(end - i * 86400000).toISOString().slice(0, 10));
  }
  return out;
}

// Today's date in an IANA zone, as "YYYY-MM-DD" (en-CA formats dates that way).
export function todayIn(timeZone) {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(new Date());
  const get = (type) => parts.find((p) => p.type === type).value;
  return `${get("year")}-${get("month")}-${get("day")}`;
}

function lines(points) {
  // Days with no entry break the line: a gap is not a recovery.
  const runs = [];
  let run = [];
  for (const point of points) {
    if (point === null) {
      if (run.length) runs.push(run);
      run = [];
    } else {
      run.push(point);
    }
  }
  if (run.length) runs.push(run);
  return runs;
}

/**
 * rows: the /trends/ rows of one site and side; days: the range; lastDay: today (local).
 * label: the summary sentence a screen reader announces. formatDay(iso) labels the ends.
 */
export function trendChart({ rows, days, lastDay, label, formatDay }) {
  const axis = dayRange(lastDay, days);
  const byDay = new Map(rows.map((row) => [row.date, row]));
  const step = (RIGHT - LEFT) / Math.max(axis.length - 1, 1);
  const x = (i) => LEFT + i * step;
  const y = (pain) => PAIN_BOTTOM - (pain / 10) * (PAIN_BOTTOM - PAIN_TOP);
  const maxMinutes = Math.max(15, ...rows.map((row) => row.ice_minutes + row.heat_minutes));
  const barHeight = (minutes) => (minutes / maxMinutes) * (BARS_BOTTOM - BARS_TOP);
  const barWidth = Math.max(1, Math.min(8, step * 0.7));

  const grid = [0, 5, 10].map((pain) =>
    svg(
      "g",
      { class: "ch-grid" },
      svg("line", { x1: LEFT, x2: RIGHT, y1: y(pain), y2: y(pain) }),
      svg("text", { x: LEFT - 6, y: y(pain) + 4, "text-anchor": "end" }, String(pain)),
    ),
  );

  const worst = axis.map((day, i) => {
    const row = byDay.get(day);
    return row && row.max_severity !== null ? [x(i), y(row.max_severity)] : null;
  });
  const mean = axis.map((day, i) => {
    const row = byDay.get(day);
    return row && row.mean_severity !== null ? [x(i), y(row.mean_severity)] : null;
  });
  const path = (runs) =>
    runs
      .map((run) =>
        run.map(([px, py], j) => `${j ? "L" : "M"}${px.toFixed(1)} ${py.toFixed(1)}`).join(" "),
      )
      .join(" ");

  const bars = [];
  axis.forEach((day, i) => {
    const row = byDay.get(day);
    if (!row) return;
    let top = BARS_BOTTOM;
    for (const [kind, minutes] of [
      ["ice", row.ice_minutes],
      ["heat", row.heat_minutes],
    ]) {
      if (!minutes) continue;
      const height = barHeight(minutes);
      top -= height;
      bars.push(
        svg("rect", {
          class: `ch-${kind}`,
          x: (x(i) - barWidth / 2).toFixed(1),
          y: top.toFixed(1),
          width: barWidth.toFixed(1),
          height: height.toFixed(1),
        }),
      );
    }
  });

  // Single days (no neighbour to join) still need a mark; dots on short ranges only.
  const dots =
    axis.length <= 90
      ? worst
          .filter(Boolean)
          .map(([px, py]) => svg("circle", { class: "ch-dot", cx: px, cy: py, r: 2.6 }))
      : worst
          .filter((point, i) => point && !worst[i - 1] && !worst[i + 1])
          .map(([px, py]) => svg("circle", { class: "ch-dot", cx: px, cy: py, r: 2 }));

  return svg(
    "svg",
    {
      class: "trend-chart",
      viewBox: `0 0 ${W} ${H}`,
      role: "img",
      "aria-label": label,
      focusable: "false",
    },
    grid,
    svg("line", { class: "ch-base", x1: LEFT, x2: RIGHT, y1: BARS_BOTTOM, y2: BARS_BOTTOM }),
    bars,
    svg("path", { class: "ch-mean", d: path(lines(mean)) }),
    svg("path", { class: "ch-worst", d: path(lines(worst)) }),
    dots,
    svg("text", { x: LEFT, y: H - 4, "text-anchor": "start", class: "ch-day" }, formatDay(axis[0])),
    svg(
      "text",
      { x: RIGHT, y: H - 4, "text-anchor": "end", class: "ch-day" },
      formatDay(axis[axis.length - 1]),
    ),
  );
}
