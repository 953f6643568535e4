"use strict";
// The day as a time-lapse on a site page (#/site/ID, and a unit's #/unit-site/ID): the day's snapshots as a short
// MP4 to play or download. Loaded after app.js; adds its own panel whenever a site page is drawn (it never edits
// app.js's markup). The player shows only once it has a picture: a day without one says so, no black box.
const TL_T = {
  zh: { title: "当日延时回放", day: "日期", play: "播放", download: "下载 MP4", none: "该日没有抓拍", making: "正在生成…" },
  en: { title: "The day as a time-lapse", day: "Day", play: "Play", download: "Download MP4", none: "No snapshots that day", making: "Making the video…" },
};
const tlT = (k) => TL_T[typeof lang !== "undefined" && lang === "en" ? "en" : "zh"][k];


function tlSource(siteId, day) {
  // Without a day the server plays its own today (the deployment's time zone, not the browser's).
  const base = `/api/sites/${encodeURIComponent(siteId)}/timelapse`;
  return day ? `${base}?day=${encodeURIComponent(day)}` : base;
}

function tlPanel(siteId) {
  const today = Wording.today;  // the server's day (common.js), not the browser's
  const panel = document.createElement("div");
  panel.className = "panel";
  panel.id = "timelapse";
  panel.innerHTML = `<h3>${tlT("title")}</h3>
    <div class="tl-bar"><label>${tlT("day")} <input type="date" id="tl-day" max="${today}" value="${today}"></label>
    <button type="button" id="tl-play">${tlT("play")}</button> <a id="tl-download" download>${tlT("download")}</a>
    <span id="tl-msg" role="status"></span></div>
    <video id="tl-video" controls muted playsinline preload="none" hidden></video>`;
  const video = panel.querySelector("#tl-video"), input = panel.querySelector("#tl-day");
  const link = panel.querySelector("#tl-download"), msg = panel.querySelector("#tl-msg");
  const choose = () => {
    const src = tlSource(siteId, input.value === today ? "" : input.value);
    video.src = src;
    video.hidden = true;
    link.href = src;
    msg.textContent = "";
  };
  video.addEventListener("loadeddata", () => { video.hidden = false; });
  input.addEventListener("change", choose);
  panel.querySelector("#tl-play").addEventListener("click", () => {
    msg.textContent = tlT("making");
    video.play().then(() => { msg.textContent = ""; }).catch(() => {});
  });
  video.addEventListener("error", async () => {
    video.hidden = true;
    const answer = await fetch(video.src, { credentials: "same-origin" }).catch(() => null);
    const detail = answer && !answer.ok ? (await answer.json().catch(() => ({}))).detail : null;
    msg.textContent = answer && answer.status === 404 ? tlT("none") : String(detail || tlT("none"));
  });
  choose();
  return panel;
}

function tlAttach() {
  const match = location.hash.match(/^#\/(?:unit-)?site\/(.+)$/);
  const main = document.getElementById("app");
  if (!match || !main || document.getElementById("timelapse") || !main.querySelector(".panel")) return;
  const history = document.getElementById("history-panel");
  const panel = tlPanel(decodeURIComponent(match[1]));
  if (history) history.after(panel); else main.append(panel);
}

new MutationObserver(tlAttach).observe(document.getElementById("app"), { childList: true });
