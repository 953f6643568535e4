"use strict";
// 周期对比 on a site page (#/site/ID): one camera on two days (default today and four weeks before) side by
// side under a slider, the change map of its structure zone between them, and the two days' scores. Loaded
// after app.js; adds its own panel whenever a site page is drawn (as timelapse.js does). Words: the catalogue.
const cmpW = (key) => wordOf(typeof lang !== "undefined" ? lang : "zh", "label", key);
const cmpEsc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

function cmpDayLine(d) {
  const words = (g, k) => wordOf(typeof lang !== "undefined" ? lang : "zh", g, k);
  return `<span data-day="${cmpEsc(d.day)}"><b>${cmpEsc(d.day)}</b> ${cmpEsc(words("column", "score"))} ${d.score ?? "—"} · ${cmpEsc(words("day_status", d.status || "no_score"))}</span>`;
}

async function cmpLoad(panel, siteId) {
  const q = new URLSearchParams();
  const camera = panel.querySelector("#cmp-camera").value, before = panel.querySelector("#cmp-before").value, after = panel.querySelector("#cmp-after").value;
  if (camera) q.set("camera", camera);
  if (before) q.set("before", before);
  if (after) q.set("after", after);
  const answer = await fetch(`/api/sites/${encodeURIComponent(siteId)}/compare?${q}`, { credentials: "same-origin" });
  if (!answer.ok) return;
  const c = await answer.json();
  const select = panel.querySelector("#cmp-camera");
  if (!select.options.length) select.innerHTML = c.cameras.map((x) => `<option value="${cmpEsc(x.id)}">${cmpEsc(x.name)}</option>`).join("");
  select.value = c.camera_id;
  panel.querySelector("#cmp-before").value = c.before.day;
  panel.querySelector("#cmp-after").value = c.after.day;
  const picture = (d, cls) => d.snapshot_url ? `<img class="${cls}" alt="${cmpEsc(d.day)}" src="${cmpEsc(d.snapshot_url)}">` : `<div class="${cls} cmp-none">${cmpEsc(d.day)} ${cmpEsc(cmpW("compare_no_picture"))}</div>`;
  panel.querySelector("#cmp-stage").innerHTML = `${picture(c.before, "cmp-before")}${picture(c.after, "cmp-after")}
    <input type="range" id="cmp-slider" min="0" max="100" value="50" aria-label="${cmpEsc(cmpW("compare"))}">`;
  const top = panel.querySelector("#cmp-stage .cmp-after"), slider = panel.querySelector("#cmp-slider");
  const cut = () => { top.style.clipPath = `inset(0 0 0 ${slider.value}%)`; };  // the later day right of the slider
  slider.addEventListener("input", cut);
  cut();
  const change = panel.querySelector("#cmp-change");
  change.hidden = !c.change;
  if (c.change) {
    change.innerHTML = `<img alt="${cmpEsc(cmpW("compare_change"))}" src="${cmpEsc(c.change.url)}">
      <figcaption>${cmpEsc(cmpW("compare_change"))} · ${cmpEsc(cmpW("compare_changed_share").replace("{share}", `${(c.change.share * 100).toFixed(1)}%`))}</figcaption>`;
  }
  panel.querySelector("#cmp-scores").innerHTML = `${cmpDayLine(c.before)} → ${cmpDayLine(c.after)}`;
}

function cmpPanel(siteId) {
  const panel = document.createElement("div");
  panel.className = "panel";
  panel.id = "compare";
  panel.innerHTML = `<h3>${cmpEsc(cmpW("compare"))}</h3>
    <div class="cmp-bar"><label>${cmpEsc(cmpW("compare_camera"))} <select id="cmp-camera"></select></label>
      <label>${cmpEsc(cmpW("compare_day"))} <input type="date" id="cmp-before" max="${Wording.today}"> – <input type="date" id="cmp-after" max="${Wording.today}"></label>
      <p id="cmp-scores"></p></div>
    <div class="cmp-body"><div class="cmp-stage" id="cmp-stage"></div><figure id="cmp-change" hidden></figure></div>`;
  panel.querySelectorAll("select, input[type=date]").forEach((el) => el.addEventListener("change", () => cmpLoad(panel, siteId)));
  cmpLoad(panel, siteId).catch(() => {});
  return panel;
}

function cmpAttach() {
  const match = location.hash.match(/^#\/site\/(.+)$/);
  const main = document.getElementById("app");
  if (!match || !main || document.getElementById("compare") || !main.querySelector(".panel")) return;
  const panel = cmpPanel(decodeURIComponent(match[1]));
  const after = document.getElementById("timelapse") || document.getElementById("history-panel");
  if (after) after.after(panel); else main.append(panel);
}

new MutationObserver(cmpAttach).observe(document.getElementById("app"), { childList: true });
