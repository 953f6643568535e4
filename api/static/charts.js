"use strict";
// The dashboard's charts as SVG strings: each with its axes, dates and a legend. Uses t() and w() of app.js
// (called after every script has loaded).
const STATUS_COLOURS = { active: "#2e9e4f", low_activity: "#e0a800", idle: "#d9534f", camera_outage: "#9aa5b1",
  not_expected: "#cfe2ff", not_started: "#e9ecef" };
// "work" (people and machines together, since issue 25); scores stored before it hold workers and machinery.
const PART_COLOURS = { activity: "#0b6efd", work: "#2e9e4f", workers: "#2e9e4f", machinery: "#e0a800", structure: "#8e44ad" };
const LEGEND_PARTS = ["activity", "work", "structure"];

function shiftDay(isoDay, days) {
  const d = new Date(`${isoDay}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function legend(items, x, y) {
  // items: [label, colour, kind] with kind "box" (a swatch), "line" or "band"; drawn in one row.
  let at = x;
  return items.map(([label, colour, kind]) => {
    const mark = kind === "line" ? `<line x1="${at}" x2="${at + 12}" y1="${y - 4}" y2="${y - 4}" stroke="${colour}" stroke-width="2"/>`
      : `<rect class="legend" x="${at}" y="${y - 9}" width="12" height="9" fill="${colour}"${kind === "band" ? ' opacity=".55"' : ""}/>`;
    const out = `<g class="key">${mark}<text x="${at + 15}" y="${y}">${esc(label)}</text></g>`;
    at += 24 + [...label].reduce((n, c) => n + (c.charCodeAt(0) > 255 ? 10 : 6), 0);
    return out;
  }).join("");
}

function timelineChart(points, dayStart) {
  // Today's samples: each slot's activity level (0..1), hours along the bottom, a legend.
  const width = 720, h = 140, left = 34, bottom = 24, top = 18, start = new Date(dayStart);  // local midnight
  const x = (iso) => left + ((new Date(iso) - start) / 86400000) * (width - left - 6);
  const y = (v) => h - bottom - v * (h - bottom - top);
  const bars = points.map((p) => {
    const level = p.status === "online" ? (p.activity ?? 0) : 0;
    const colour = p.status === "online" ? "#2e9e4f" : "#adb5bd";
    return `<rect x="${x(p.slot_at).toFixed(1)}" y="${y(level).toFixed(1)}" width="2.5" height="${Math.max(1, h - bottom - y(level)).toFixed(1)}" fill="${colour}"/>`;
  }).join("");
  const hours = [0, 3, 6, 9, 12, 15, 18, 21, 24].map((hh) => { const xx = left + (hh / 24) * (width - left - 6);
    const anchor = hh === 0 ? "start" : hh === 24 ? "end" : "middle";
    return `<line class="grid" x1="${xx}" x2="${xx}" y1="${top}" y2="${h - bottom}"/><text x="${xx}" y="${h - bottom + 12}" text-anchor="${anchor}">${hh}:00</text>`; }).join("");
  const levels = [0, 0.5, 1].map((v) => `<text x="4" y="${y(v) + 3}">${Math.round(v * 100)}%</text>`).join("");
  const axes = `<line class="axis" x1="${left}" x2="${width - 6}" y1="${h - bottom}" y2="${h - bottom}"/><line class="axis" x1="${left}" x2="${left}" y1="${top}" y2="${h - bottom}"/>`;
  const key = legend([[t("activity_level"), "#2e9e4f", "box"], [t("no_picture"), "#adb5bd", "box"]], left + 4, 11);
  return `<svg id="timeline" viewBox="0 0 ${width} ${h}" width="100%" role="img" aria-label="${t("timeline")}">${hours}${axes}${levels}${bars}${key}</svg>`;
}

function historyChart(scores, today) {
  // The last 30 days, one column per day (days without a row left blank): the score's parts stacked, the score
  // as a line; a camera outage is a grey band (no score: nothing seen), an idle day a red dot; dates below.
  const width = 720, h = 190, left = 30, right = 8, top = 22, bottom = 34;
  const last = today || (scores.length ? scores[scores.length - 1].day : null);
  if (!last) return `<p id="history">${t("none")}</p>`;
  const first = shiftDay(last, -29), n = 30;
  const byDay = Object.fromEntries(scores.map((s) => [s.day, s]));
  const step = (width - left - right) / n;
  const x = (i) => left + step * (i + 0.5), y = (v) => h - bottom - (v / 100) * (h - bottom - top);
  const days = Array.from({ length: n }, (_, i) => shiftDay(first, i));
  let columns = "", line = [], dots = "", ticks = "";
  days.forEach((day, i) => {
    const s = byDay[day];
    ticks += `<line class="tick" x1="${x(i)}" x2="${x(i)}" y1="${h - bottom}" y2="${h - bottom + 3}"/>`;
    if (i % 5 === 0 || i === n - 1) ticks += `<text x="${x(i) - 13}" y="${h - bottom + 14}">${day.slice(5)}</text>`;
    if (!s) return;
    const label = `${day} ${w("day_status", s.status)}${s.score == null ? "" : ` ${s.score}`}`;
    if (s.status === "camera_outage" || s.status === "not_expected" || s.status === "not_started") {
      columns += `<rect class="day-${s.status}" x="${x(i) - step / 2 + 1}" y="${top}" width="${step - 2}" height="${h - bottom - top}" fill="${STATUS_COLOURS[s.status]}" opacity=".55"><title>${esc(label)}</title></rect>`;
    }
    let base = 0;
    for (const [part, colour] of Object.entries(PART_COLOURS)) {
      const v = ((s.components || {}).points || {})[part] || 0;
      if (v > 0) columns += `<rect x="${x(i) - 4}" y="${y(base + v)}" width="8" height="${y(base) - y(base + v)}" fill="${colour}" opacity=".55"/>`;
      base += v;
    }
    if (s.score != null) {
      line.push(`${x(i)},${y(s.score)}`);
      const colour = s.status === "idle" ? STATUS_COLOURS.idle : "#0b3d6e";
      dots += `<circle class="day-${s.status}" cx="${x(i)}" cy="${y(s.score)}" r="3.5" fill="${colour}"><title>${esc(label)}</title></circle>`;
    }
  });
  const grid = [0, 50, 100].map((v) => `<line class="grid" x1="${left}" x2="${width - right}" y1="${y(v)}" y2="${y(v)}"/><text x="4" y="${y(v) + 3}">${v}</text>`).join("");
  const axes = `<line class="axis" x1="${left}" x2="${width - right}" y1="${h - bottom}" y2="${h - bottom}"/><line class="axis" x1="${left}" x2="${left}" y1="${top}" y2="${h - bottom}"/>`;
  const key = legend([[t("score"), "#0b3d6e", "line"], ...LEGEND_PARTS.map((p) => [t(`part_${p}`), PART_COLOURS[p], "box"]),
    [w("day_status", "idle"), STATUS_COLOURS.idle, "box"], [w("day_status", "camera_outage"), STATUS_COLOURS.camera_outage, "band"],
    [w("day_status", "not_expected"), STATUS_COLOURS.not_expected, "band"]], left, 12);
  const axisTitle = `<text x="${width / 2 - 10}" y="${h - 4}">${t("day")}</text>`;
  return `<svg id="history" viewBox="0 0 ${width} ${h}" width="100%" role="img" aria-label="${t("history")}">${grid}${columns}${axes}${ticks}
    <polyline points="${line.join(" ")}" fill="none" stroke="#0b3d6e" stroke-width="2"/>${dots}${key}${axisTitle}</svg>`;
}

function milestoneChart(chart, today) {
  // Planned (open) and actual (filled) dates of each milestone on one time line; today dashed, its label on top
  // and the ends' months at the bottom, so the two never meet.
  const dates = chart.milestones.flatMap((m) => [m.planned, m.actual]).filter(Boolean).concat([today]).sort();
  const width = 720, rowH = 24, top = 22, h = top + 24 + rowH * chart.milestones.length, left = 90, day = 86400000;
  const first = Date.parse(dates[0]) - 15 * day, last = Date.parse(dates[dates.length - 1]) + 15 * day;
  const x = (d) => left + ((Date.parse(d) - first) / (last - first)) * (width - left - 10);
  const rows = chart.milestones.map((m, i) => {
    const y = top + 10 + i * rowH;
    const link = m.planned && m.actual ? `<line x1="${x(m.planned)}" x2="${x(m.actual)}" y1="${y}" y2="${y}" class="m-${m.state}"/>` : "";
    const plan = m.planned ? `<circle class="planned" cx="${x(m.planned)}" cy="${y}" r="5"><title>${t("planned")} ${m.planned}</title></circle>` : "";
    const done = m.actual ? `<circle class="actual m-${m.state}" cx="${x(m.actual)}" cy="${y}" r="5"><title>${t("actual")} ${m.actual}</title></circle>` : "";
    return `<text x="0" y="${y + 4}">${w("milestone", m.milestone)}</text>${link}${plan}${done}`;
  }).join("");
  const now = `<line class="today" x1="${x(today)}" x2="${x(today)}" y1="${top - 4}" y2="${h - 18}"/><text class="today-label" x="${x(today)}" y="${top - 8}" text-anchor="middle">${t("today")} ${today.slice(5)}</text>`;
  const ends = `<text x="${left}" y="${h - 4}">${new Date(first).toISOString().slice(0, 7)}</text><text x="${width - 10}" y="${h - 4}" text-anchor="end">${new Date(last).toISOString().slice(0, 7)}</text>`;
  const key = legend([[t("planned"), "#fff", "box"], [t("actual"), "#2e9e4f", "box"]], width / 2 - 40, h - 4);
  return `<svg id="milestone-chart" viewBox="0 0 ${width} ${h}" width="100%" role="img" aria-label="${t("milestones")}">${now}${rows}${ends}${key}</svg>`;
}

function barRows(rows, max = 100) {
  // Ranking rows with a bar each: [rank, label, value, sites] -> <tr>s; no value reads "—", no bar.
  return rows.map((r) => `<tr data-group="${esc(r.group)}"><td>${r.rank ?? "—"}</td><td>${esc(r.label ?? r.group)}</td>
    <td class="bar"><svg viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true"><rect width="${r.value == null ? 0 : Math.min(100, (r.value / max) * 100).toFixed(1)}" height="10"/></svg></td>
    <td class="num">${r.value ?? "—"}</td><td class="num">${r.sites}</td></tr>`).join("");
}
