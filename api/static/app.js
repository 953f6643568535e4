"use strict";
// The dispatch center's screen: every site on one page, a page per site, live updates.
const T = {
  zh: { title: "重点项目视频监测调度", overview: "总览", live: "实时", logout: "退出", login: "登录", username: "用户名",
        password: "密码", signin: "登录", wrong: "用户名或密码错误", busy: "登录尝试过多，请稍后再试", district: "区县", batch: "批次", status: "状态",
        all: "全部", score: "得分", updated: "更新", ranking: "区县排名", rank: "排名", avg: "平均得分", sites: "项目数",
        cameras: "摄像机", health: "状态", since: "起始", reason: "原因", timeline: "今日活动", history: "近30日得分",
        alerts: "预警", ack: "确认", acked: "已确认", type: "类型", opened: "时间", message: "内容", none: "无",
        unit: "责任单位", snapshot: "最新抓拍", delivery: "调度系统推送", delivered: "已送达", retrying: "重试中",
        signed: "签约", started: "开工", in_production: "投产",
        active: "正常施工", low_activity: "施工不足", idle: "停工", camera_outage: "视频中断", not_expected: "未要求施工", not_started: "未到施工时段",
        no_score: "未评分", online: "在线", offline: "离线", unauthorized: "认证失败", not_found: "地址错误",
        stream_error: "码流错误", frozen: "画面冻结", black: "黑屏", unknown: "未知",
        milestones: "节点计划（挂图作战）", start: "开工", structure_complete: "主体完工", completion: "竣工", production: "投产",
        milestone: "节点", planned: "计划", actual: "实际", on_time: "按期", late: "逾期完成", overdue: "已逾期", pending: "未到期",
        no_plan: "未设定", start_rate: "签约项目开工率", signed_n: "签约", due: "应开工", started_n: "已开工", rate: "开工率",
        week: "本周", month: "本月", quarter: "本季度", on_time_share: "节点按期率", proposal: "视频发现开工",
        confirm: "确认开工", reject: "不是开工", day: "日期", save: "保存", changes: "变更记录", periods: "批次历史",
        by: "操作人", proposal_pending: "待确认", proposal_confirmed: "已确认", proposal_rejected: "已否决", field_planned: "计划", field_actual: "实际", pending_starts: "待确认开工",
        today: "今天", all_districts: "全部" },
  en: { title: "Key project site monitor", overview: "Overview", live: "live", logout: "Log out", login: "Log in",
        username: "User", password: "Password", signin: "Log in", wrong: "Wrong user name or password", busy: "Too many login attempts; try again later",
        district: "District", batch: "Batch", status: "Status", all: "All", score: "Score", updated: "Updated",
        ranking: "District ranking", rank: "Rank", avg: "Average", sites: "Sites", cameras: "Cameras",
        health: "Status", since: "Since", reason: "Reason", timeline: "Today's activity", history: "30-day scores",
        alerts: "Alerts", ack: "Acknowledge", acked: "Acknowledged", type: "Type", opened: "Opened",
        message: "Message", none: "None", unit: "Responsible unit", snapshot: "Latest snapshot",
        delivery: "Scheduling system", delivered: "delivered", retrying: "retrying",
        signed: "signed", started: "started", in_production: "in production", active: "active",
        low_activity: "low activity", idle: "idle", camera_outage: "camera outage", not_expected: "not expected", not_started: "not started yet",
        no_score: "no score", online: "online", offline: "offline", unauthorized: "unauthorized",
        not_found: "not found", stream_error: "stream error", frozen: "frozen", black: "black", unknown: "unknown",
        milestones: "Milestones", start: "Start", structure_complete: "Structure complete", completion: "Completion",
        production: "Production", milestone: "Milestone", planned: "Planned", actual: "Actual", on_time: "on time",
        late: "late", overdue: "overdue", pending: "not due", no_plan: "no plan", start_rate: "Start rate of signed projects",
        signed_n: "Signed", due: "Due", started_n: "Started", rate: "Rate", week: "This week", month: "This month",
        quarter: "This quarter", on_time_share: "On-time share", proposal: "Start seen on camera", confirm: "Confirm start",
        reject: "Not a start", day: "Day", save: "Save", changes: "Changes", periods: "Batch history", by: "By",
        proposal_pending: "waiting", proposal_confirmed: "confirmed", proposal_rejected: "rejected", field_planned: "planned", field_actual: "actual", pending_starts: "Starts to confirm",
        today: "today", all_districts: "All" },
};
let lang = localStorage.getItem("lang") || "zh";
let me = null;
let filters = { district: "", batch: "", status: "" };
let ratePeriod = "month";
const pct = (v) => v == null ? "-" : `${(v * 100).toFixed(1)}%`;
const t = (k) => (T[lang][k] ?? k);
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
const time = (iso) => iso ? new Date(iso).toLocaleTimeString(lang === "zh" ? "zh-CN" : "en-GB", { hour: "2-digit", minute: "2-digit" }) : "-";
const app = document.getElementById("app");

async function api(path, options = {}) {
  const response = await fetch(path, { credentials: "same-origin", ...options });
  if (response.status === 401) { showLogin(); throw new Error("login"); }
  if (!response.ok) throw new Error(`${response.status}`);
  return response.status === 204 ? null : response.json();
}

function translate() {
  document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = t(el.dataset.t); });
  document.getElementById("lang").textContent = lang === "zh" ? "English" : "中文";
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
}

function showLogin() {
  me = null;
  document.getElementById("logout").hidden = true;
  document.getElementById("user").textContent = "";
  app.replaceChildren(document.getElementById("login-view").content.cloneNode(true));
  translate();
  document.getElementById("login").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const response = await fetch("/api/auth/login", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: form.get("username"), password: form.get("password") }) });
    if (!response.ok) {
      document.getElementById("login-error").textContent = t(response.status === 429 || response.status === 503 ? "busy" : "wrong");
      return;
    }
    await start();
  });
}

function option(value, label, selected) {
  return `<option value="${esc(value)}" ${value === selected ? "selected" : ""}>${esc(label)}</option>`;
}

async function overview() {
  const [sites, ranking, deliveries, figures, proposals] = await Promise.all([api("/api/sites"),
    api("/api/rankings?by=district&period=day"), api("/api/deliveries"), api(`/api/milestones/figures?period=${ratePeriod}`),
    api("/api/start-proposals")]);
  const lastDay = deliveries.length ? deliveries[0].day : null;
  const ofDay = deliveries.filter((d) => d.day === lastDay);
  const delivered = ofDay.filter((d) => d.state === "delivered").length;
  const districts = [...new Set(sites.map((s) => s.district))].sort();
  const shown = sites.filter((s) => (!filters.district || s.district === filters.district)
    && (!filters.batch || s.current_batch === filters.batch) && (!filters.status || (s.today_status || "no_score") === filters.status));
  const count = (st) => sites.filter((s) => s.today_status === st).length;
  const statuses = ["active", "low_activity", "idle", "camera_outage", "not_started", "not_expected", "no_score"];
  app.innerHTML = `
    <div class="filters">
      <label>${t("district")} <select data-f="district">${option("", t("all"), filters.district)}${districts.map((d) => option(d, d, filters.district)).join("")}</select></label>
      <label>${t("batch")} <select data-f="batch">${option("", t("all"), filters.batch)}${["signed", "started", "in_production"].map((b) => option(b, t(b), filters.batch)).join("")}</select></label>
      <label>${t("status")} <select data-f="status">${option("", t("all"), filters.status)}${statuses.map((s) => option(s, t(s), filters.status)).join("")}</select></label>
      <span class="counts" id="counts">${["active", "low_activity", "idle", "camera_outage"].map((s) => `<span class="b-${s} badge">${t(s)} ${count(s)}</span>`).join("")}</span>
      <span id="site-count">${shown.length} / ${sites.length}</span>
    </div>
    <div class="layout">
      <div class="grid" id="grid">${shown.map(card).join("")}</div>
      <aside class="panel"><h3>${t("ranking")}</h3><table id="ranking"><tr><th>${t("rank")}</th><th>${t("district")}</th><th>${t("avg")}</th><th>${t("sites")}</th></tr>
        ${ranking.map((r) => `<tr><td>${r.rank ?? "-"}</td><td>${esc(r.group)}</td><td>${r.average_score ?? "-"}</td><td>${r.sites}</td></tr>`).join("")}</table>
        ${startRatePanel(figures, proposals, sites)}
        <h3>${t("delivery")}</h3><p id="delivery">${lastDay ? `${lastDay}: ${t("delivered")} ${delivered} / ${ofDay.length}${ofDay.length > delivered ? ` · ${t("retrying")} ${ofDay.length - delivered}` : ""}` : t("none")}</p></aside>
    </div>`;
  app.querySelectorAll("select[data-f]").forEach((el) => el.addEventListener("change", () => { filters[el.dataset.f] = el.value; overview(); }));
  document.getElementById("rate-period").addEventListener("change", (e) => { ratePeriod = e.target.value; overview(); });
}

function startRatePanel(figures, proposals, sites) {
  const names = Object.fromEntries(sites.map((s) => [s.id, s.name]));
  const rows = figures.start_rates.map((r) => `<tr data-group="${esc(r.group)}"><td>${esc(r.group === "全部" ? t("all_districts") : r.group)}</td>
    <td>${r.due}</td><td>${r.started}</td><td class="rate">${pct(r.rate)}</td></tr>`).join("");
  const onTime = figures.on_time.filter((o) => o.due).map((o) => `${t(o.milestone)} ${pct(o.share)}`).join(" · ");
  return `<h3>${t("start_rate")} <select id="rate-period">${["week", "month", "quarter"].map((p) => option(p, t(p), ratePeriod)).join("")}</select></h3>
    <table id="start-rate"><tr><th>${t("district")}</th><th>${t("due")}</th><th>${t("started_n")}</th><th>${t("rate")}</th></tr>${rows}</table>
    <p id="on-time">${t("on_time_share")}: ${onTime || t("none")}</p>
    <p id="pending-starts">${t("pending_starts")}: ${proposals.map((p) => `<a href="#/site/${encodeURIComponent(p.site_id)}" data-site="${esc(p.site_id)}">${esc(names[p.site_id] || p.site_id)} (${esc(p.day)})</a>`).join(" ") || t("none")}</p>`;
}

function card(site) {
  const sample = site.cameras.map((c) => c.latest_sample).find((s) => s && s.snapshot_url);
  const status = site.today_status || "no_score";
  return `<a class="card s-${status}" href="#/site/${encodeURIComponent(site.id)}" data-site="${esc(site.id)}" title="${esc(site.name)}">
    ${sample ? `<img alt="" src="${esc(sample.snapshot_url)}">` : `<img alt="">`}
    <span class="score">${site.today_score ?? "-"}</span>
    <div class="name">${esc(site.name)}</div>
    <div>${esc(site.district)} · ${t(site.current_batch)} · ${t(status)} · ${time(site.last_update)}</div></a>`;
}

function timelineChart(points, dayStart) {
  const w = 720, h = 120, start = new Date(dayStart);  // local midnight where the sites are
  const x = (iso) => ((new Date(iso) - start) / 86400000) * w;
  const bars = points.map((p) => {
    const level = p.status === "online" ? (p.activity ?? 0) : 0;
    const color = p.status === "online" ? "#2e9e4f" : "#adb5bd";
    return `<rect x="${x(p.slot_at).toFixed(1)}" y="${(h - 20 - level * (h - 30)).toFixed(1)}" width="2.5" height="${Math.max(1, level * (h - 30)).toFixed(1)}" fill="${color}"/>`;
  }).join("");
  const hours = [0, 6, 12, 18, 24].map((hh) => `<text x="${(hh / 24) * w}" y="${h - 4}">${hh}:00</text>`).join("");
  return `<svg id="timeline" viewBox="0 0 ${w} ${h}" width="100%" role="img" aria-label="${t("timeline")}">${bars}${hours}</svg>`;
}

function historyChart(scores) {
  const w = 720, h = 160, n = Math.max(scores.length, 1);
  const x = (i) => 30 + (i / Math.max(n - 1, 1)) * (w - 40), y = (v) => h - 20 - (v / 100) * (h - 30);
  const parts = ["activity", "workers", "machinery", "structure"], colors = ["#0b6efd", "#2e9e4f", "#e0a800", "#8e44ad"];
  const stacks = scores.map((s, i) => {
    let base = 0;
    return parts.map((p, k) => { const v = (s.components.points || {})[p] || 0; const r = `<rect x="${x(i) - 4}" y="${y(base + v)}" width="8" height="${Math.max(0, y(base) - y(base + v))}" fill="${colors[k]}" opacity=".55"/>`; base += v; return r; }).join("");
  }).join("");
  const line = scores.map((s, i) => s.score == null ? "" : `${x(i)},${y(s.score)}`).filter(Boolean).join(" ");
  const dots = scores.map((s, i) => s.score == null ? `<text x="${x(i) - 3}" y="${h - 22}">×</text>` : `<circle cx="${x(i)}" cy="${y(s.score)}" r="3" fill="#0b3d6e"><title>${s.day} ${s.score} ${t(s.status)}</title></circle>`).join("");
  const axis = [0, 50, 100].map((v) => `<text x="0" y="${y(v) + 3}">${v}</text>`).join("");
  return `<svg id="history" viewBox="0 0 ${w} ${h}" width="100%" role="img" aria-label="${t("history")}">${axis}${stacks}<polyline points="${line}" fill="none" stroke="#0b3d6e" stroke-width="2"/>${dots}</svg>`;
}

async function sitePage(id) {
  const [site, alerts, chart] = await Promise.all([api(`/api/sites/${encodeURIComponent(id)}`), api(`/api/alerts?site=${encodeURIComponent(id)}`),
    api(`/api/sites/${encodeURIComponent(id)}/milestones`)]);
  const canAck = me && (me.role === "operator" || me.role === "admin");
  app.innerHTML = `
    <div class="panel"><h2>${esc(site.name)} <span class="badge b-${site.today?.status || "no_score"}">${t(site.today?.status || "no_score")}</span>
      <span id="site-score">${site.today?.score ?? "-"}</span></h2>
      <div>${t("district")}: ${esc(site.district)} · ${t("batch")}: <span id="batch">${t(chart.batch)}</span> · ${t("unit")}: ${esc(site.responsible_unit)}</div></div>
    <div class="panel"><h3>${t("snapshot")}</h3><div class="snaps">${site.cameras.map((c) => c.latest_sample?.snapshot_url
      ? `<figure><img class="snapshot" alt="${esc(c.name || c.id)}" src="${esc(c.latest_sample.snapshot_url)}"><figcaption>${esc(c.name || c.id)} · ${time(c.latest_sample.captured_at)}</figcaption></figure>` : "").join("")}</div></div>
    ${milestonePanel(chart, canAck, me && me.role === "admin")}
    <div class="panel"><h3>${t("timeline")}</h3>${timelineChart(site.timeline, site.day_start)}</div>
    <div class="panel"><h3>${t("history")}</h3>${historyChart(site.scores)}</div>
    <div class="panel"><h3>${t("cameras")}</h3><table id="cameras"><tr><th>${t("cameras")}</th><th>${t("health")}</th><th>${t("since")}</th><th>${t("reason")}</th></tr>
      ${site.cameras.map((c) => `<tr><td>${esc(c.name || c.id)}</td><td><span class="badge b-${c.status}">${t(c.status)}</span></td><td>${time(c.status_since)}</td><td>${esc(c.status_reason)}</td></tr>`).join("")}</table></div>
    <div class="panel"><h3>${t("alerts")}</h3><table id="alerts"><tr><th>${t("opened")}</th><th>${t("type")}</th><th>${t("message")}</th><th></th></tr>
      ${alerts.length ? alerts.map((a) => `<tr data-alert="${a.id}"><td>${time(a.opened_at)}</td><td>${esc(a.type)}</td><td>${esc(a.message)}</td>
        <td>${a.state === "open" && canAck ? `<button type="button" class="ack" data-id="${a.id}">${t("ack")}</button>` : a.state === "acknowledged" ? `${t("acked")} (${esc(a.acknowledged_by)})` : ""}</td></tr>`).join("") : `<tr><td colspan="4">${t("none")}</td></tr>`}</table></div>`;
  app.querySelectorAll("button.ack").forEach((b) => b.addEventListener("click", async () => {
    await api(`/api/alerts/${b.dataset.id}/ack`, { method: "POST" });
    sitePage(id);
  }));
  const post = { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" };
  app.querySelectorAll("button.decide").forEach((b) => b.addEventListener("click", async () => {
    await api(`/api/sites/${encodeURIComponent(id)}/start-proposals/${b.dataset.id}/${b.dataset.action}`, post);
    sitePage(id);
  }));
  app.querySelectorAll("button.save-planned, button.save-actual").forEach((b) => b.addEventListener("click", async () => {
    const field = b.classList.contains("save-planned") ? "planned" : "actual";
    const value = app.querySelector(`input[data-${field}="${b.dataset.m}"]`).value || null;
    await api(`/api/sites/${encodeURIComponent(id)}/milestones/${b.dataset.m}`, { method: "PUT",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify({ [field]: value }) });
    sitePage(id);
  }));
}

function milestoneChart(chart) {
  const today = new Date().toISOString().slice(0, 10);
  const dates = chart.milestones.flatMap((m) => [m.planned, m.actual]).filter(Boolean).concat([today]).sort();
  const w = 720, rowH = 24, h = 30 + rowH * chart.milestones.length, left = 90, day = 86400000;
  const first = Date.parse(dates[0]) - 15 * day, last = Date.parse(dates[dates.length - 1]) + 15 * day;
  const x = (d) => left + ((Date.parse(d) - first) / (last - first)) * (w - left - 10);
  const rows = chart.milestones.map((m, i) => {
    const y = 20 + i * rowH;
    const link = m.planned && m.actual ? `<line x1="${x(m.planned)}" x2="${x(m.actual)}" y1="${y}" y2="${y}" class="m-${m.state}"/>` : "";
    const plan = m.planned ? `<circle class="planned" cx="${x(m.planned)}" cy="${y}" r="5"><title>${t("planned")} ${m.planned}</title></circle>` : "";
    const done = m.actual ? `<circle class="actual m-${m.state}" cx="${x(m.actual)}" cy="${y}" r="5"><title>${t("actual")} ${m.actual}</title></circle>` : "";
    return `<text x="0" y="${y + 4}">${t(m.milestone)}</text>${link}${plan}${done}`;
  }).join("");
  const now = `<line class="today" x1="${x(today)}" x2="${x(today)}" y1="8" y2="${h - 14}"/><text x="${x(today) - 12}" y="${h - 2}">${t("today")}</text>`;
  const ends = `<text x="${left}" y="${h - 2}">${new Date(first).toISOString().slice(0, 7)}</text><text x="${w - 60}" y="${h - 2}">${new Date(last).toISOString().slice(0, 7)}</text>`;
  return `<svg id="milestone-chart" viewBox="0 0 ${w} ${h}" width="100%" role="img" aria-label="${t("milestones")}">${now}${rows}${ends}</svg>`;
}

function milestonePanel(chart, canDecide, isAdmin) {
  const rows = chart.milestones.map((m) => `<tr data-m="${m.milestone}"><td>${t(m.milestone)}</td>
    <td>${isAdmin ? `<input type="date" data-planned="${m.milestone}" value="${esc(m.planned || "")}"> <button type="button" class="save-planned" data-m="${m.milestone}">${t("save")}</button>` : esc(m.planned || "-")}</td>
    <td>${isAdmin && m.milestone !== "start" ? `<input type="date" data-actual="${m.milestone}" value="${esc(m.actual || "")}"> <button type="button" class="save-actual" data-m="${m.milestone}">${t("save")}</button>` : esc(m.actual || "-")}</td><td><span class="badge b-m-${m.state}">${t(m.state)}</span></td></tr>`).join("");
  const proposals = chart.proposals.map((p) => `<div class="proposal" data-proposal="${p.id}"><b>${t("proposal")}: ${esc(p.day)}</b>
    <span class="badge">${t("proposal_" + p.state)}</span>
    ${p.decided_by ? ` ${t("by")}: ${esc(p.decided_by)}` : ""}
    <table class="evidence"><tr><th>${t("day")}</th><th>${t("status")}</th><th>${t("score")}</th><th>${t("snapshot")}</th></tr>
      ${p.evidence.map((e) => `<tr><td>${esc(e.day)}</td><td>${t(e.status || "no_score")}</td><td>${e.score ?? "-"}</td>
        <td>${e.snapshot_url ? `<img class="thumb" alt="" src="${esc(e.snapshot_url)}">` : "-"}</td></tr>`).join("")}</table>
    ${p.state === "pending" && canDecide ? `<button type="button" class="decide" data-action="confirm" data-id="${p.id}">${t("confirm")}</button>
      <button type="button" class="decide" data-action="reject" data-id="${p.id}">${t("reject")}</button>` : ""}</div>`).join("");
  const periods = chart.periods.map((p) => `${t(p.batch)} ${p.since || "…"} – ${p.until || ""}`).join(" → ");
  const changes = chart.changes.slice(0, 10).map((c) => `<tr><td>${time(c.at)} ${esc(c.at.slice(0, 10))}</td><td>${t(c.milestone)} ${t("field_" + c.field)}</td>
    <td>${esc(c.old || "-")} → ${esc(c.new || "-")}</td><td>${esc(c.by)}</td></tr>`).join("");
  return `<div class="panel" id="milestones"><h3>${t("milestones")}</h3>${milestoneChart(chart)}
    <table id="milestone-table"><tr><th>${t("milestone")}</th><th>${t("planned")}</th><th>${t("actual")}</th><th>${t("status")}</th></tr>${rows}</table>
    <p id="periods">${t("periods")}: ${esc(periods)}</p>${proposals}
    ${changes ? `<h4>${t("changes")}</h4><table id="milestone-changes">${changes}</table>` : ""}</div>`;
}

function route() {
  if (me && me.role === "unit") return unitPage();  // a responsible unit sees its own view only (assignments.js)
  if (location.hash === "#/assignments") return assignmentsPage();
  const match = location.hash.match(/^#\/site\/(.+)$/);
  return match ? sitePage(decodeURIComponent(match[1])) : overview();
}

let refreshTimer = null;
let live = null;  // the live-updates stream of the logged-in session, shared with the other tabs (live.js)
function disconnectLive(loggedOut) {
  if (live) live.close(loggedOut);
  live = null;
  document.getElementById("live").classList.remove("on");
}

function connectLive() {
  disconnectLive();
  const badge = document.getElementById("live");
  live = sharedLive({
    hello: () => badge.classList.add("on"),
    update: () => {
      badge.classList.add("on");
      clearTimeout(refreshTimer);
      refreshTimer = setTimeout(() => route().catch(() => {}), 300);
      document.body.dataset.updates = String(Number(document.body.dataset.updates || 0) + 1);
    },
    logout: () => { disconnectLive(); showLogin(); },  // the session was ended elsewhere
    error: () => badge.classList.remove("on"),
  });
}

async function start() {
  me = await api("/api/auth/me");
  document.getElementById("user").textContent = me.display_name || me.username;
  document.getElementById("logout").hidden = false;
  translate();
  document.getElementById("nav-assignments").hidden = me.role === "unit";
  await route();
  if (me.role !== "unit") connectLive();  // the live stream is the dispatch center's
}

window.addEventListener("hashchange", () => { if (me) route(); });
document.getElementById("lang").addEventListener("click", () => { lang = lang === "zh" ? "en" : "zh"; localStorage.setItem("lang", lang); translate(); if (me) route(); });
document.getElementById("logout").addEventListener("click", async () => {
  disconnectLive(true);
  await fetch("/api/auth/logout", { method: "POST" });
  showLogin();
});
translate();
start().catch(() => {});
