"use strict";

// Columns of the Job History list; `shown` is the default set (the Operations Guide's
// Name, Status, Duration, Start Time, plus rows).
const COLUMNS = [
  { key: "job_name", label: "Name", shown: true },
  { key: "status", label: "Status", shown: true },
  { key: "duration_sec", label: "Duration", shown: true, num: true },
  { key: "start_time", label: "Start Time", shown: true },
  { key: "end_time", label: "End Time", shown: false },
  { key: "row_count", label: "Rows", shown: true, num: true },
  { key: "trigger_type", label: "Trigger", shown: false },
  { key: "job_version", label: "Job Version", shown: false },
  { key: "job_id", label: "Job ID", shown: false },
  { key: "host_name", label: "Host", shown: false },
  { key: "error_text", label: "Error", shown: true },
];
const ACTIVE = ["RUNNING", "SCHEDULED"];
const SETTINGS_KEY = "tidemark.settings";
const FILTER_KEY = "tidemark.filter";
const GRID_RUNS = 12;

const $ = (sel) => document.querySelector(sel);
const state = {
  rows: [],
  visible: new Set(COLUMNS.filter((c) => c.shown).map((c) => c.key)),
  sort: { key: "start_time", dir: -1 },
  quick: "",
  selected: null,
  view: "history",
  lastActivity: Date.now(),
  suspended: false,
  settings: load(SETTINGS_KEY, { auto: true, frequency: 30, idle: 30 }),
  filter: load(FILTER_KEY, { days: null, kind: "all", last: 10, status: "RUNNING" }),
};

function load(key, fallback) {
  try {
    return Object.assign({}, fallback, JSON.parse(localStorage.getItem(key) || "{}"));
  } catch (_) {
    return fallback;
  }
}

function save(key, value) {
  localStorage.setItem(key, JSON.stringify(value));
}

async function api(path, options = {}) {
  const response = await fetch(path, Object.assign({ credentials: "same-origin" }, options));
  if (response.status === 401) {
    window.location.href = "/login";
    throw new Error("signed out");
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(body.error || `HTTP ${response.status}`);
  }
  return body;
}

function toast(text) {
  const box = $("#toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (box.hidden = true), 4000);
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const child of children) node.append(child);
  return node;
}

function pad(n) {
  return String(n).padStart(2, "0");
}

function formatTime(iso) {
  if (!iso) return "";
  const t = new Date(iso);
  if (isNaN(t)) return iso;
  return `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())} ${pad(t.getHours())}:${pad(t.getMinutes())}:${pad(t.getSeconds())}`;
}

function formatSeconds(s) {
  if (s === null || s === undefined) return "";
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} m ${pad(s % 60)} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${pad(Math.floor((s % 3600) / 60))} m`;
  return `${Math.floor(s / 86400)} d ${pad(Math.floor((s % 86400) / 3600))} h`;
}

function cellText(row, key) {
  const value = row[key];
  if (key === "start_time" || key === "end_time") return formatTime(value);
  if (key === "duration_sec") {
    if (value === null && row.status === "RUNNING" && row.start_time) {
      return formatSeconds(Math.max(0, Math.round((Date.now() - new Date(row.start_time)) / 1000)));
    }
    return formatSeconds(value);
  }
  if (key === "row_count") return value === null || value === undefined ? "" : value.toLocaleString();
  return value === null || value === undefined ? "" : String(value);
}

// ---- Job History -------------------------------------------------------------------

function historyQuery() {
  const f = state.filter;
  const params = new URLSearchParams();
  if (f.days) params.set("days", f.days);
  if (f.kind === "last" && f.last) params.set("last", f.last);
  if (f.kind === "status" && f.status) params.set("status", f.status);
  return params.toString();
}

function describeFilter() {
  const f = state.filter;
  const parts = [];
  if (f.kind === "last") parts.push(`the last ${f.last} jobs`);
  else if (f.kind === "status") parts.push(`jobs with status ${f.status}`);
  else parts.push("all jobs");
  parts.push(f.days ? `from the past ${f.days} day(s)` : "from any day");
  return `Showing ${parts.join(" ")}.`;
}

async function refreshHistory() {
  state.rows = await api(`/api/v1/history?${historyQuery()}`);
  renderHistory();
  $("#filter-summary").textContent = describeFilter();
}

function visibleColumns() {
  return COLUMNS.filter((c) => state.visible.has(c.key));
}

function sortedRows() {
  const { key, dir } = state.sort;
  const column = COLUMNS.find((c) => c.key === key);
  return [...state.rows].sort((a, b) => {
    const x = a[key], y = b[key];
    if (x === y) return 0;
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    if (column && column.num) return (x - y) * dir;
    return String(x).localeCompare(String(y)) * dir;
  });
}

function renderHistory() {
  const columns = visibleColumns();
  const head = $("#history thead tr");
  head.replaceChildren(
    ...columns.map((c) => {
      const th = el("th", { "data-key": c.key, text: c.label });
      if (state.sort.key === c.key) th.append(el("span", { class: "arrow", text: state.sort.dir > 0 ? "▲" : "▼" }));
      th.addEventListener("click", () => {
        state.sort = { key: c.key, dir: state.sort.key === c.key ? -state.sort.dir : 1 };
        renderHistory();
      });
      return th;
    })
  );
  const needle = state.quick.trim().toLowerCase();
  const rows = sortedRows().filter(
    (row) => !needle || columns.some((c) => cellText(row, c.key).toLowerCase().includes(needle))
  );
  const body = $("#history tbody");
  body.replaceChildren(
    ...rows.map((row) => {
      const tr = el("tr", { "data-job-id": row.job_id });
      if (row.job_id === state.selected) tr.classList.add("selected");
      for (const c of columns) {
        const text = cellText(row, c.key);
        const td = el("td", { class: c.num ? "num" : c.key === "error_text" ? "error-text" : "" });
        if (c.key === "status") td.append(el("span", { class: `badge ${row.status}`, text }));
        else td.textContent = text;
        tr.append(td);
      }
      tr.addEventListener("click", () => {
        state.selected = state.selected === row.job_id ? null : row.job_id;
        renderHistory();
      });
      return tr;
    })
  );
  $("#history-empty").hidden = rows.length > 0;
  const selected = state.rows.find((r) => r.job_id === state.selected);
  $("#open-stop").disabled = !(selected && ACTIVE.includes(selected.status));
}

// ---- Cycles grid -------------------------------------------------------------------

async function refreshCycles() {
  const runs = await api("/api/v1/history?last=400");
  const byJob = new Map();
  for (const run of runs) {
    if (!byJob.has(run.job_name)) byJob.set(run.job_name, []);
    const list = byJob.get(run.job_name);
    if (list.length < GRID_RUNS) list.push(run);
  }
  const head = el("tr", {}, el("th", { text: "Job" }));
  for (let i = 0; i < GRID_RUNS; i++) head.append(el("th", { class: "col", text: i === 0 ? "latest" : `-${i}` }));
  $("#cycles thead").replaceChildren(head);
  const jobs = [...byJob.keys()].sort();
  $("#cycles tbody").replaceChildren(
    ...jobs.map((job) => {
      const tr = el("tr", {}, el("th", { text: job }));
      const list = byJob.get(job);
      for (let i = 0; i < GRID_RUNS; i++) {
        const run = list[i];
        const cell = el("span", { class: `cell ${run ? run.status : ""}` });
        if (run) {
          cell.title = `${run.status} · ${formatTime(run.start_time)} · ${formatSeconds(run.duration_sec) || "running"}` +
            (run.row_count !== null ? ` · ${run.row_count} rows` : "") + (run.error_text ? `\n${run.error_text}` : "");
        }
        tr.append(el("td", {}, cell));
      }
      return tr;
    })
  );
  if (!jobs.length) $("#cycles tbody").replaceChildren(el("tr", {}, el("td", { class: "empty", text: "No runs yet." })));
}

// ---- ETL Status --------------------------------------------------------------------

const SOURCE_TYPES = { 1: "T-Server", 2: "Interaction Server", 3: "OCS", 4: "Configuration Server" };

// An area without a mark has no latency to show: aggregation then has nothing pending
// (the API's 0 s), the others have not run yet.
function markText(area) {
  if (area.mark_time) return `mark ${formatTime(area.mark_time)}`;
  if (area.area === "aggregation") return "nothing pending";
  if (area.area === "export") return "nothing exported yet";
  return "no mark yet";
}

async function refreshStatus() {
  const [status, marks] = await Promise.all([api("/api/v1/etl/status"), api("/api/v1/marks")]);
  $("#areas").replaceChildren(
    ...status.areas.map((a) =>
      el("div", { class: `card ${a.status}`, "data-area": a.area },
        el("div", { class: "title" }, el("span", { text: a.label }), el("span", { class: `badge ${a.status}`, text: a.status })),
        el("div", { class: "latency", text: a.latency_sec === null || a.mark_ts === null ? "—" : formatSeconds(a.latency_sec) }),
        el("div", { class: "mark", text: markText(a) }))
    )
  );
  $("#sources tbody").replaceChildren(
    ...status.sources.map((s) => {
      const flags = [s.delayed ? "delayed" : "", s.stuck ? "stuck" : ""].filter(Boolean).join(", ");
      return el("tr", {},
        el("td", { text: s.ds_name || `#${s.data_source_key}` }),
        el("td", { text: SOURCE_TYPES[s.data_source_type] || "" }),
        el("td", { text: s.active ? "yes" : "no" }),
        el("td", { text: formatTime(s.extract_hwm_time) }),
        el("td", { text: formatSeconds(s.latency_sec) }),
        el("td", { text: flags }));
    })
  );
  if (!status.sources.length) $("#sources tbody").replaceChildren(el("tr", {}, el("td", { class: "empty", colspan: 6, text: "No data sources yet." })));
  $("#marks tbody").replaceChildren(
    ...marks.map((m) =>
      el("tr", {},
        el("td", { text: m.hwm_name }),
        el("td", { text: m.ds_name || (m.data_source_key !== null ? `#${m.data_source_key}` : "") }),
        el("td", { text: m.table_name || "" }),
        el("td", { text: m.value_time ? formatTime(m.value_time) : String(m.value) }),
        el("td", { class: "num", text: m.rows_extracted === null ? "" : m.rows_extracted.toLocaleString() }))
    )
  );
  if (!marks.length) $("#marks tbody").replaceChildren(el("tr", {}, el("td", { class: "empty", colspan: 5, text: "No marks yet." })));
}

// ---- Refresh loop ------------------------------------------------------------------

async function refresh() {
  try {
    if (state.view === "history") await refreshHistory();
    else if (state.view === "cycles") await refreshCycles();
    else await refreshStatus();
    renderRefreshState(new Date());
  } catch (e) {
    toast(`Refresh failed: ${e.message}`);
  }
}

function renderRefreshState(at) {
  const s = state.settings;
  let text = at ? `Updated ${formatTime(at.toISOString())}` : $("#refresh-state").textContent;
  if (!s.auto) text = `${text.split(" · ")[0]} · auto-refresh off`;
  else if (state.suspended) text = `${text.split(" · ")[0]} · auto-refresh suspended (idle): click Refresh List`;
  else text = `${text.split(" · ")[0]} · every ${s.frequency} s`;
  $("#refresh-state").textContent = text;
}

function scheduleAutoRefresh() {
  clearInterval(scheduleAutoRefresh.timer);
  if (!state.settings.auto) return renderRefreshState();
  scheduleAutoRefresh.timer = setInterval(() => {
    if (Date.now() - state.lastActivity > state.settings.idle * 60000) {
      state.suspended = true;
      renderRefreshState();
      return;
    }
    if (!state.suspended && !document.querySelector("dialog[open]")) refresh();
  }, state.settings.frequency * 1000);
  renderRefreshState();
}

for (const event of ["mousemove", "keydown", "click", "scroll"]) {
  document.addEventListener(event, () => (state.lastActivity = Date.now()), { passive: true });
}

// ---- Dialogs -----------------------------------------------------------------------

function showError(selector, message) {
  const p = $(selector);
  p.textContent = message;
  p.hidden = !message;
}

async function openRun() {
  showError("#run-error", "");
  const jobs = await api("/api/v1/jobs");
  $("#run-job").replaceChildren(
    ...jobs.map((j) => {
      const option = el("option", { value: j.name, text: j.implemented ? j.name : `${j.name} (not implemented yet)` });
      if (!j.implemented) option.disabled = true;
      return option;
    })
  );
  $("#run-params").value = "";
  $("#run-dialog").showModal();
}

async function submitRun(event) {
  event.preventDefault();
  const job = $("#run-job").value;
  const params = $("#run-params").value.trim().split(/\s+/).filter(Boolean);
  try {
    const started = await api(`/api/v1/jobs/${encodeURIComponent(job)}/run`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ params }),
    });
    $("#run-dialog").close();
    toast(`${started.job_name} ${started.status === "SCHEDULED" ? "scheduled" : "started"} (${started.job_id.slice(0, 8)})`);
    await refresh();
  } catch (e) {
    showError("#run-error", e.message);
  }
}

function openStop() {
  const run = state.rows.find((r) => r.job_id === state.selected);
  if (!run) return;
  showError("#stop-error", "");
  const verb = run.status === "SCHEDULED" ? "Cancel the scheduled run of" : "Stop the running";
  $("#stop-text").textContent = `${verb} ${run.job_name} (${run.job_id})? A running job rolls back its open transaction; its marks stay where they are.`;
  $("#stop-dialog").showModal();
}

async function submitStop(event) {
  event.preventDefault();
  try {
    const answer = await api(`/api/v1/runs/${encodeURIComponent(state.selected)}/stop`, { method: "POST" });
    $("#stop-dialog").close();
    toast(`Run ${answer.job_id.slice(0, 8)} ${answer.outcome}`);
    await refresh();
  } catch (e) {
    showError("#stop-error", e.message);
  }
}

function openFilter() {
  const f = state.filter;
  $("#filter-days").value = f.days || "";
  $("#filter-last").value = f.last;
  $("#filter-status").value = f.status;
  document.querySelector(`input[name=filter-kind][value=${f.kind}]`).checked = true;
  $("#filter-dialog").showModal();
}

function applyFilter(event) {
  event.preventDefault();
  state.filter = {
    days: parseInt($("#filter-days").value, 10) || null,
    kind: document.querySelector("input[name=filter-kind]:checked").value,
    last: parseInt($("#filter-last").value, 10) || 10,
    status: $("#filter-status").value,
  };
  save(FILTER_KEY, state.filter);
  $("#filter-dialog").close();
  refresh();
}

function openColumns() {
  $("#column-choices").replaceChildren(
    ...COLUMNS.map((c) => {
      const box = el("input", { type: "checkbox", "data-key": c.key });
      box.checked = state.visible.has(c.key);
      box.addEventListener("change", () => {
        if (box.checked) state.visible.add(c.key);
        else state.visible.delete(c.key);
        renderHistory();
      });
      return el("label", {}, box, c.label);
    })
  );
  $("#columns-dialog").showModal();
}

function openSettings() {
  const s = state.settings;
  $("#set-auto").checked = s.auto;
  $("#set-frequency").value = s.frequency;
  $("#set-idle").value = s.idle;
  $("#settings-dialog").showModal();
}

function saveSettings(event) {
  event.preventDefault();
  const clamp = (v, d) => Math.min(60, Math.max(1, parseInt(v, 10) || d));
  state.settings = {
    auto: $("#set-auto").checked,
    frequency: clamp($("#set-frequency").value, 30),
    idle: clamp($("#set-idle").value, 30),
  };
  save(SETTINGS_KEY, state.settings);
  state.suspended = false;
  $("#settings-dialog").close();
  scheduleAutoRefresh();
}

function switchView(view) {
  state.view = view;
  for (const tab of document.querySelectorAll(".tab")) tab.classList.toggle("active", tab.dataset.view === view);
  for (const section of document.querySelectorAll(".view")) section.hidden = section.id !== `view-${view}`;
  refresh();
}

// ---- Wiring ------------------------------------------------------------------------

for (const tab of document.querySelectorAll(".tab")) tab.addEventListener("click", () => switchView(tab.dataset.view));
$("#open-run").addEventListener("click", () => openRun().catch((e) => toast(e.message)));
$("#run-ok").addEventListener("click", submitRun);
$("#open-stop").addEventListener("click", openStop);
$("#stop-ok").addEventListener("click", submitStop);
$("#open-filter").addEventListener("click", openFilter);
$("#filter-ok").addEventListener("click", applyFilter);
$("#open-columns").addEventListener("click", openColumns);
$("#open-settings").addEventListener("click", openSettings);
$("#settings-ok").addEventListener("click", saveSettings);
$("#refresh").addEventListener("click", () => {
  state.suspended = false;
  state.lastActivity = Date.now();
  refresh();
});
$("#toggle-quick-filter").addEventListener("click", () => {
  const row = $("#quick-filter-row");
  row.hidden = !row.hidden;
  $("#toggle-quick-filter").textContent = row.hidden ? "Show Quick Filter" : "Hide Quick Filter";
  if (!row.hidden) $("#quick-filter").focus();
});
$("#quick-filter").addEventListener("input", (e) => {
  state.quick = e.target.value;
  renderHistory();
});

refresh();
scheduleAutoRefresh();
