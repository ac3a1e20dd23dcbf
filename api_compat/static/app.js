"use strict";
// The vidsort page: the same keys as the terminal app, talking to the documented API.
const $ = (id) => document.getElementById(id);
const SURE = 0.8;  // confidence shown in green, as in the terminal app
const state = { videos: [], folders: [], selected: 0, lastSort: null, retrainRunning: false };

// Every POST sends a JSON body: the server refuses a browser's state change without one,
// so that other web pages (which cannot send JSON without asking first) cannot make them.
async function api(path, options = {}) {
  const response = await fetch(path, { headers: { "Content-Type": "application/json" }, ...options });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.detail || `${response.status} ${response.statusText}`);
  return body;
}

function toast(message, isError = false) {
  const el = $("toast");
  el.textContent = message;
  el.className = isError ? "error" : "";
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.hidden = true; }, isError ? 6000 : 3000);
}

const pct = (c) => `${Math.round((c || 0) * 100)}%`;
const current = () => state.videos[state.selected];

function renderList() {
  const list = $("videos");
  list.replaceChildren(...state.videos.map((v, i) => {
    const li = document.createElement("li");
    li.dataset.filename = v.filename;
    if (i === state.selected) li.className = "selected";
    const name = document.createElement("span"); name.className = "name"; name.textContent = v.filename;
    const pred = document.createElement("span"); pred.className = "pred"; pred.textContent = v.predicted_folder || "—";
    const conf = document.createElement("span"); conf.textContent = v.predicted_folder ? pct(v.confidence) : "";
    conf.className = v.predicted_folder && v.confidence >= SURE ? "conf sure" : "conf";
    li.append(name, pred, conf);
    li.addEventListener("click", () => select(i));
    return li;
  }));
  $("total").textContent = `(${state.videos.length})`;
  const selected = list.querySelector(".selected");
  if (selected) selected.scrollIntoView({ block: "nearest" });
}

function renderFolders() {
  const video = current();
  $("folders").replaceChildren(...state.folders.map((f, i) => {
    const b = document.createElement("button");
    b.type = "button";
    b.dataset.folder = f.name;
    if (video && video.predicted_folder === f.name) b.classList.add("predicted");
    const key = i < 10 ? String((i + 1) % 10) : "";
    b.innerHTML = `<span class="key"></span><span class="label"></span><span class="count"></span>`;
    b.querySelector(".key").textContent = key;
    b.querySelector(".label").textContent = f.name;
    b.querySelector(".count").textContent = f.count;
    b.disabled = !video;
    b.addEventListener("click", () => sortInto(f.name));
    return b;
  }));
  const sorted = state.folders.reduce((n, f) => n + f.count, 0);
  $("summary").textContent = `${state.videos.length} unsorted · ${sorted} sorted in ${state.folders.length} folders`;
}

function renderPlayer() {
  const video = current();
  const player = $("player");
  if (!video) {
    $("now-name").textContent = "Nothing to sort";
    $("now-prediction").textContent = "";
    player.removeAttribute("src");
    player.load();
    return;
  }
  $("now-name").textContent = video.filename;
  $("now-prediction").textContent = video.predicted_folder
    ? `→ ${video.predicted_folder} (${pct(video.confidence)})` : "no prediction yet";
  const src = `/videos/${encodeURIComponent(video.filename)}`;
  if (player.getAttribute("src") !== src) {
    player.setAttribute("src", src);
    player.play().catch(() => {});
  }
}

function render() { renderList(); renderFolders(); renderPlayer(); }

function select(index) {
  if (!state.videos.length) { state.selected = 0; render(); return; }
  state.selected = Math.max(0, Math.min(index, state.videos.length - 1));
  render();
}

async function refresh(keepName) {
  const [videos, folders] = await Promise.all([api("/api/videos"), api("/api/folders")]);
  const name = keepName ?? current()?.filename;
  state.videos = videos.videos;
  state.folders = folders.folders;
  const index = state.videos.findIndex((v) => v.filename === name);
  state.selected = index >= 0 ? index : Math.min(state.selected, Math.max(0, state.videos.length - 1));
  render();
}

async function sortInto(folder) {
  const video = current();
  if (!video) return;
  try {
    const result = await api("/api/sort", { method: "POST", body: JSON.stringify({ filename: video.filename, folder }) });
    state.folders = result.folders;
    state.videos.splice(state.selected, 1);
    state.lastSort = video.filename;
    select(state.selected);
    toast(`${video.filename} → ${folder} (u undoes)`);
  } catch (error) {
    toast(`Could not sort ${video.filename}: ${error.message}`, true);
    refresh().catch(() => {});
  }
}

async function undo() {
  try {
    const result = await api("/api/undo", { method: "POST", body: "{}" });
    const back = result.undone[0];
    await refresh(back.filename);
    toast(`${back.filename} is back from ${back.folder}`);
  } catch (error) {
    toast(`Undo: ${error.message}`, true);
  }
}

async function retrain() {
  try {
    const result = await api("/api/retrain", { method: "POST", body: "{}" });
    toast(result.status === "started" ? "Retrain started" : "A retrain is already running");
    pollRetrain();
  } catch (error) {
    toast(`Retrain: ${error.message}`, true);
  }
}

async function pollRetrain() {
  try {
    const status = await api("/api/retrain/progress");
    const wasRunning = state.retrainRunning;
    state.retrainRunning = status.running;
    $("retrain").disabled = status.running;
    if (status.running) {
      const stage = (status.stage || "").replace(".py", "").replace("_", " ");
      $("retrain-status").textContent = `retraining: ${stage} ${status.done}/${status.total}`;
      setTimeout(pollRetrain, 700);
    } else {
      $("retrain-status").textContent = status.last_result ? `last retrain: ${status.last_result}` : "";
      if (wasRunning) { await refresh(); toast(`Retrain finished: ${status.last_result}`, status.last_result !== "success"); }
    }
  } catch (error) {
    $("retrain-status").textContent = `retrain status unavailable: ${error.message}`;
  }
}

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const key = event.key;
  if (key === "j" || key === "ArrowDown") select(state.selected + 1);
  else if (key === "k" || key === "ArrowUp") select(state.selected - 1);
  else if (key === "Enter") {
    const video = current();
    if (video && video.predicted_folder) sortInto(video.predicted_folder);
    else if (video) toast("No prediction for this video yet: press a folder's number", true);
  } else if (/^[0-9]$/.test(key)) {
    const index = key === "0" ? 9 : Number(key) - 1;
    const folder = state.folders[index];
    if (folder) sortInto(folder.name); else toast(`No folder ${key}`, true);
  } else if (key === "u") undo();
  else if (key === "s") select(state.selected + 1);
  else if (key === "r") retrain();
  else return;
  event.preventDefault();
});

$("retrain").addEventListener("click", retrain);
refresh().catch((error) => toast(`Cannot load videos: ${error.message}`, true));
pollRetrain();
setInterval(() => { if (!document.hidden) refresh().catch(() => {}); }, 3000);
