"use strict";
// Assignments (交办事项): the operator's screen (#/assignments) and a responsible unit's view (its sites, a page
// per site with its chart and time-lapse, its assignments with the reply form).
// Loaded after app.js (whose start() waits for the network first): uses its T, api(), t(), w(), esc(), time() and `me`.
const ASSIGN_T = {
  zh: { assignments: "交办", assign_title: "交办事项（周交办清单）", unit_view: "本单位项目与交办事项", my_sites: "本单位项目",
        assign: "交办", ask: "交办内容", deadline: "办结期限", a_state: "状态",
        reply: "办理情况", do_reply: "提交回复", resumed: "活动已恢复", close: "销号", close_note: "销号说明",
        evidence: "视频核查", active_days: "交办以来正常施工天数", problem: "问题", assigned_by: "交办人", this_week: "本周交办清单",
        new_assignment: "新交办", submit: "提交", all_units: "全部单位", cameras_online: "摄像机在线", project: "项目",
        repeat: "该项目已有同类未办结交办 #{id}（{state}）。", repeat_anyway: "仍要再次交办", no_work: "交办以来视频未见正常施工，请核实后再销号。",
        close_anyway: "已电话或现场核实，仍要销号", reply_empty: "请填写办理情况", reply_photo: "现场照片（可选，JPG/PNG，5 MB 以内）",
        photo_too_large: "照片超过 5 MB", photo_refused: "只能上传 JPG、PNG 或 WebP 图片", photo: "现场照片",
        back: "返回本单位项目", failed: "提交失败，请稍后重试", ask_empty: "请填写交办内容" },
  en: { assignments: "Assignments", assign_title: "Assignments (weekly list)", unit_view: "Our sites and assignments", my_sites: "Our sites",
        assign: "Assign", ask: "What is asked", deadline: "Deadline", a_state: "State",
        reply: "Reply", do_reply: "Send reply", resumed: "Activity resumed", close: "Close", close_note: "Closing note",
        evidence: "Camera evidence", active_days: "Active days since assigned", problem: "Problem", assigned_by: "Assigned by",
        this_week: "This week's list", new_assignment: "New assignment", submit: "Submit", all_units: "All units",
        cameras_online: "Cameras online", project: "Site",
        repeat: "This site has an open assignment on the same issue: #{id} ({state}).", repeat_anyway: "Assign again anyway",
        no_work: "The cameras show no active day since the assignment: check before closing.",
        close_anyway: "Checked by phone or on site: close anyway", reply_empty: "Write what was done", reply_photo: "Photo (optional, JPG/PNG, up to 5 MB)",
        photo_too_large: "The photo is larger than 5 MB", photo_refused: "Only JPG, PNG or WebP images", photo: "Photo",
        back: "Back to our sites", failed: "Could not send; try again", ask_empty: "Write what is asked" },
};
const PHOTO_MAX = 5 * 1024 * 1024;
let assignState = "active";
let assignUnit = "";
let assignWeek = false; // only this week's list (周交办清单): given this week or still open in it
const drafts = {}; // the unit's reply drafts by assignment: kept across redraws

function assignT() {
  for (const l of ["zh", "en"]) for (const [k, v] of Object.entries(ASSIGN_T[l])) if (!(k in T[l])) T[l][k] = v;
}

const problemWords = (p) => (Wording.words?.zh.problem[p] ? w("problem", p) : w("alert_type", p));

function assignmentRow(a, actions) {
  return `<tr data-assignment="${a.id}" class="a-${a.state}"><td>${a.id}</td><td>${esc(a.site_name)}</td><td>${esc(a.unit)}</td>
    <td>${esc(problemWords(a.problem))}</td><td class="ask">${esc(a.ask)}</td><td>${esc(a.assigned_by)}</td><td>${esc(a.deadline)}</td>
    <td>${badge("assignment_state", a.state, `a-${a.state}`)}</td>
    <td class="reply">${esc(a.reply)}${a.photo_url ? ` <a href="${esc(a.photo_url)}" target="_blank" rel="noopener"><img class="thumb" alt="${t("photo")}" src="${esc(a.photo_url)}"></a>` : ""}</td>
    <td>${a.resumed_on ? `✔ ${esc(a.resumed_on)}` : ""}</td><td>${actions(a)}</td></tr>`;
}

const ASSIGN_HEAD = () => `<tr><th>#</th><th>${t("project")}</th><th>${t("unit")}</th><th>${t("problem")}</th><th>${t("ask")}</th>
  <th>${t("assigned_by")}</th><th>${t("deadline")}</th><th>${t("a_state")}</th><th>${t("reply")}</th><th>${t("resumed")}</th><th></th></tr>`;

let openEvidence = null;  // the evidence panel the user opened, and the note typed: kept when a live update redraws

async function evidencePanel(id, canClose) {
  openEvidence = { id: String(id), canClose, note: openEvidence && openEvidence.id === String(id) ? openEvidence.note : "" };
  const e = await api(`/api/assignments/${id}/evidence`);
  const box = document.getElementById("evidence");
  const warn = e.active_days === 0;
  box.innerHTML = `<h3>${t("evidence")} #${id}</h3><p id="active-days">${t("active_days")}: <b>${e.active_days}</b></p>
    <table class="evidence"><tr><th>${t("day")}</th><th>${t("status")}</th><th>${t("score")}</th></tr>
      ${e.days.map((d) => `<tr><td>${esc(d.day)}</td><td>${w("day_status", d.status)}</td><td>${d.score ?? "-"}</td></tr>`).join("")}</table>
    <div class="snaps">${e.snapshots.map((s) => `<figure><img class="snapshot" alt="" src="${esc(s.url)}"><figcaption>${esc(s.camera_name)} · ${time(s.slot_at)}</figcaption></figure>`).join("")}</div>
    ${canClose ? `${warn ? `<p class="warning" id="no-work" role="alert">${t("no_work")}</p><label><input type="checkbox" id="close-anyway"> ${t("close_anyway")}</label><br>` : ""}
      <label>${t("close_note")} <input id="close-note"></label> <button type="button" id="do-close"${warn ? " disabled" : ""}>${t("close")}</button>
      <p class="error" id="close-error" role="alert"></p>` : ""}`;
  box.hidden = false;
  const note = document.getElementById("close-note");
  if (note) { note.value = openEvidence.note; note.addEventListener("input", () => { openEvidence.note = note.value; }); }
  document.getElementById("close-anyway")?.addEventListener("change", (ev) => { document.getElementById("do-close").disabled = !ev.target.checked; });
  document.getElementById("do-close")?.addEventListener("click", async () => {
    const response = await fetch(`/api/assignments/${id}/close`, { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ note: document.getElementById("close-note").value, despite_no_activity: Boolean(document.getElementById("close-anyway")?.checked) }) });
    if (!response.ok) { document.getElementById("close-error").textContent = response.status === 409 ? t("no_work") : t("failed"); return; }
    openEvidence = null;
    assignmentsPage();
  });
}

function alertRow(a) {
  const given = a.assignment_id
    ? `<span class="badge b-assigned">${w("alert_state", "assigned")} #${a.assignment_id}</span>`
    : `<button type="button" class="assign-alert" data-id="${a.id}" data-site="${esc(a.site_name)}">${t("assign")}</button>`;
  return `<tr data-alert="${a.id}" class="${a.assignment_id ? "assigned" : ""}"><td>${time(a.opened_at)}<br><small>${lastingOf(lang, a.opened_at)}</small></td>
    <td>${esc(a.site_name)}</td><td>${badge("alert_type", a.type, a.severity)}</td><td>${esc(a.text[lang] || a.text.zh)}</td>
    <td>${a.assignment_id ? "" : badge("alert_state", a.state)}</td><td>${given}</td></tr>`;
}

async function assignmentsPage() {
  assignT();
  const current = ticket();
  const unitQuery = (assignUnit ? `&unit=${encodeURIComponent(assignUnit)}` : "") + (assignWeek ? `&week=${Wording.today}` : "");
  const [rows, units, alerts, sites] = await Promise.all([api(`/api/assignments?state=${assignState}${unitQuery}`), api("/api/units"),
    api("/api/alerts"), api("/api/unit/sites")]);
  if (!current()) return;
  const canAct = me && (me.role === "operator" || me.role === "admin");
  const states = ["active", "open", "replied", "overdue", "closed"];
  app.innerHTML = `<div class="panel"><h2>${t("assign_title")}</h2>
      <div class="filters"><label>${t("a_state")} <select id="a-state">${states.map((s) => option(s, w("assignment_state", s), assignState)).join("")}</select></label>
      <label><input type="checkbox" id="a-week"${assignWeek ? " checked" : ""}> ${t("this_week")}</label>
      <label>${t("unit")} <select id="a-unit">${option("", t("all_units"), assignUnit)}${units.map((u) => option(u, u, assignUnit)).join("")}</select></label></div>
      <table id="assignments">${ASSIGN_HEAD()}${rows.map((a) => assignmentRow(a, () => `<button type="button" class="show-evidence" data-id="${a.id}">${t("evidence")}</button>`)).join("")}</table></div>
    <div class="panel" id="evidence" hidden></div>
    ${downloadsPanel()}
    ${canAct ? `<div class="panel"><h3>${t("open_alerts")}</h3><table id="assign-alerts"><tr><th>${t("opened")}</th><th>${t("project")}</th><th>${t("type")}</th><th>${t("message")}</th><th>${t("a_state")}</th><th></th></tr>
      ${alerts.map(alertRow).join("")}</table>
      <button type="button" id="assign-site">${t("new_assignment")}</button>
      <form id="new-assignment" hidden><h4>${t("new_assignment")} <span id="from-alert"></span></h4>
        <p id="site-fields"><label>${t("project")} <select name="site">${sites.filter((x) => x.responsible_unit).map((x) => option(x.site_id, `${x.name} · ${x.responsible_unit}`, "")).join("")}</select></label>
        <label>${t("problem")} <select name="problem">${["idle", "outage", "start_overdue", "other"].map((x) => option(x, w("problem", x), "idle")).join("")}</select></label></p>
        <label>${t("ask")} <textarea name="ask" maxlength="2000" rows="3"></textarea></label>
        <label>${t("deadline")} <input type="date" name="deadline" min="${Wording.today}"></label> <button type="submit">${t("submit")}</button>
        <p class="error" id="assign-error" role="alert"></p><button type="button" id="assign-again" hidden>${t("repeat_anyway")}</button></form></div>` : ""}`;
  wireDownloads();
  document.getElementById("a-state").addEventListener("change", (e) => { assignState = e.target.value; assignmentsPage(); });
  document.getElementById("a-unit").addEventListener("change", (e) => { assignUnit = e.target.value; assignmentsPage(); });
  document.getElementById("a-week").addEventListener("change", (e) => { assignWeek = e.target.checked; assignmentsPage(); });
  app.querySelectorAll("button.show-evidence").forEach((b) => b.addEventListener("click", () => {
    const row = rows.find((a) => String(a.id) === b.dataset.id);
    evidencePanel(b.dataset.id, canAct && row && row.state !== "closed");
  }));
  const reopened = openEvidence && rows.find((a) => String(a.id) === openEvidence.id);
  if (reopened) evidencePanel(openEvidence.id, canAct && reopened.state !== "closed");
  const form = document.getElementById("new-assignment");
  if (!form) return;
  const again = document.getElementById("assign-again");
  app.querySelectorAll("button.assign-alert").forEach((b) => b.addEventListener("click", () => {
    form.hidden = false;
    form.dataset.alert = b.dataset.id;
    document.getElementById("from-alert").textContent = b.dataset.site;
    document.getElementById("site-fields").hidden = true;
  }));
  document.getElementById("assign-site").addEventListener("click", () => {
    form.hidden = false;
    delete form.dataset.alert;
    document.getElementById("from-alert").textContent = "";
    document.getElementById("site-fields").hidden = false;
  });
  const send = async (repeat) => {
    const data = new FormData(form);
    if (!String(data.get("ask") || "").trim()) { document.getElementById("assign-error").textContent = t("ask_empty"); return; }
    const response = await fetch("/api/assignments", { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ...(form.dataset.alert ? { alert_id: Number(form.dataset.alert) } : { site_id: data.get("site"), problem: data.get("problem") }),
        ask: data.get("ask"), deadline: data.get("deadline") || null, again: repeat }) });
    if (response.status === 409) {  // a second assignment on the same issue: asked first
      const detail = (await response.json()).detail;
      document.getElementById("assign-error").textContent = t("repeat").replace("{id}", detail.assignment_id).replace("{state}", w("assignment_state", detail.state));
      again.hidden = false;
      return;
    }
    if (!response.ok) { document.getElementById("assign-error").textContent = t("failed"); return; }
    assignmentsPage();
  };
  form.addEventListener("submit", (event) => { event.preventDefault(); send(false); });
  again.addEventListener("click", () => send(true));
}

function replyForm(a) {
  // A labelled, multi-line reply that keeps its draft, refuses empty text, and may carry a photo.
  return `<form class="reply-form" data-id="${a.id}"><label for="reply-${a.id}">${t("reply")}</label>
    <textarea id="reply-${a.id}" class="reply-note" data-id="${a.id}" rows="3" maxlength="2000">${esc(drafts[a.id] || "")}</textarea>
    <label class="photo">${t("reply_photo")} <input type="file" class="reply-photo" accept="image/jpeg,image/png,image/webp"></label>
    <button type="submit" class="do-reply" data-id="${a.id}">${t("do_reply")}</button><p class="error" role="alert"></p></form>`;
}

async function sendReply(form) {
  const id = form.dataset.id, error = form.querySelector(".error");
  const note = form.querySelector("textarea").value.trim();
  const photo = form.querySelector("input[type=file]").files[0];
  if (!note) { error.textContent = t("reply_empty"); return; }
  if (photo && photo.size > PHOTO_MAX) { error.textContent = t("photo_too_large"); return; }
  if (photo) {
    const sent = await fetch(`/api/assignments/${id}/photo`, { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": photo.type || "application/octet-stream" }, body: photo });
    if (!sent.ok) { error.textContent = sent.status === 415 ? t("photo_refused") : sent.status === 413 ? t("photo_too_large") : t("failed"); return; }
  }
  const replied = await fetch(`/api/assignments/${id}/reply`, { method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json" }, body: JSON.stringify({ note }) });
  if (!replied.ok) { error.textContent = t("failed"); return; }
  delete drafts[id];
  unitPage();
}

async function unitPage() {
  assignT();
  const site = location.hash.match(/^#\/unit-site\/(.+)$/);
  if (site) return unitSitePage(decodeURIComponent(site[1]));
  const current = ticket();
  const [sites, rows] = await Promise.all([api("/api/unit/sites"), api("/api/assignments?state=active")]);
  if (!current()) return;
  app.innerHTML = `<div class="panel"><h2>${t("unit_view")}</h2><h3>${t("my_sites")}</h3>
      <table id="unit-sites"><tr><th>${t("project")}</th><th>${t("district")}</th><th>${t("status")}</th><th>${t("score")}</th><th>${t("cameras_online")}</th><th>${t("snapshot")}</th></tr>
      ${sites.map((s) => `<tr data-site="${esc(s.site_id)}"><td><a href="#/unit-site/${encodeURIComponent(s.site_id)}">${esc(s.name)}</a></td><td>${esc(s.district)}</td><td>${badge("day_status", s.today_status || "no_score")}</td>
        <td>${s.today_score ?? "-"}</td><td>${s.cameras_online} / ${s.cameras}</td>
        <td>${s.latest_snapshot_url ? `<img class="thumb" alt="" src="${esc(s.latest_snapshot_url)}">` : "-"}</td></tr>`).join("")}</table></div>
    <div class="panel"><h3>${t("assignments")}</h3><table id="assignments">${ASSIGN_HEAD()}${rows.map((a) => assignmentRow(a, (x) =>
      `<button type="button" class="show-evidence" data-id="${x.id}">${t("evidence")}</button>${x.state === "open" || x.state === "overdue" ? replyForm(x) : ""}`)).join("")}</table></div>
    <div class="panel" id="evidence" hidden></div>`;
  app.querySelectorAll("button.show-evidence").forEach((b) => b.addEventListener("click", () => evidencePanel(b.dataset.id, false)));
  app.querySelectorAll("textarea.reply-note").forEach((box) => box.addEventListener("input", () => { drafts[box.dataset.id] = box.value; }));
  app.querySelectorAll("form.reply-form").forEach((form) => form.addEventListener("submit", (event) => { event.preventDefault(); sendReply(form); }));
}

async function unitSitePage(id) {
  // The unit's own site: today's state, its last 30 days and the day as a time-lapse (timelapse.js adds it).
  const current = ticket();
  const [sites, scores] = await Promise.all([api("/api/unit/sites"), api(`/api/unit/sites/${encodeURIComponent(id)}/scores?days=30`)]);
  if (!current()) return;
  const s = sites.find((x) => x.site_id === id);
  if (!s) { location.hash = "#/"; return; }
  app.innerHTML = `<div class="panel"><p><a href="#/">${t("back")}</a></p><h2>${esc(s.name)} ${badge("day_status", s.today_status || "no_score")}
      <span id="site-score">${s.today_score ?? "-"}</span></h2><div>${t("district")}: ${esc(s.district)} · ${t("cameras_online")}: ${s.cameras_online} / ${s.cameras}</div></div>
    <div class="panel"><h3>${t("snapshot")}</h3><div class="snaps">${s.latest_snapshot_url ? `<figure><img class="snapshot" alt="" src="${esc(s.latest_snapshot_url)}"></figure>` : `<figure class="no-picture"><div>${t("no_snapshot")}</div></figure>`}</div></div>
    <div class="panel" id="history-panel"><h3>${t("history")}</h3>${historyChart(scores, Wording.today)}</div>`;
}

assignT();
translate();
