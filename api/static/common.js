"use strict";
// What the dashboard and the wall share: the catalogue of wordings from the server (GET /api/wording: every
// status, cause, alert type, role, state and column, Chinese and English), and times told by the server's day
// in the deployment's time zone: a time carries its date unless it is today; durations read "已持续 3 天".
const Wording = {
  words: null, today: null, zone: "Asia/Shanghai", serverNow: 0, loadedAt: 0,
  async load() {
    const response = await fetch("/api/wording", { credentials: "same-origin" });
    if (!response.ok) throw new Error(`wording: ${response.status}`);
    const body = await response.json();
    this.words = { zh: body.zh, en: body.en };
    this.today = body.today;
    this.zone = body.timezone;
    this.serverNow = Date.parse(body.now);
    this.loadedAt = Date.now();
  },
  now() { return this.serverNow + (Date.now() - this.loadedAt); },  // the server's clock, moved on since
};

function wordOf(lang, group, key) {
  if (key == null || key === "") return "";
  const words = Wording.words;
  if (!words) return String(key);
  return (words[lang] && words[lang][group] && words[lang][group][key]) ?? words.zh[group]?.[key] ?? String(key);
}

function phraseOf(lang, key, values) {
  return wordOf(lang, "phrase", key).replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ""));
}

function localParts(instant) {
  // YYYY-MM-DD and HH:MM of an instant in the deployment's zone (sv-SE writes ISO-like dates).
  const parts = new Intl.DateTimeFormat("sv-SE", { timeZone: Wording.zone, year: "numeric", month: "2-digit",
    day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false }).format(instant);
  const [day, clock] = parts.split(" ");
  return { day, clock };
}

function whenOf(iso) {
  // "09:36" today, "12-03 08:00" this year, "2025-12-03 08:00" before.
  if (!iso) return "-";
  const { day, clock } = localParts(new Date(iso));
  if (day === Wording.today) return clock;
  return day.slice(0, 4) === (Wording.today || "").slice(0, 4) ? `${day.slice(5)} ${clock}` : `${day} ${clock}`;
}

function dayOf(isoDay) {
  // A date as "12-03" (this year) or "2025-12-03"; today as 今日.
  if (!isoDay) return "-";
  if (isoDay === Wording.today) return null;
  return isoDay.slice(0, 4) === (Wording.today || "").slice(0, 4) ? isoDay.slice(5) : isoDay;
}

function lastingOf(lang, iso) {
  // How long since ``iso``: 已持续 3 天 / 5 小时 / 20 分钟.
  if (!iso) return "";
  const minutes = Math.max(0, Math.floor((Wording.now() - Date.parse(iso)) / 60000));
  if (minutes >= 24 * 60) return phraseOf(lang, "lasting_days", { n: Math.floor(minutes / 1440) });
  if (minutes >= 60) return phraseOf(lang, "lasting_hours", { n: Math.floor(minutes / 60) });
  return phraseOf(lang, "lasting_minutes", { n: minutes });
}

function runOf(lang, run) {
  // One status's own run on the red list: 停工 7天（自 11-20）, or 视频中断 今日.
  const status = wordOf(lang, "day_status", run.status);
  const since = dayOf(run.since);
  if (since === null) return `${status} ${wordOf(lang, "phrase", "today")}`;
  return phraseOf(lang, "run_since", { status, days: phraseOf(lang, "days", { n: run.days }), since });
}

function cameraWordsOf(lang, status, cause) {
  // What a dispatcher reads for a camera: its cause's words, else its status's.
  if (cause && Wording.words && Wording.words.zh.cause[cause]) return wordOf(lang, "cause", cause);
  return wordOf(lang, "camera_status", status || "unknown");
}
