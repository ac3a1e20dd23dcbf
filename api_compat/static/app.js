// The vidsort page: the terminal app's keys and actions over the documented API, plus
// buttons for each, so a phone sorts with taps alone.
import { api, post, retrainFailure } from "./api.js";
import { ConfidenceScale } from "./confidence.js";
import { confirmAcceptAll, dialogOpen, newFolder, pickFolder, showHelp } from "./dialogs.js";
import { closeDuplicates, copiesOf, copyParts, copyText, duplicatesKey, duplicatesOpen, moveCurrentToDuplicates, openDuplicates, otherCopyOf } from "./duplicates.js";
import { closeGroups, groupsKey, groupsOpen, openGroups } from "./groups.js";
import { joined, said } from "./names.js";
import { currentOrder, cycleOrder, orderLabel, setupOrder } from "./order.js";
import { toast } from "./toast.js";

const $ = (id) => document.getElementById(id);
// The accept-all threshold: the terminal app's default. The API does not tell the page the
// config file's accept_all.threshold; with an endpoint for it, set the scale from there.
const scale = new ConfidenceScale(0.8);
const state = { videos: [], folders: [], selected: 0, retrainRunning: false, copies: new Map() };
const current = () => state.videos[state.selected];
const clock = (s) => (Number.isFinite(s) ? `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, "0")}` : "-:--");

// ----- rendering ----------------------------------------------------------------------
let shownSelection = null; // the video renderList last brought into view

function renderList() {
  const list = $("videos");
  list.replaceChildren(...state.videos.map((v, i) => {
    const li = document.createElement("li");
    li.dataset.filename = v.filename;
    if (i === state.selected) li.className = "selected";
    const name = document.createElement("span"); name.className = "name"; name.textContent = v.filename;
    const copies = state.copies.get(v.filename);
    if (copies) { const mark = document.createElement("span"); mark.className = "copy"; mark.textContent = "≈ "; mark.title = copyText(copies); name.prepend(mark); }
    const pred = document.createElement("span"); pred.className = "pred"; pred.textContent = v.predicted_folder || "—";
    const conf = document.createElement("span"); conf.textContent = v.predicted_folder ? scale.text(v.confidence) : "";
    conf.className = v.predicted_folder && scale.meets(v.confidence) ? "conf sure" : "conf";
    li.append(name, pred, conf);
    li.addEventListener("click", () => select(i));
    return li;
  }));
  $("total").textContent = `(${state.videos.length})`;
  // A new selection is brought into view inside the list only: the page itself never moves
  // (on a phone the list is below the video, and the 2-second refresh must not scroll the page
  // away from the buttons), and a list scrolled by hand stays where it was put.
  const selected = list.querySelector(".selected");
  const name = state.videos[state.selected]?.filename ?? null;
  if (selected && name !== shownSelection) keepInList(list, selected);
  shownSelection = name;
}

function keepInList(list, row) {
  const box = list.getBoundingClientRect(), at = row.getBoundingClientRect();
  if (at.top < box.top) list.scrollTop -= box.top - at.top;
  else if (at.bottom > box.bottom) list.scrollTop += at.bottom - box.bottom;
}

// Folders in key order (1…9, 0), then those without a key by name: the server keeps each
// folder's key (GET /api/folders: key), the same as the terminal app's.
const KEY_ORDER = (key) => (key === null || key === undefined ? 99 : key === "0" ? 10 : Number(key));

function renderFolders() {
  const video = current();
  const shown = [...state.folders].sort((a, b) => KEY_ORDER(a.key) - KEY_ORDER(b.key));
  $("folders").replaceChildren(...shown.map((f) => {
    const b = document.createElement("button");
    b.type = "button";
    b.dataset.folder = f.name;
    if (video && video.predicted_folder === f.name) b.classList.add("predicted");
    b.innerHTML = `<span class="key"></span><span class="label"></span><span class="count"></span>`;
    b.querySelector(".key").textContent = f.key ?? "";
    b.querySelector(".label").textContent = f.name;
    b.querySelector(".count").textContent = f.count;
    b.disabled = !video;
    b.addEventListener("click", () => { b.blur(); sortInto(f.name); });
    return b;
  }));
  const sorted = state.folders.reduce((n, f) => n + f.count, 0);
  $("summary").textContent = `${state.videos.length} unsorted · ${sorted} sorted in ${state.folders.length} folders`;
}

function renderPlayer() {
  const video = current();
  const player = $("player");
  for (const id of ["accept", "skip", "pick"]) $(id).disabled = !video;
  $("accept").disabled = !video || !video.predicted_folder;
  if (!video) {
    const sorted = state.folders.reduce((n, f) => n + f.count, 0);
    $("now-name").textContent = sorted
      ? `All sorted: ${sorted} videos in ${state.folders.length} folders`
      : "No videos yet: put videos in the library's folder; they show up here within seconds";
    $("now-prediction").textContent = "";
    $("now-copy").textContent = "";
    $("other-copy").hidden = $("to-duplicates").hidden = true;
    player.hidden = true;
    if (player.getAttribute("src")) { player.removeAttribute("src"); player.load(); }
    return;
  }
  player.hidden = false;
  $("now-name").textContent = video.filename;
  $("now-prediction").replaceChildren(...(video.predicted_folder
    ? said`→ ${video.predicted_folder} (${scale.text(video.confidence)})` : ["no prediction yet"]));
  const copies = state.copies.get(video.filename);
  $("now-copy").replaceChildren(...(copies ? ["≈ ", ...copyParts(copies)] : []));
  $("other-copy").hidden = $("to-duplicates").hidden = !copies;
  const src = state.copyFor === video.filename ? state.copySrc : `/videos/${encodeURIComponent(video.filename)}`;
  if (player.getAttribute("src") !== src) {
    player.setAttribute("src", src);
    player.play().catch(() => {});
  }
}

function renderClock() {
  const player = $("player");
  $("now-clock").textContent = current() && player.getAttribute("src")
    ? `${player.paused ? "paused" : "▶"} ${clock(player.currentTime)} / ${clock(player.duration)}` : "";
}

function render() { renderList(); renderFolders(); renderPlayer(); renderClock(); }

function select(index) {
  state.selected = state.videos.length ? Math.max(0, Math.min(index, state.videos.length - 1)) : 0;
  render();
}

// Any change of folder numbering while the page is open is announced, as in the terminal.
function keyChanges(before, after) {
  const changes = [];
  const old = new Map(before.filter((f) => f.key != null).map((f) => [f.name, f.key]));
  const owner = new Map([...old].map(([name, key]) => [key, name]));
  const now = new Map(after.filter((f) => f.key != null).map((f) => [f.name, f.key]));
  for (const [name, key] of old) if (!now.has(name)) changes.push(said`${name} is gone: key ${key} is free`);
  for (const [name, key] of now) {
    const was = old.get(name);
    if (was === key) continue;
    if (was !== undefined) changes.push(said`${name} moved from key ${was} to ${key}`);
    else if (owner.has(key) && owner.get(key) !== name) changes.push(said`key ${key} now files into ${name} (was ${owner.get(key)})`);
    else changes.push(said`${name} is on key ${key}`);
  }
  return changes;
}

function setFolders(folders) {
  const before = state.foldersLoaded ? state.folders : folders;
  state.folders = folders;
  state.foldersLoaded = true;
  // The sentence twice: a node (a name's <bdi>) can be in one place only.
  const changes = () => joined(keyChanges(before, folders), "; ");
  if (changes().length) {
    $("keys-note").replaceChildren("Keys: ", ...changes());
    $("keys-note").hidden = false;
    toast(["Folder keys changed: ", ...changes()]);
  }
}

async function refresh(keepName) {
  const order = encodeURIComponent(currentOrder() || "found");
  const [videos, folders, duplicates] = await Promise.all([api(`/api/videos?order=${order}`), api("/api/folders"), api("/api/duplicates")]);
  state.copies = copiesOf(duplicates.groups);
  const name = keepName ?? current()?.filename;
  state.videos = videos.videos;
  setFolders(folders.folders);
  const index = state.videos.findIndex((v) => v.filename === name);
  state.selected = index >= 0 ? index : Math.min(state.selected, Math.max(0, state.videos.length - 1));
  render();
}

// A new order starts at its top: what comes first is the point of choosing it.
async function orderChanged(order, notSaved) {
  state.selected = 0;
  await refresh("").catch((error) => toast(`Cannot load videos: ${error.message}`, { error: true }));  // "": keep no video
  toast(notSaved ? `Order: ${orderLabel(order)} (not remembered: ${notSaved})` : `Order: ${orderLabel(order)}`, { error: Boolean(notSaved) });
}

// ----- sorting ------------------------------------------------------------------------
async function sortInto(folder) {
  const video = current();
  if (!video) { toast("No video to file: there are no unsorted videos"); return; }
  try {
    const result = await post("/api/sort", { filename: video.filename, folder });
    setFolders(result.folders);
    state.videos.splice(state.selected, 1);
    select(state.selected);
    toast(said`${video.filename} → ${folder} (u undoes)`, { undo });
  } catch (error) {
    toast(said`Could not sort ${video.filename}: ${error.message}`, { error: true });
    refresh().catch(() => {});
  }
}

function accept() {
  const video = current();
  if (!video) toast("Nothing to accept: there are no unsorted videos");
  else if (!video.predicted_folder) toast("No prediction for this video yet: press its folder's number (or r to retrain)", { error: true });
  else sortInto(video.predicted_folder);
}

function skip() {
  const video = current();
  if (!video) { toast("Nothing to skip: there are no unsorted videos"); return; }
  if (state.selected >= state.videos.length - 1) { toast(said`Skipped ${video.filename}: that was the last one (k goes back)`); return; }
  select(state.selected + 1);
  toast(said`Skipped ${video.filename} (left unsorted)`);
}

async function undo() {
  try {
    const result = await post("/api/undo", {});
    const back = result.undone[result.undone.length - 1]; // the oldest of the step
    await refresh(back.filename);
    toast(result.undone.length === 1 ? said`${back.filename} is back from ${back.folder}`
      : `Undid the batch: ${result.undone.length} videos are back in the unsorted list`);
  } catch (error) {
    toast(said`Undo: ${error.message}`, { error: true });
  }
}

async function pick() {
  const video = current();
  if (!video) { toast("No video to file: there are no unsorted videos"); return; }
  if (!state.folders.length) { toast("No folders yet: press n to create one", { error: true }); return; }
  const folder = await pickFolder(state.folders.map((f) => f.name), video.predicted_folder, scale.text(video.confidence));
  if (folder) await sortInto(folder);
}

async function createFolder() {
  const create = async (name) => {
    try { await post("/api/folders", { name }); return null; } catch (error) { return error.message; }
  };
  const name = await newFolder(create, Boolean(current()));
  if (!name) return;
  setFolders((await api("/api/folders")).folders);
  if (current()) await sortInto(name);
  else { render(); toast(said`Created folder ${name}`); }
}

// The files of a batch, as one undo step: POST /api/sort/batch in parts of bounded size,
// each part continuing the batch the first one began, so one undo brings them all back.
const BATCH_PART = 100;
async function fileMany(plan, progress) {
  let done = 0;
  let batch = null;
  const errors = [];
  for (let start = 0; start < plan.length; start += BATCH_PART) {
    const part = plan.slice(start, start + BATCH_PART);
    try {
      const items = part.map(([filename, folder]) => ({ filename, folder }));
      const result = await post("/api/sort/batch", batch ? { items, batch } : { items });
      batch = result.batch;
      done += result.sorted.length;
      errors.push(...result.failed.map((f) => said`${f.filename}: ${f.detail}`));
    } catch (error) {
      errors.push(...part.map(([filename]) => said`${filename}: ${error.message}`));
    }
    progress(done + errors.length);
  }
  return { done, errors };
}

async function acceptAll() {
  const plan = state.videos.filter((v) => v.predicted_folder && scale.meets(v.confidence)).map((v) => [v.filename, v.predicted_folder]);
  if (!plan.length) {
    const predicted = state.videos.filter((v) => v.predicted_folder).map((v) => v.confidence);
    if (!state.videos.length) toast("Nothing to accept: there are no unsorted videos");
    else if (!predicted.length) toast("No predictions yet: press r to retrain the model, or file videos by number", { error: true });
    else toast(`No prediction reaches ${scale.thresholdText()} (the best is ${scale.text(Math.max(...predicted))}): file them one by one`, { error: true });
    return;
  }
  if (!(await confirmAcceptAll(plan, scale))) return;
  const { done, errors } = await fileMany(plan, (n) => toast(`Filing ${n}/${plan.length}…`));
  await refresh().catch(() => {});
  const undoes = done === 1 ? "u undoes it" : `u undoes all ${done}`;
  if (errors.length) toast([`Filed ${done} · ${undoes}; ${errors.length} not filed: `, ...errors[0]], { error: true, undo: done ? undo : null, undoLabel: "Undo all" });
  else toast(`Filed ${done} video${done === 1 ? "" : "s"} · ${undoes}`, { undo, undoLabel: "Undo all" });
}

// ----- look-alike groups and near-duplicates (groups.js, duplicates.js) -----------------
function setMainHidden(hidden) {
  $("list-pane").parentElement.hidden = hidden;
  if (hidden) $("player").pause(); else $("player").play().catch(() => {});
}
const views = { folders: () => state.folders, refresh: () => refresh(), setMainHidden, undo };
function showGroups() { if (duplicatesOpen()) closeDuplicates(); openGroups(views); }
function showDuplicates() { if (groupsOpen()) closeGroups(); openDuplicates(views); }

// c and d on the list (duplicates.js): the page's state they read and change.
const listPage = {
  state, current, select, renderPlayer, undo, refresh: () => refresh().catch(() => {}),
};
const otherCopy = () => otherCopyOf(listPage);
const toDuplicates = () => moveCurrentToDuplicates(listPage);

// ----- playback -----------------------------------------------------------------------
function playing() {
  const player = $("player");
  if (!current() || !player.getAttribute("src")) { toast("Nothing is playing"); return null; }
  return player;
}

function pause() {
  const player = playing();
  if (!player) return;
  if (player.paused) player.play().catch(() => {}); else player.pause();
  toast(player.paused ? "Paused" : "Playing");
}

function seek(seconds) {
  const player = playing();
  if (!player) return;
  const end = Number.isFinite(player.duration) ? player.duration : Infinity;
  player.currentTime = Math.max(0, Math.min(end, player.currentTime + seconds));
  toast(`${seconds > 0 ? "Forward" : "Back"} ${Math.abs(seconds)} s → ${clock(player.currentTime)} / ${clock(player.duration)}`);
}

function mute() {
  const player = playing();
  if (!player) return;
  player.muted = !player.muted;
  // Chromium counts decoded audio bytes: none after a moment of playback means no track.
  const silent = player.currentTime > 0.5 && player.webkitAudioDecodedByteCount === 0;
  toast(`${player.muted ? "Muted" : "Sound on"}${silent ? " · this video has no audio track" : ""}`);
}

// ----- retrain ------------------------------------------------------------------------
async function retrain() {
  try {
    const result = await post("/api/retrain", {});
    toast(result.status === "started" ? "Retrain started" : "A retrain is already running");
    pollRetrain();
  } catch (error) {
    toast(`Retrain: ${error.message}`, { error: true });
  }
}

async function pollRetrain() {
  try {
    const status = await api("/api/retrain/progress");
    const wasRunning = state.retrainRunning;
    state.retrainRunning = status.running;
    $("retrain").disabled = status.running;
    if (status.running) {
      clearTimeout(state.retrainTimer);
      // Counts only where there are some (extracting n/N); training and predicting say so.
      const counts = status.stage === "extract_features.py" && status.total > 0 ? ` ${status.done}/${status.total}` : "…";
      $("retrain-status").textContent = `retraining: ${status.stage_label || "starting"}${counts}`;
      state.retrainTimer = setTimeout(pollRetrain, 700);
      return;
    }
    const ok = status.last_result === "success";
    $("retrain-status").textContent = status.last_result ? (ok ? "last retrain: success" : "last retrain failed") : "";
    if (wasRunning) {
      await refresh();
      toast(ok ? "Retrain finished: success" : retrainFailure(status.last_result, status.stage_labels), { error: !ok });
    }
  } catch (error) {
    $("retrain-status").textContent = `retrain status unavailable: ${error.message}`;
  }
}

// ----- keys and buttons ---------------------------------------------------------------
const KEYS = {
  j: () => select(state.selected + 1), ArrowDown: () => select(state.selected + 1),
  k: () => select(state.selected - 1), ArrowUp: () => select(state.selected - 1),
  Enter: accept, s: skip, u: undo, r: retrain, "/": pick, n: createFolder, A: acceptAll,
  "?": showHelp, o: () => cycleOrder(orderChanged), g: showGroups, c: otherCopy, d: toDuplicates, " ": pause, m: mute, ArrowLeft: () => seek(-5), ArrowRight: () => seek(5),
};

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || dialogOpen()) return;
  if (event.target.closest?.("input, textarea")) return;
  const key = event.key;
  if (groupsOpen() || duplicatesOpen()) {
    if (groupsOpen() ? groupsKey(key) : duplicatesKey(key)) event.preventDefault();
    return;
  }
  if (/^[0-9]$/.test(key)) {
    const folder = state.folders.find((f) => f.key === key);
    if (folder) sortInto(folder.name); else toast(`No folder ${key}: the numbers beside the folders are their keys (n makes a new folder)`, { error: true });
  } else if (KEYS[key]) KEYS[key]();
  else return;
  event.preventDefault();
});

const BUTTONS = { accept, skip, undo, pick, "new-folder": createFolder, "accept-all": acceptAll, help: showHelp, retrain,
                  groups: showGroups, duplicates: showDuplicates, "other-copy": otherCopy, "to-duplicates": toDuplicates };
for (const [id, action] of Object.entries(BUTTONS)) {
  $(id).addEventListener("click", (event) => { event.currentTarget.blur(); action(); });
}
for (const name of ["timeupdate", "durationchange", "play", "pause"]) $("player").addEventListener(name, renderClock);

setupOrder(orderChanged).then(() => refresh()).catch((error) => toast(`Cannot load videos: ${error.message}`, { error: true }));
pollRetrain();
// A retrain started elsewhere (the terminal app's first-run training, `r`, --retrain) shows
// here too, and its predictions load when it ends. The list waits while a view covers it.
setInterval(() => {
  if (document.hidden) return;
  if (!state.retrainRunning) pollRetrain();
  if (!dialogOpen() && !groupsOpen() && !duplicatesOpen()) refresh().catch(() => {});
}, 3000);
