"use strict";
// Assignments (交办事项): the operator's screen (#/assignments) and a responsible unit's view (#/unit).
// Loaded after app.js (whose start() waits for the network first): uses its T, api(), t(), esc(), time() and `me`.
const ASSIGN_T = {
  zh: { assignments: "交办", assign_title: "交办事项（周交办清单）", unit_view: "本单位项目与交办事项", my_sites: "本单位项目",
        assign: "交办", ask: "交办内容", deadline: "办结期限", a_state: "状态", a_open: "待办", a_replied: "已回复", a_closed: "已销号",
        a_overdue: "已逾期", a_active: "未办结", reply: "办理情况", do_reply: "回复", resumed: "活动已恢复", close: "销号", close_note: "销号说明",
        evidence: "视频核查", active_days: "交办以来正常施工天数", problem: "问题", assigned_by: "交办人", weekly_xlsx: "下载本周清单（Excel）", this_week: "本周交办清单",
        review_docx: "下载本月讲评（Word）", review_docx_quarter: "下载本季总结（Word）", open_alerts: "未处理预警", new_assignment: "新交办", submit: "提交", all_units: "全部单位",
        cameras_online: "摄像机在线", project: "项目", site_idle: "停工预警", camera_offline: "摄像机离线", started_idle: "开工后停工",
        start_overdue: "未按期开工", outage: "视频中断", other: "其他", assignment_overdue: "交办逾期" },
  en: { assignments: "Assignments", assign_title: "Assignments (weekly list)", unit_view: "Our sites and assignments", my_sites: "Our sites",
        assign: "Assign", ask: "What is asked", deadline: "Deadline", a_state: "State", a_open: "open", a_replied: "replied", a_closed: "closed",
        a_overdue: "overdue", a_active: "not closed", reply: "Reply", do_reply: "Reply", resumed: "Activity resumed", close: "Close", close_note: "Closing note",
        evidence: "Camera evidence", active_days: "Active days since assigned", problem: "Problem", assigned_by: "Assigned by",
        weekly_xlsx: "This week's list (Excel)", this_week: "This week's list", review_docx: "This month's review pack (Word)", review_docx_quarter: "This quarter's summary (Word)", open_alerts: "Open alerts",
        new_assignment: "New assignment", submit: "Submit", all_units: "All units", cameras_online: "Cameras online", project: "Site",
        site_idle: "site idle", camera_offline: "camera offline", started_idle: "idle after start", start_overdue: "start overdue",
        outage: "camera outage", other: "other", assignment_overdue: "assignment overdue" },
};
let assignState = "active";
let assignUnit = "";
let assignWeek = false; // only this week's list (周交办清单): given this week or still open in it

function localDay() {
  return new Date().toLocaleDateString("sv-SE"); // YYYY-MM-DD, the dispatch center's own day
}

function assignT() {
  for (const l of ["zh", "en"]) for (const [k, v] of Object.entries(ASSIGN_T[l])) if (!(k in T[l])) T[l][k] = v;
}

function assignmentRow(a, actions) {
  return `<tr data-assignment="${a.id}" class="a-${a.state}"><td>${a.id}</td><td>${esc(a.site_name || a.site_id)}</td><td>${esc(a.unit)}</td>
    <td>${esc(t(a.problem))}</td><td>${esc(a.ask)}</td><td>${esc(a.deadline)}</td>
    <td><span class="badge b-a-${a.state}">${t("a_" + a.state)}</span></td><td class="reply">${esc(a.reply)}</td>
    <td>${a.resumed_on ? `✔ ${esc(a.resumed_on)}` : ""}</td><td>${actions(a)}</td></tr>`;
}

const ASSIGN_HEAD = () => `<tr><th>#</th><th>${t("project")}</th><th>${t("unit")}</th><th>${t("problem")}</th><th>${t("ask")}</th>
  <th>${t("deadline")}</th><th>${t("a_state")}</th><th>${t("reply")}</th><th>${t("resumed")}</th><th></th></tr>`;

async function evidencePanel(id, canClose) {
  const e = await api(`/api/assignments/${id}/evidence`);
  const box = document.getElementById("evidence");
  box.innerHTML = `<h3>${t("evidence")} #${id}</h3><p id="active-days">${t("active_days")}: <b>${e.active_days}</b></p>
    <table class="evidence"><tr><th>${t("day")}</th><th>${t("status")}</th><th>${t("score")}</th></tr>
      ${e.days.map((d) => `<tr><td>${esc(d.day)}</td><td>${t(d.status)}</td><td>${d.score ?? "-"}</td></tr>`).join("")}</table>
    <div class="snaps">${e.snapshots.map((s) => `<figure><img class="snapshot" alt="${esc(s.camera_id)}" src="${esc(s.url)}"><figcaption>${esc(s.camera_id)} · ${time(s.slot_at)}</figcaption></figure>`).join("")}</div>
    ${canClose ? `<label>${t("close_note")} <input id="close-note"></label> <button type="button" id="do-close">${t("close")}</button>` : ""}`;
  box.hidden = false;
  document.getElementById("do-close")?.addEventListener("click", async () => {
    await api(`/api/assignments/${id}/close`, { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ note: document.getElementById("close-note").value }) });
    assignmentsPage();
  });
}

async function assignmentsPage() {
  assignT();
  const unitQuery = (assignUnit ? `&unit=${encodeURIComponent(assignUnit)}` : "") + (assignWeek ? `&week=${localDay()}` : "");
  const [rows, units, alerts, sites] = await Promise.all([api(`/api/assignments?state=${assignState}${unitQuery}`), api("/api/units"),
    api("/api/alerts"), api("/api/unit/sites")]);
  const canAct = me && (me.role === "operator" || me.role === "admin");
  const states = ["active", "open", "replied", "overdue", "closed"];
  app.innerHTML = `<div class="panel"><h2>${t("assign_title")}</h2>
      <div class="filters"><label>${t("a_state")} <select id="a-state">${states.map((s) => option(s, t("a_" + s), assignState)).join("")}</select></label>
      <label><input type="checkbox" id="a-week"${assignWeek ? " checked" : ""}> ${t("this_week")}</label>
      <label>${t("unit")} <select id="a-unit">${option("", t("all_units"), assignUnit)}${units.map((u) => option(u, u, assignUnit)).join("")}</select></label>
      <a id="weekly-xlsx" href="/api/assignments/weekly.xlsx${assignUnit ? `?unit=${encodeURIComponent(assignUnit)}` : ""}">${t("weekly_xlsx")}</a>
      <a id="review-docx" href="/api/review.docx?period=month">${t("review_docx")}</a>
      <a id="review-docx-quarter" href="/api/review.docx?period=quarter">${t("review_docx_quarter")}</a></div>
      <table id="assignments">${ASSIGN_HEAD()}${rows.map((a) => assignmentRow(a, () => `<button type="button" class="show-evidence" data-id="${a.id}">${t("evidence")}</button>`)).join("")}</table></div>
    <div class="panel" id="evidence" hidden></div>
    ${canAct ? `<div class="panel"><h3>${t("open_alerts")}</h3><table id="assign-alerts"><tr><th>${t("opened")}</th><th>${t("project")}</th><th>${t("type")}</th><th>${t("message")}</th><th></th></tr>
      ${alerts.map((a) => `<tr data-alert="${a.id}"><td>${time(a.opened_at)}</td><td>${esc(a.site_id)}</td><td>${esc(t(a.type))}</td><td>${esc(a.message)}</td>
        <td><button type="button" class="assign-alert" data-id="${a.id}">${t("assign")}</button></td></tr>`).join("")}</table>
      <button type="button" id="assign-site">${t("new_assignment")}</button>
      <form id="new-assignment" hidden><h4>${t("new_assignment")} <span id="from-alert"></span></h4>
        <p id="site-fields"><label>${t("project")} <select name="site">${sites.filter((x) => x.responsible_unit).map((x) => option(x.site_id, `${x.name} · ${x.responsible_unit}`, "")).join("")}</select></label>
        <label>${t("problem")} <select name="problem">${["idle", "outage", "start_overdue", "other"].map((x) => option(x, t(x), "idle")).join("")}</select></label></p>
        <label>${t("ask")} <textarea name="ask" required maxlength="2000"></textarea></label>
        <label>${t("deadline")} <input type="date" name="deadline"></label> <button type="submit">${t("submit")}</button>
        <p class="error" id="assign-error" role="alert"></p></form></div>` : ""}`;
  document.getElementById("a-state").addEventListener("change", (e) => { assignState = e.target.value; assignmentsPage(); });
  document.getElementById("a-unit").addEventListener("change", (e) => { assignUnit = e.target.value; assignmentsPage(); });
  document.getElementById("a-week").addEventListener("change", (e) => { assignWeek = e.target.checked; assignmentsPage(); });
  app.querySelectorAll("button.show-evidence").forEach((b) => b.addEventListener("click", () => {
    const row = rows.find((a) => String(a.id) === b.dataset.id);
    evidencePanel(b.dataset.id, canAct && row && row.state !== "closed");
  }));
  const form = document.getElementById("new-assignment");
  app.querySelectorAll("button.assign-alert").forEach((b) => b.addEventListener("click", () => {
    form.hidden = false;
    form.dataset.alert = b.dataset.id;
    document.getElementById("from-alert").textContent = `#${b.dataset.id}`;
    document.getElementById("site-fields").hidden = true;
  }));
  document.getElementById("assign-site")?.addEventListener("click", () => {
    form.hidden = false;
    delete form.dataset.alert;
    document.getElementById("from-alert").textContent = "";
    document.getElementById("site-fields").hidden = false;
  });
  form?.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const response = await fetch("/api/assignments", { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ...(form.dataset.alert ? { alert_id: Number(form.dataset.alert) } : { site_id: data.get("site"), problem: data.get("problem") }),
        ask: data.get("ask"), deadline: data.get("deadline") || null }) });
    if (!response.ok) { document.getElementById("assign-error").textContent = (await response.json()).detail; return; }
    assignmentsPage();
  });
}

async function unitPage() {
  assignT();
  const [sites, rows] = await Promise.all([api("/api/unit/sites"), api("/api/assignments?state=active")]);
  app.innerHTML = `<div class="panel"><h2>${t("unit_view")}</h2><h3>${t("my_sites")}</h3>
      <table id="unit-sites"><tr><th>${t("project")}</th><th>${t("district")}</th><th>${t("status")}</th><th>${t("score")}</th><th>${t("cameras_online")}</th><th>${t("snapshot")}</th></tr>
      ${sites.map((s) => `<tr data-site="${esc(s.site_id)}"><td>${esc(s.name)}</td><td>${esc(s.district)}</td><td>${t(s.today_status || "no_score")}</td>
        <td>${s.today_score ?? "-"}</td><td>${s.cameras_online} / ${s.cameras}</td>
        <td>${s.latest_snapshot_url ? `<img class="thumb" alt="" src="${esc(s.latest_snapshot_url)}">` : "-"}</td></tr>`).join("")}</table></div>
    <div class="panel"><h3>${t("assignments")}</h3><table id="assignments">${ASSIGN_HEAD()}${rows.map((a) => assignmentRow(a, (x) =>
      `<button type="button" class="show-evidence" data-id="${x.id}">${t("evidence")}</button>${x.state === "open" || x.state === "overdue"
        ? ` <input class="reply-note" data-id="${x.id}" maxlength="2000"> <button type="button" class="do-reply" data-id="${x.id}">${t("do_reply")}</button>` : ""}`)).join("")}</table></div>
    <div class="panel" id="evidence" hidden></div>`;
  app.querySelectorAll("button.show-evidence").forEach((b) => b.addEventListener("click", () => evidencePanel(b.dataset.id, false)));
  app.querySelectorAll("button.do-reply").forEach((b) => b.addEventListener("click", async () => {
    const note = app.querySelector(`input.reply-note[data-id="${b.dataset.id}"]`).value;
    if (!note) return;
    await api(`/api/assignments/${b.dataset.id}/reply`, { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ note }) });
    unitPage();
  }));
}

assignT();
translate();
