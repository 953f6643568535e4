"use strict";
// The wall screen (大屏, /wall): counts by status, the county ranking, the red list, live alerts and a rotating
// strip of snapshots; refreshed by the live stream (/api/events) and, as a fallback, every minute. Its words
// come from the server's catalogue (common.js), in Chinese; times carry their date unless they are today.
const word = (group, key) => wordOf("zh", group, key);
const RED_DAYS = Math.max(1, Number(new URLSearchParams(location.search).get("days")) || 3);
const ROTATE_MS = 8000, POLL_MS = 60000, PER_PAGE = 3;
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
const hhmm = (iso) => whenOf(iso);
const $ = (id) => document.getElementById(id);
let shots = [], page = 0, live = null, refreshTimer = null;

class LoginNeeded extends Error {}

async function get(path) {
  const response = await fetch(path, { credentials: "same-origin" });
  if (response.status === 401) throw new LoginNeeded();
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response.json();
}

function fit(list) {
  // Rows that do not fit the panel are left out (a wall screen never scrolls); the heading says how many.
  const total = list.children.length;
  while (list.children.length > 1 && list.scrollHeight > list.clientHeight) list.lastElementChild.remove();
  const hidden = total - list.children.length;
  list.dataset.hidden = String(hidden);
  return hidden;
}

function counts(sites) {
  const n = { active: 0, low_activity: 0, idle: 0, camera_outage: 0, other: 0 };
  let online = 0, cameras = 0;
  for (const s of sites) {
    const status = s.today_status || "no_score";
    if (status in n) n[status] += 1; else n.other += 1;
    for (const c of s.cameras) { cameras += 1; if (c.status === "online") online += 1; }
  }
  const tile = (cls, label, value) => `<div class="w-count c-${cls}" data-status="${cls}"><span>${label}</span><b>${value}</b></div>`;
  $("w-counts").innerHTML = tile("all", "项目总数", sites.length) + tile("active", word("day_status", "active"), n.active)
    + tile("low_activity", word("day_status", "low_activity"), n.low_activity) + tile("idle", word("day_status", "idle"), n.idle)
    + tile("camera_outage", word("day_status", "camera_outage"), n.camera_outage) + tile("other", "未要求 / 未评分", n.other)
    + tile("cameras", "摄像机在线", `${online}/${cameras}`);
}

function ranking(rows) {
  const list = $("w-ranking");
  list.innerHTML = rows.length ? rows.map((r) => `<li data-group="${esc(r.group)}"><span class="w-rank">${r.rank ?? "-"}</span>
    <span class="grow">${esc(r.group)}</span><span class="w-bar"><i data-w="${r.average_score ?? 0}"></i></span>
    <span class="num">${r.average_score ?? "-"}</span></li>`).join("") : `<li class="w-empty">暂无评分</li>`;
  list.querySelectorAll("i[data-w]").forEach((i) => { i.style.width = `${Math.min(100, Number(i.dataset.w))}%`; });
  fit(list);
}

function redList(rows) {
  const list = $("w-red");
  $("w-red-days").textContent = `（≥${RED_DAYS}天，共${rows.length}个）`;
  list.classList.add("w-red");
  // Each status counts its own run: 视频中断 今日, 此前 停工 7天; never eight days of one or the other.
  const length = (run) => run.since === Wording.today ? "今日" : `${run.days}天`;
  list.innerHTML = rows.length ? rows.map((r) => `<li data-site="${esc(r.site_id)}"><span class="w-tag t-${r.status}">${esc(word("day_status", r.status))}</span>
    <span class="grow">${esc(r.name)}${r.runs.length > 1 ? `<small class="w-before"> 此前${r.runs.slice(1).map((x) => `${esc(word("day_status", x.status))}${x.days}天`).join("、")}</small>` : ""}</span>
    <span>${esc(r.district)}</span><span class="num days">${length(r.runs[0])}</span></li>`).join("")
    : `<li class="w-empty">无连续停工或视频中断的项目</li>`;
  fit(list);
}

function alerts(rows) {
  const list = $("w-alerts");
  list.innerHTML = rows.length ? rows.map((a) => `<li data-alert="${a.id}"><span class="num w-when">${hhmm(a.opened_at)}</span>
    <span class="w-tag t-${a.severity}">${esc(word("alert_type", a.type))}</span><span class="grow">${esc(a.text.zh)}</span>
    <span class="w-lasting">${esc(lastingOf("zh", a.opened_at))}</span></li>`).join("")
    : `<li class="w-empty">当前无预警</li>`;
  fit(list);
}

function strip() {
  const box = $("w-strip");
  const pages = Math.max(1, Math.ceil(shots.length / PER_PAGE));
  page %= pages;
  $("w-strip-page").textContent = shots.length ? `${page + 1}/${pages}` : "";
  const shown = shots.slice(page * PER_PAGE, page * PER_PAGE + PER_PAGE);
  box.innerHTML = shown.length ? shown.map((s) => `<figure class="w-shot s-${s.status}" data-site="${esc(s.id)}"><img alt="${esc(s.name)}" src="${esc(s.url)}">
    <figcaption><span class="w-tag t-${s.status}">${esc(word("day_status", s.status))}</span> ${esc(s.name)} · ${esc(s.camera)} · ${hhmm(s.at)}</figcaption></figure>`).join("")
    : `<p class="w-empty">暂无抓拍</p>`;
}

function pickShots(sites) {
  // Working and idle sites alternate, so each page shows both.
  const pick = (statuses) => sites.filter((s) => statuses.includes(s.today_status)).flatMap((s) => {
    const cam = s.cameras.find((c) => c.latest_sample?.snapshot_url);
    return cam ? [{ id: s.id, name: s.name, status: s.today_status, camera: cam.name || cam.id, url: cam.latest_sample.snapshot_url, at: cam.latest_sample.captured_at }] : [];
  });
  const working = pick(["active", "low_activity"]), idle = pick(["idle"]);
  const mixed = [];
  for (let i = 0; i < Math.max(working.length, idle.length); i += 1) {
    if (idle[i]) mixed.push(idle[i]);
    if (working[i]) mixed.push(working[i]);
  }
  return mixed;
}

async function refresh() {
  const [sites, rank, red, open] = await Promise.all([get("/api/sites"), get("/api/rankings?by=district&period=day"),
    get(`/api/red-list?days=${RED_DAYS}`), get("/api/alerts?state=active&limit=50")]);
  counts(sites);
  ranking(rank);
  redList(red);
  alerts(open);
  shots = pickShots(sites);
  strip();
  $("wall-updated").textContent = `更新于 ${hhmm(new Date(Wording.now()).toISOString())}`;
  const mapPanel = $("w-map");  // 项目一张图, framed once the wall is logged in (it reads with the same login)
  if (mapPanel && !mapPanel.getAttribute("src")) mapPanel.setAttribute("src", mapPanel.dataset.src);
  document.body.dataset.loaded = String(Number(document.body.dataset.loaded || 0) + 1);
}

function connect() {
  if (live) live.close();
  live = sharedLive({  // one stream for the wall and the dashboard's tabs in this browser (live.js)
    hello: () => $("wall-live").classList.add("on"),
    update: () => {
      clearTimeout(refreshTimer);
      refreshTimer = setTimeout(() => refresh().catch(failed), 1000);
    },
    logout: () => { live.close(); showLogin(); },
    error: () => $("wall-live").classList.remove("on"),
  });
}

function showLogin() {
  $("wall-login").hidden = false;
  $("wall").hidden = true;
}

function failed(error) {
  if (error instanceof LoginNeeded) showLogin();
  else $("wall-updated").textContent = "数据暂不可用，稍后自动重试";
}

async function start() {
  const me = await get("/api/auth/me");
  $("wall-login").hidden = true;
  if (me.role === "unit") { $("wall-updated").textContent = "责任单位账号不能查看大屏"; return; }
  $("wall").hidden = false;
  await Wording.load();
  await refresh();
  connect();
}

$("wall-login").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const response = await fetch("/api/auth/login", { method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username: form.get("username"), password: form.get("password") }) });
  if (!response.ok) { $("wall-login-error").textContent = response.status === 429 ? "登录尝试过多，请稍后再试" : "用户名或密码错误"; return; }
  start().catch(failed);
});
setInterval(() => { $("wall-clock").textContent = new Date().toLocaleString("zh-CN", { hour12: false }); }, 1000);
setInterval(() => { page += 1; strip(); }, ROTATE_MS);
setInterval(() => { if (!$("wall").hidden) refresh().catch(failed); }, POLL_MS);
window.addEventListener("resize", () => { if (!$("wall").hidden) refresh().catch(failed); });
start().catch(failed);
