"use strict";
// The dispatch center's screen: the morning briefing (every site on one page), a page per site, live updates.
// The words of every status, cause, alert type and role come from the server's catalogue (common.js, w());
// T holds only this screen's own labels.
const T = {
  zh: { title: "重点项目视频监测调度", overview: "总览", wall: "大屏", map: "一张图", live: "实时", logout: "退出", login: "登录", username: "用户名",
        password: "密码", signin: "登录", wrong: "用户名或密码错误", busy: "登录尝试过多，请稍后再试", district: "区县", batch: "批次", status: "状态",
        all: "全部", score: "得分", updated: "更新", ranking: "区县排名（今日平均得分）", rank: "排名", avg: "平均得分", sites: "项目数",
        cameras: "摄像机", health: "状态", since: "起始", reason: "原因", detail: "技术详情", timeline: "今日活动", history: "近30日得分",
        alerts: "预警", ack: "确认", acked: "已确认", close_alert: "解除", close_alert_hint: "调度员确认后解除预警（停工预警在再次看到施工前不会重新发出）", close_alert_note: "解除原因（如：批准停工、已核实复工）", type: "类型", opened: "时间", message: "内容", none: "无",
        unit: "责任单位", snapshot: "最新抓拍", no_snapshot: "暂无画面", delivery: "调度系统推送", delivered: "已送达", retrying: "重试中",
        milestones: "节点计划（挂图作战）", milestone: "节点", planned: "计划", actual: "实际",
        start_rate: "签约项目开工率", due: "应开工", started_n: "已开工", rate: "开工率",
        on_time_share: "节点按期率", proposal: "视频发现开工", proposal_ask: "请核实后确认",
        confirm: "确认开工", reject: "不是开工", day: "日期", save: "保存", changes: "变更记录", periods: "批次历史",
        by: "操作人", field_planned: "计划", field_actual: "实际", pending_starts: "待确认开工",
        today: "今天", all_districts: "全部", today_counts: "今日项目状态", yesterday: "昨日", than_before: "较前日",
        open_alerts: "未处理预警", red_list: "红榜：连续停工 / 视频中断", before: "此前", more: "另有 {n} 条",
        downloads: "下载", daily_xlsx: "日评估表（Excel）", weekly_xlsx: "周交办清单（Excel）", review_docx: "讲评材料（Word）",
        month_review: "月讲评", quarter_review: "季总结", assigned: "已交办", activity_level: "活跃度", no_picture: "无画面",
        part_activity: "活跃时段", part_work: "人员与机械作业", part_workers: "施工人员", part_machinery: "作业机械", part_structure: "结构变化",
        average: "平均得分", no_score_yet: "暂无评分", by_config: "配置文件", month_label: "{y}年{m}月", quarter_label: "{y}年第{q}季度" },
  en: { title: "Key project site monitor", overview: "Overview", wall: "Wall", map: "Map", live: "live", logout: "Log out", login: "Log in",
        username: "User", password: "Password", signin: "Log in", wrong: "Wrong user name or password", busy: "Too many login attempts; try again later",
        district: "District", batch: "Batch", status: "Status", all: "All", score: "Score", updated: "Updated",
        ranking: "District ranking (today's average)", rank: "Rank", avg: "Average", sites: "Sites", cameras: "Cameras",
        health: "Status", since: "Since", reason: "Reason", detail: "Technical detail", timeline: "Today's activity", history: "30-day scores",
        alerts: "Alerts", ack: "Acknowledge", acked: "Acknowledged", close_alert: "Close", close_alert_hint: "Close the alert on your word (an idle alert does not open again until work is seen)", close_alert_note: "Why (e.g. stoppage approved, work resumed and checked)", type: "Type", opened: "Opened",
        message: "Message", none: "None", unit: "Responsible unit", snapshot: "Latest snapshot", no_snapshot: "No picture",
        delivery: "Scheduling system", delivered: "delivered", retrying: "retrying",
        milestones: "Milestones", milestone: "Milestone", planned: "Planned", actual: "Actual",
        start_rate: "Start rate of signed projects", due: "Due", started_n: "Started", rate: "Rate",
        on_time_share: "On-time share", proposal: "Start seen on camera", proposal_ask: "check, then confirm", confirm: "Confirm start",
        reject: "Not a start", day: "Day", save: "Save", changes: "Changes", periods: "Batch history", by: "By",
        field_planned: "planned", field_actual: "actual", pending_starts: "Starts to confirm",
        today: "today", all_districts: "All", today_counts: "Sites today", yesterday: "Yesterday", than_before: "vs the day before",
        open_alerts: "Open alerts", red_list: "Red list: idle / no video day after day", before: "before", more: "{n} more",
        downloads: "Downloads", daily_xlsx: "Daily assessment (Excel)", weekly_xlsx: "Weekly list (Excel)", review_docx: "Review pack (Word)",
        month_review: "monthly review", quarter_review: "quarterly summary", assigned: "assigned", activity_level: "activity", no_picture: "no picture",
        part_activity: "active share", part_work: "people and machines at work", part_workers: "workers", part_machinery: "machines", part_structure: "structure",
        average: "Average", no_score_yet: "no score yet", by_config: "configuration", month_label: "{y}-{m}", quarter_label: "{y} Q{q}" },
};
let lang = localStorage.getItem("lang") || "zh";
let me = null;
let filters = { district: "", batch: "", status: "" };
let ratePeriod = "month";
const pct = (v) => v == null ? "-" : `${(v * 100).toFixed(1)}%`;
const t = (k) => (T[lang][k] ?? k);
const w = (group, key) => wordOf(lang, group, key);
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
const time = (iso) => whenOf(iso);  // every time with its date unless it is today (common.js)
const lasting = (iso) => lastingOf(lang, iso);
const app = document.getElementById("app");
// Each drawing of a page takes a ticket; one whose data arrives after a newer drawing began (the user moved on,
// a live update came) draws nothing, so a slow overview cannot cover the page the user went to meanwhile.
let drawing = 0;
function ticket() { const mine = ++drawing; return () => mine === drawing; }
const STATUSES = ["active", "low_activity", "idle", "camera_outage", "not_started", "not_expected", "no_score"];
const MAIN_STATUSES = ["active", "low_activity", "idle", "camera_outage"];

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

function badge(group, key, cls = key) {
  return `<span class="badge b-${esc(cls)}">${esc(w(group, key))}</span>`;
}

async function overview() {
  const current = ticket();
  const today = Wording.today, yesterday = shiftDay(today, -1), before = shiftDay(today, -2);
  const [sites, ranking, deliveries, figures, proposals, alerts, red, scoresY, scoresB] = await Promise.all([api("/api/sites"),
    api("/api/rankings?by=district&period=day"), api("/api/deliveries"), api(`/api/milestones/figures?period=${ratePeriod}`),
    api("/api/start-proposals"), api("/api/alerts?state=active&limit=100"), api("/api/red-list?days=3"),
    api(`/api/scores?day=${yesterday}`), api(`/api/scores?day=${before}`)]);
  if (!current()) return;
  const districts = [...new Set(sites.map((s) => s.district))].sort();
  const shown = sites.filter((s) => (!filters.district || s.district === filters.district)
    && (!filters.batch || s.current_batch === filters.batch) && (!filters.status || (s.today_status || "no_score") === filters.status));
  const count = (rows, st) => rows.filter((s) => (s.today_status ?? s.status) === st).length;
  const size = sites.length <= 9 ? "roomy" : sites.length <= 40 ? "" : "dense";  // 6 sites fill the screen, 125 fit
  app.innerHTML = `
    <div class="briefing">
      <section class="panel" id="today"><h3>${t("today_counts")} · ${esc(today.slice(5))}</h3>
        <div class="tiles" id="counts">${MAIN_STATUSES.map((s) => `<button type="button" class="tile c-${s}" data-status="${s}"><span>${w("day_status", s)}</span><b>${count(sites, s)}</b></button>`).join("")}
        <button type="button" class="tile c-other" data-status=""><span>${t("all")}</span><b>${sites.length}</b></button></div></section>
      ${yesterdayPanel(yesterday, scoresY, scoresB)}
      ${downloadsPanel()}
    </div>
    <div class="filters">
      <label>${t("district")} <select data-f="district">${option("", t("all"), filters.district)}${districts.map((d) => option(d, d, filters.district)).join("")}</select></label>
      <label>${t("batch")} <select data-f="batch">${option("", t("all"), filters.batch)}${["signed", "started", "in_production"].map((b) => option(b, w("batch", b), filters.batch)).join("")}</select></label>
      <label>${t("status")} <select data-f="status">${option("", t("all"), filters.status)}${STATUSES.map((s) => option(s, w("day_status", s), filters.status)).join("")}</select></label>
      <span id="site-count">${shown.length} / ${sites.length}</span>
    </div>
    <div class="layout">
      <div class="grid ${size}" id="grid">${shown.map(card).join("")}</div>
      <aside class="panel side">
        ${alertsPanel(alerts)}
        ${redPanel(red)}
        <h3>${t("ranking")}</h3><table id="ranking" class="bars"><tr><th>${t("rank")}</th><th>${t("district")}</th><th></th><th>${t("avg")}</th><th>${t("sites")}</th></tr>
          ${barRows(ranking.map((r) => ({ group: r.group, rank: r.rank, value: r.average_score, sites: r.sites })))}</table>
        ${startRatePanel(figures, proposals, sites)}
        ${deliveryPanel(deliveries)}</aside>
    </div>`;
  app.querySelectorAll("select[data-f]").forEach((el) => el.addEventListener("change", () => { filters[el.dataset.f] = el.value; overview(); }));
  app.querySelectorAll("#counts .tile").forEach((el) => el.addEventListener("click", () => { filters.status = el.dataset.status; overview(); }));
  document.getElementById("rate-period").addEventListener("change", (e) => { ratePeriod = e.target.value; overview(); });
  wireDownloads();
}

function yesterdayPanel(day, rows, before) {
  const count = (list, st) => list.filter((s) => s.status === st).length;
  const change = (now, then) => { const d = now - then; return d > 0 ? `<i class="up">▲${d}</i>` : d < 0 ? `<i class="down">▼${-d}</i>` : `<i>–</i>`; };
  const mean = (list) => { const v = list.map((s) => s.score).filter((x) => x != null); return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null; };
  const avg = mean(rows), prev = mean(before);
  const delta = avg != null && prev != null ? ` <small>${t("than_before")} ${avg >= prev ? "▲" : "▼"}${Math.abs(avg - prev).toFixed(1)}</small>` : "";
  return `<section class="panel" id="yesterday"><h3>${t("yesterday")} · ${esc(day.slice(5))}</h3>
    ${rows.length ? `<div class="tiles">${MAIN_STATUSES.map((s) => `<div class="tile c-${s}" data-status="${s}"><span>${w("day_status", s)}</span><b>${count(rows, s)}</b>${change(count(rows, s), count(before, s))}</div>`).join("")}</div>
    <p id="yesterday-average">${t("average")} <b>${avg == null ? "—" : avg.toFixed(1)}</b>${delta}</p>` : `<p>${t("no_score_yet")}</p>`}</section>`;
}

function weekOptions() {
  // The last 26 weeks, Monday to Sunday, this one first.
  const weekday = (new Date(`${Wording.today}T00:00:00Z`).getUTCDay() + 6) % 7, monday = shiftDay(Wording.today, -weekday);
  return Array.from({ length: 26 }, (_, k) => {
    const first = shiftDay(monday, -7 * k);
    return option(first, `${dayOf(first) ?? first.slice(5)} ~ ${dayOf(shiftDay(first, 6)) ?? shiftDay(first, 6).slice(5)}${k === 0 ? ` ${w("period", "week")}` : ""}`, monday);
  }).join("");
}

function reviewOptions() {
  // This month and the 12 before (月讲评), this quarter and the 4 before (季总结): value "period:first day".
  const [year, month] = Wording.today.split("-").map(Number);
  const months = Array.from({ length: 13 }, (_, k) => { const m = (year * 12 + month - 1) - k, y = Math.floor(m / 12), mm = m % 12 + 1;
    return option(`month:${y}-${String(mm).padStart(2, "0")}-01`, `${t("month_label").replace("{y}", y).replace("{m}", mm)} ${t("month_review")}`, ""); });
  const quarters = Array.from({ length: 5 }, (_, k) => { const q = (year * 4 + Math.floor((month - 1) / 3)) - k, y = Math.floor(q / 4), qq = q % 4 + 1;
    return option(`quarter:${y}-${String(qq * 3 - 2).padStart(2, "0")}-01`, `${t("quarter_label").replace("{y}", y).replace("{q}", qq)} ${t("quarter_review")}`, ""); });
  return months.join("") + quarters.join("");
}

function downloadsPanel() {
  // The daily assessment of any past day, the weekly list of any week, the review pack of any month or quarter.
  const yesterday = shiftDay(Wording.today, -1);
  return `<section class="panel" id="downloads"><h3>${t("downloads")}</h3>
    <p><input type="date" id="dl-day" max="${yesterday}" value="${yesterday}" aria-label="${t("day")}"> <a id="dl-xlsx" download>${t("daily_xlsx")}</a></p>
    <p><select id="dl-week" aria-label="${t("weekly_xlsx")}">${weekOptions()}</select> <a id="dl-weekly" download>${t("weekly_xlsx")}</a></p>
    <p><select id="dl-review-of" aria-label="${t("review_docx")}">${reviewOptions()}</select> <a id="dl-review" download>${t("review_docx")}</a></p></section>`;
}

const downloadChoice = {};  // what the user picked: kept when a live update draws the page again

function wireDownloads() {
  const $ = (id) => document.getElementById(id);
  if (!$("dl-day")) return;
  for (const [id, value] of Object.entries(downloadChoice)) if ($(id) && [...($(id).options || [{ value }])].some((o) => o.value === value)) $(id).value = value;
  const update = () => {
    ["dl-day", "dl-week", "dl-review-of"].forEach((id) => { downloadChoice[id] = $(id).value; });
    $("dl-xlsx").href = `/api/exports/${$("dl-day").value}/xlsx`;
    $("dl-weekly").href = `/api/assignments/weekly.xlsx?date=${$("dl-week").value}`;
    const [period, day] = $("dl-review-of").value.split(":");
    $("dl-review").href = `/api/review.docx?period=${period}&day=${day}`;
  };
  ["dl-day", "dl-week", "dl-review-of"].forEach((id) => $(id).addEventListener("change", update));
  update();
}

function alertLine(a) {
  const assigned = a.assignment_id ? ` <span class="badge b-assigned">${t("assigned")} #${a.assignment_id}</span>` : "";
  return `<li data-alert="${a.id}" class="sev-${esc(a.severity)}"><a href="#/site/${encodeURIComponent(a.site_id)}">
    <span class="badge b-${esc(a.severity)}">${esc(w("alert_type", a.type))}</span> ${esc(a.text[lang] || a.text.zh)}</a>${assigned}
    <div class="when">${time(a.opened_at)} · ${lasting(a.opened_at)}</div></li>`;
}

function alertsPanel(alerts) {
  const given = alerts.filter((a) => a.assignment_id).length;
  const shown = alerts.slice(0, 8);
  const more = alerts.length > shown.length ? `<li class="more">${t("more").replace("{n}", alerts.length - shown.length)}</li>` : "";
  return `<h3>${t("open_alerts")} <span class="count">${alerts.length}${given ? ` · ${t("assigned")} ${given}` : ""}</span></h3>
    <ul id="open-alerts" class="lines">${shown.map(alertLine).join("") || `<li>${t("none")}</li>`}${more}</ul>`;
}

function redPanel(rows) {
  return `<h3>${t("red_list")}</h3><ul id="red-list" class="lines">${rows.slice(0, 10).map((r) => `<li data-site="${esc(r.site_id)}">
    <a href="#/site/${encodeURIComponent(r.site_id)}">${esc(r.name)}</a> <span class="run t-${r.status}">${esc(runOf(lang, r.runs[0]))}</span>
    ${r.runs.length > 1 ? `<div class="when">${t("before")}：${r.runs.slice(1).map((x) => esc(runOf(lang, x))).join("；")}</div>` : ""}</li>`).join("") || `<li>${t("none")}</li>`}</ul>`;
}

function deliveryPanel(deliveries) {
  const lastDay = deliveries.length ? deliveries[0].day : null;
  const ofDay = deliveries.filter((d) => d.day === lastDay);
  const delivered = ofDay.filter((d) => d.state === "delivered").length;
  return `<h3>${t("delivery")}</h3><p id="delivery">${lastDay ? `${esc(dayOf(lastDay) ?? t("today"))}: ${t("delivered")} ${delivered} / ${ofDay.length}${ofDay.length > delivered ? ` · ${t("retrying")} ${ofDay.length - delivered}` : ""}` : t("none")}</p>`;
}

function startRatePanel(figures, proposals, sites) {
  const names = Object.fromEntries(sites.map((s) => [s.id, s.name]));
  const rows = figures.start_rates.map((r) => `<tr data-group="${esc(r.group)}"><td>${esc(r.group === "全部" ? t("all_districts") : r.group)}</td>
    <td>${r.due}</td><td>${r.started}</td><td class="rate">${pct(r.rate)}</td></tr>`).join("");
  const onTime = figures.on_time.filter((o) => o.due).map((o) => `${w("milestone", o.milestone)} ${pct(o.share)}`).join(" · ");
  return `<h3>${t("start_rate")} <select id="rate-period">${["week", "month", "quarter"].map((p) => option(p, w("period", p), ratePeriod)).join("")}</select></h3>
    <table id="start-rate"><tr><th>${t("district")}</th><th>${t("due")}</th><th>${t("started_n")}</th><th>${t("rate")}</th></tr>${rows}</table>
    ${productionRatePanel(figures)}
    <p id="on-time">${t("on_time_share")}: ${onTime || t("none")}</p>
    <p id="pending-starts">${t("pending_starts")}: ${proposals.map((p) => `<a href="#/site/${encodeURIComponent(p.site_id)}" data-site="${esc(p.site_id)}">${esc(names[p.site_id] || "")} (${esc(dayOf(p.day) ?? t("today"))})</a>`).join(" ") || t("none")}</p>`;
}

function productionRatePanel(figures) {
  // 开工一批投产率 beside the start rate: of the started projects due, those in production on time.
  const col = (k) => esc(w("column", k));
  const rows = figures.production_rates.map((r) => `<tr data-group="${esc(r.group)}"><td>${esc(r.group === "全部" ? t("all_districts") : r.group)}</td>
    <td>${r.due}</td><td>${r.on_time}</td><td>${r.in_production}</td><td class="rate">${pct(r.rate)}</td></tr>`).join("");
  return `<h3>${esc(w("label", "production_rate"))}</h3>
    <table id="production-rate"><tr><th>${t("district")}</th><th>${col("production_due")}</th><th>${col("production_on_time")}</th><th>${col("in_production")}</th><th>${col("production_rate")}</th></tr>${rows}</table>`;
}

function card(site) {
  const sample = site.cameras.map((c) => c.latest_sample).find((s) => s && s.snapshot_url);
  const status = site.today_status || "no_score";
  return `<a class="card s-${status}" href="#/site/${encodeURIComponent(site.id)}" data-site="${esc(site.id)}" title="${esc(site.name)}">
    ${sample ? `<img alt="" src="${esc(sample.snapshot_url)}">` : `<div class="no-picture">${t("no_snapshot")}</div>`}
    <div class="card-head"><span class="name">${esc(site.name)}</span><span class="score">${site.today_score ?? "-"}</span></div>
    <div class="card-status">${badge("day_status", status)} <span class="upd">${time(site.last_update)}</span></div>
    <div class="card-meta">${esc(site.district)} · ${w("batch", site.current_batch)}</div></a>`;
}

function cameraRow(c) {
  const words = cameraWordsOf(lang, c.status, c.status_cause);
  const detail = c.status_reason ? `<details class="detail"><summary>${esc(words)}</summary><code>${esc(c.status_reason)}</code></details>` : esc(words);
  return `<tr data-camera="${esc(c.id)}"><td>${esc(c.name || c.id)}</td><td>${badge("camera_status", c.status)}</td>
    <td>${time(c.status_since)}${c.status !== "online" && c.status_since ? ` <small>${lasting(c.status_since)}</small>` : ""}</td><td>${detail}</td></tr>`;
}

function snapshotFigure(c) {
  if (c.latest_sample?.snapshot_url) {
    return `<figure><img class="snapshot" alt="${esc(c.name || "")}" src="${esc(c.latest_sample.snapshot_url)}"><figcaption>${esc(c.name || c.id)} · ${time(c.latest_sample.captured_at)}</figcaption></figure>`;
  }
  return `<figure class="no-picture"><div>${t("no_snapshot")}</div><figcaption>${esc(c.name || c.id)} · ${esc(cameraWordsOf(lang, c.status, c.status_cause))}${c.last_sample_at ? ` · ${time(c.last_sample_at)}` : ""}</figcaption></figure>`;
}

function boxLegend() {
  // The snapshot's boxes: what moved or worked since the previous sample in colour, what stood still grey.
  const keys = ["worker_moving", "machinery_moving", "vehicle_moving", "worker"];
  return `<div class="box-legend">${keys.map((k) => `<span><i class="bl-${k}"></i>${esc(w("box", k))}</span>`).join("")}</div>`;
}

async function sitePage(id) {
  const current = ticket();
  const [site, alerts, chart] = await Promise.all([api(`/api/sites/${encodeURIComponent(id)}`), api(`/api/alerts?site=${encodeURIComponent(id)}`),
    api(`/api/sites/${encodeURIComponent(id)}/milestones`)]);
  if (!current()) return;
  const canAck = me && (me.role === "operator" || me.role === "admin");
  const status = site.today?.status || "no_score";
  app.innerHTML = `
    <div class="panel"><h2>${esc(site.name)} ${badge("day_status", status)}
      <span id="site-score">${site.today?.score ?? "-"}</span></h2>
      <div>${t("district")}: ${esc(site.district)} · ${t("batch")}: <span id="batch">${w("batch", chart.batch)}</span> · ${t("unit")}: ${esc(site.responsible_unit || "—")}</div></div>
    <div class="site-top">
      <div class="panel"><h3>${t("snapshot")}</h3><div class="snaps">${site.cameras.map(snapshotFigure).join("")}</div>${boxLegend()}</div>
      <div class="site-side">
        <div class="panel"><h3>${t("alerts")}</h3><table id="alerts"><tr><th>${t("opened")}</th><th>${t("type")}</th><th>${t("message")}</th><th></th></tr>
          ${alerts.length ? alerts.map((a) => `<tr data-alert="${a.id}"><td>${time(a.opened_at)}<br><small>${lasting(a.opened_at)}</small></td><td>${badge("alert_type", a.type, a.severity)}</td><td>${esc(a.text[lang] || a.text.zh)}</td>
            <td>${a.assignment_id ? `<span class="badge b-assigned">${t("assigned")} #${a.assignment_id}</span> ` : ""}${a.state === "open" && canAck ? `<button type="button" class="ack" data-id="${a.id}">${t("ack")}</button>` : a.state === "acknowledged" ? `${t("acked")} (${esc(a.acknowledged_by)})` : ""}${canAck ? ` <button type="button" class="close-alert" data-id="${a.id}" title="${t("close_alert_hint")}">${t("close_alert")}</button>` : ""}</td></tr>`).join("") : `<tr><td colspan="4">${t("none")}</td></tr>`}</table></div>
        <div class="panel"><h3>${t("cameras")}</h3><table id="cameras"><tr><th>${t("cameras")}</th><th>${t("health")}</th><th>${t("since")}</th><th>${t("reason")}</th></tr>
          ${site.cameras.map(cameraRow).join("")}</table></div>
      </div>
    </div>
    <div class="panel" id="history-panel"><h3>${t("history")}</h3>${historyChart(site.scores, Wording.today)}</div>
    <div class="panel"><h3>${t("timeline")}</h3>${timelineChart(site.timeline, site.day_start)}</div>
    ${milestonePanel(chart, canAck, me && me.role === "admin")}`;
  app.querySelectorAll("button.ack").forEach((b) => b.addEventListener("click", async () => {
    await api(`/api/alerts/${b.dataset.id}/ack`, { method: "POST" });
    sitePage(id);
  }));
  app.querySelectorAll("button.close-alert").forEach((b) => b.addEventListener("click", async () => {
    const note = window.prompt(t("close_alert_note"));
    if (note === null) return;  // cancelled
    await api(`/api/alerts/${b.dataset.id}/close`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ note }) });
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

function milestonePanel(chart, canDecide, isAdmin) {
  const rows = chart.milestones.map((m) => `<tr data-m="${m.milestone}"><td>${w("milestone", m.milestone)}</td>
    <td>${isAdmin ? `<input type="date" data-planned="${m.milestone}" value="${esc(m.planned || "")}"> <button type="button" class="save-planned" data-m="${m.milestone}">${t("save")}</button>` : esc(m.planned || "-")}</td>
    <td>${isAdmin && m.milestone !== "start" ? `<input type="date" data-actual="${m.milestone}" value="${esc(m.actual || "")}"> <button type="button" class="save-actual" data-m="${m.milestone}">${t("save")}</button>` : esc(m.actual || "-")}</td><td>${badge("milestone_state", m.state, `m-${m.state}`)}</td></tr>`).join("");
  const proposals = chart.proposals.map((p) => `<div class="proposal" data-proposal="${p.id}"><b>${t("proposal")}: ${esc(p.day)}</b>
    ${badge("proposal_state", p.state)}${p.state === "pending" ? ` <small>${t("proposal_ask")}</small>` : ""}
    ${p.decided_by ? ` ${t("by")}: ${esc(p.decided_by)}` : ""}
    <table class="evidence"><tr><th>${t("day")}</th><th>${t("status")}</th><th>${t("score")}</th><th>${t("snapshot")}</th></tr>
      ${p.evidence.map((e) => `<tr><td>${esc(e.day)}</td><td>${w("day_status", e.status || "no_score")}</td><td>${e.score ?? "-"}</td>
        <td>${e.snapshot_url ? `<img class="thumb" alt="" src="${esc(e.snapshot_url)}">` : "-"}</td></tr>`).join("")}</table>
    ${p.state === "pending" && canDecide ? `<button type="button" class="decide" data-action="confirm" data-id="${p.id}">${t("confirm")}</button>
      <button type="button" class="decide" data-action="reject" data-id="${p.id}">${t("reject")}</button>` : ""}</div>`).join("");
  const periods = chart.periods.map((p) => `${w("batch", p.batch)} ${p.since || "…"} – ${p.until || ""}`).join(" → ");
  const changes = chart.changes.slice(0, 10).map((c) => `<tr><td>${time(c.at)}</td><td>${w("milestone", c.milestone)} ${t("field_" + c.field)}</td>
    <td>${esc(c.old || "-")} → ${esc(c.new || "-")}</td><td>${esc(c.by === "config" ? t("by_config") : c.by)}</td></tr>`).join("");
  return `<div class="panel" id="milestones"><h3>${t("milestones")}</h3>${milestoneChart(chart, Wording.today)}
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
  await Wording.load();
  document.getElementById("user").textContent = me.display_name || me.username;
  document.getElementById("logout").hidden = false;
  translate();
  document.getElementById("nav-assignments").hidden = me.role === "unit";
  document.getElementById("nav-wall").hidden = me.role === "unit";  // the wall refuses a unit: no link to it
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
