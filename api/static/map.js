"use strict";
// 项目一张图: the sites on one map over the county boundaries (Leaflet, vendored: no internet needed). Pins
// take today's status colour; a county is filled by its average score today or its start rate. Without a tile
// source the boundaries are drawn alone. Every word comes from the server's catalogue (common.js, w()).
const lang = localStorage.getItem("lang") || "zh";
const w = (group, key) => wordOf(lang, group, key);
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
const wall = new URLSearchParams(location.search).has("wall");
const panel = wall && new URLSearchParams(location.search).has("panel");  // the wall's map panel (framed in /wall)
const COLOURS = { active: "#2e9e4f", low_activity: "#e0a800", idle: "#d9534f", camera_outage: "#6c757d" };
const STATUSES = ["active", "low_activity", "idle", "camera_outage", "not_expected", "no_score"];
const state = { batch: "", status: "", fill: "average_score" };
let map = null, counties = null, pins = [], data = null, me = null;

function ramp(value) {
  // 0 red, 0.5 yellow, 1 green; none grey
  if (value == null) return "#cbd2d9";
  const v = Math.max(0, Math.min(1, value));
  const mix = (a, b, k) => Math.round(a + (b - a) * k);
  const [from, to, k] = v < 0.5 ? [[217, 83, 79], [224, 168, 0], v * 2] : [[224, 168, 0], [46, 158, 79], (v - 0.5) * 2];
  return `rgb(${mix(from[0], to[0], k)},${mix(from[1], to[1], k)},${mix(from[2], to[2], k)})`;
}

function reason(site) {
  // why the pin has its colour, in the dispatcher's words
  if (site.camera_status && site.camera_status !== "online") return site.camera_cause ? w("cause", site.camera_cause) : w("camera_status", site.camera_status);
  if (site.alert) return w("alert_type", site.alert);
  return "";
}

function labels() {
  document.getElementById("map-title").textContent = w("label", "map");
  document.title = w("label", "map");
  document.getElementById("l-batch").textContent = w("column", "batch");
  document.getElementById("l-status").textContent = w("column", "status");
  document.getElementById("l-fill").textContent = w("label", "map_fill");
  document.getElementById("map-back").textContent = w("phrase", "back");
  const option = (v, label, chosen) => `<option value="${esc(v)}"${v === chosen ? " selected" : ""}>${esc(label)}</option>`;
  const all = w("phrase", "all");
  document.getElementById("f-batch").innerHTML = option("", all, state.batch) + ["signed", "started", "in_production"].map((b) => option(b, w("batch", b), state.batch)).join("");
  document.getElementById("f-status").innerHTML = option("", all, state.status) + STATUSES.map((s) => option(s, w("day_status", s), state.status)).join("");
  document.getElementById("f-fill").innerHTML = option("average_score", w("label", "map_fill_score"), state.fill) + option("start_rate", w("label", "map_fill_start_rate"), state.fill);
}

function legend() {
  const shown = ["active", "low_activity", "idle", "camera_outage"].map((s) => `<i class="i-${s}"></i>${esc(w("day_status", s))}`).join("");
  const unplaced = data.unplaced.length ? `<div id="map-unplaced">${esc(phraseOf(lang, "map_unplaced", { n: data.unplaced.length }))}</div>` : "";
  document.getElementById("map-legend").innerHTML = `<div>${shown}<i class="i-none"></i>${esc(w("day_status", "no_score"))}</div>
    <div>${esc(w("label", state.fill === "start_rate" ? "map_fill_start_rate" : "map_fill_score"))} 0<b class="ramp"></b>${state.fill === "start_rate" ? "100%" : "100"}</div>${unplaced}`;
}

function countyLabel(name) {
  const c = data.counties.find((x) => x.name === name);
  const v = c ? c[state.fill] : null;
  const text = v == null ? "—" : state.fill === "start_rate" ? `${(v * 100).toFixed(1)}%` : String(v);
  return { text: `${esc(name)} ${esc(text)}`, colour: ramp(v == null ? null : state.fill === "start_rate" ? v : v / 100) };
}

function drawCounties() {
  // drawn once; a new fill or new figures restyle them (a permanent name would outlive its layer's removal)
  if (!data.boundaries) return;
  if (!counties) {
    counties = L.geoJSON(data.boundaries, {
      style: (f) => ({ color: "#334e68", weight: wall ? 3 : 2, fillColor: countyLabel(f.properties.name).colour, fillOpacity: 0.45 }),
      onEachFeature: (f, layer) => layer.bindTooltip(countyLabel(f.properties.name).text, { permanent: true, direction: "center", className: "county-label" }),
    }).addTo(map);
    counties.eachLayer((l) => l.getElement()?.setAttribute("data-county", l.feature.properties.name));
    return;
  }
  counties.eachLayer((l) => {
    const label = countyLabel(l.feature.properties.name);
    l.setStyle({ fillColor: label.colour });
    l.setTooltipContent(label.text);
  });
}

function draw() {
  drawCounties();
  pins.forEach((p) => { p.unbindTooltip(); p.remove(); });
  pins = [];
  const shown = data.sites.filter((s) => (!state.batch || s.batch === state.batch) && (!state.status || (s.status || "no_score") === state.status));
  for (const site of shown) {
    const colour = COLOURS[site.status] || "#adb5bd";
    const pin = L.circleMarker([site.latitude, site.longitude], { pane: "pins", radius: wall ? 13 : 9, color: "#fff", weight: 2, fillColor: colour, fillOpacity: 1 }).addTo(map);
    const why = reason(site);
    pin.bindTooltip(`<b>${esc(site.name)}</b><br>${esc(w("day_status", site.status || "no_score"))} · ${esc(w("column", "score"))} ${site.score ?? "—"}${why ? `<br>${esc(why)}` : ""}`, { className: "site-tip" });
    if (me && me.role !== "unit") pin.on("click", () => { location.href = `/#/site/${encodeURIComponent(site.site_id)}`; });
    pin.getElement()?.setAttribute("data-site", site.site_id);
    pin.getElement()?.setAttribute("data-status", site.status || "no_score");
    pins.push(pin);
  }
  document.getElementById("map-count").textContent = `${shown.length} / ${data.sites.length + data.unplaced.length}`;
  legend();
  document.body.dataset.drawn = String(Number(document.body.dataset.drawn || 0) + 1);
}

async function load() {
  const response = await fetch("/api/map", { credentials: "same-origin" });
  if (response.status === 401) {
    const login = document.getElementById("map-login");
    login.hidden = false;
    login.firstElementChild.textContent = w("phrase", "log_in_first");
    return;
  }
  data = await response.json();
  if (!map) {
    map = L.map("map", { zoomSnap: 0.25, attributionControl: Boolean(data.tiles), zoomControl: !wall });
    map.createPane("pins").style.zIndex = 660;  // above the county names: a pin at a county's heart stays seen
    // the view first (a layer cannot be drawn on a map without one): every county and pin, else all of China
    const bounds = L.latLngBounds(data.sites.map((s) => [s.latitude, s.longitude]));
    if (data.boundaries) bounds.extend(L.geoJSON(data.boundaries).getBounds());
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [30, 30] }); else map.setView([35, 105], 4);
    if (data.tiles) L.tileLayer(data.tiles.url, { maxZoom: data.tiles.max_zoom, attribution: esc(data.tiles.attribution), subdomains: "01234567" }).addTo(map);
  }
  draw();
}

async function start() {
  if (wall) document.body.classList.add(panel ? "wall-panel" : "wall-map");
  await Wording.load().catch(() => {});
  labels();
  const meResponse = await fetch("/api/auth/me", { credentials: "same-origin" });
  me = meResponse.ok ? await meResponse.json() : null;
  for (const [id, key] of [["f-batch", "batch"], ["f-status", "status"], ["f-fill", "fill"]]) {
    document.getElementById(id).addEventListener("change", (e) => { state[key] = e.target.value; if (data) draw(); });
  }
  await load();
  if (wall) setInterval(() => load().catch(() => {}), 60000);  // the wall keeps itself current
}

start();
