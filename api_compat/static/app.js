// The vidsort page: the terminal app's keys and actions over the documented API, plus
// buttons for each, so a phone sorts with taps alone.
import { acceptPlan, fileMany } from "./accept.js";
import { api, fileTargets, filesNotRead, post, retrainFailure } from "./api.js";
import { ConfidenceScale } from "./confidence.js";
import { confirmAcceptAll, dialogOpen, newFolder, pickFolder, showHelp } from "./dialogs.js";
import { closeDuplicates, copiesOf, copyParts, copyText, duplicatesKey, duplicatesOpen, moveCurrentToDuplicates, openDuplicates, otherCopyOf } from "./duplicates.js";
import { closeGroups, groupsKey, groupsOpen, openGroups } from "./groups.js";
import { bindingFor, setKeymap, slotKey, slotOf } from "./keys.js";
import { joined, said } from "./names.js";
import { currentOrder, cycleOrder, orderLabel, setupOrder } from "./order.js";
import { toast } from "./toast.js";

const $ = (id) => document.getElementById(id);
// The accept-all threshold and the keys: the config file's, as the terminal app reads it
// (GET /api/page-settings, loaded before anything is shown).
let scale;
const state = { videos: [], folders: [], selected: 0, retrainRunning: false, refitting: false, copies: new Map(), groups: [] };
// The last prediction seen for each video: a video an undo brings back (awaiting) is shown
// with it at once, while the server predicts it again after a refit (the list said "—").
const known = new Map();
const awaiting = new Set();
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
    // A new kind (no folder fits): "new kind?", dimmed and never green, whatever its confidence.
    const pred = document.createElement("span"); pred.className = v.new_kind ? "pred new-kind" : "pred";
    pred.textContent = v.new_kind ? "new kind?" : v.predicted_folder || "—";
    if (v.remembered) pred.title = "As before it was filed: the model predicts it again in a moment";
    const conf = document.createElement("span"); conf.textContent = v.predicted_folder && !v.new_kind ? scale.text(v.confidence) : "";
    // Green is what accept-all files: it leaves near-duplicates (≈) for you, so they are not.
    conf.className = v.predicted_folder && !v.new_kind && !copies && scale.meets(v.confidence) ? "conf sure" : "conf";
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
  const shown = fileTargets(state.folders).sort((a, b) => KEY_ORDER(a.key) - KEY_ORDER(b.key));
  $("folders").replaceChildren(...shown.map((f) => {
    const b = document.createElement("button");
    b.type = "button";
    b.dataset.folder = f.name;
    if (video && video.predicted_folder === f.name) b.classList.add(video.new_kind ? "guess" : "predicted");
    b.innerHTML = `<span class="key"></span><span class="label"></span><span class="count"></span>`;
    b.querySelector(".key").textContent = slotKey(f.key);  // the key its slot is bound to
    b.querySelector(".label").textContent = f.name;
    b.querySelector(".count").textContent = f.count;
    b.disabled = !video;
    b.addEventListener("click", () => { b.blur(); sortInto(f.name); });
    return b;
  }));
  $("no-folders").hidden = shown.length > 0;
  const sorted = shown.reduce((n, f) => n + f.count, 0);
  $("summary").textContent = `${state.videos.length} unsorted · ${sorted} sorted in ${shown.length} folders`;
  renderGroupsHint();
}

// Look-alike groups that want a folder of their own (no folder fits them, or no model yet to
// suggest one): offered under the folders. A library with no folders yet starts here.
function renderGroupsHint() {
  const wanting = state.groups.filter((g) => g.new_kind || !g.suggested_folder);
  const videos = wanting.reduce((n, g) => n + g.videos.length, 0);
  $("groups-hint").hidden = !wanting.length;
  $("groups-hint-text").textContent = wanting.length === 1
    ? `${videos} videos look alike: make a folder for them?`
    : `${wanting.length} groups of look-alikes (${videos} videos): make their folders?`;
}

function renderPlayer() {
  const video = current();
  const player = $("player");
  for (const id of ["accept", "skip", "pick"]) $(id).disabled = !video;
  $("accept").disabled = !video || (!video.predicted_folder && !video.new_kind);
  $("accept").firstChild.textContent = video?.new_kind ? "New folder… " : "Accept ";
  $("new-folder").hidden = !!video?.new_kind;  // Accept is "New folder…" then: one button, not two
  if (!video) {
    const folders = fileTargets(state.folders);
    const sorted = folders.reduce((n, f) => n + f.count, 0);
    $("now-name").textContent = sorted
      ? `All sorted: ${sorted} videos in ${folders.length} folders`
      : "No videos yet: put videos in the library's folder; they show up here within seconds";
    $("now-prediction").textContent = "";
    $("now-copy").textContent = "";
    $("other-copy").hidden = $("to-duplicates").hidden = true;
    player.hidden = true;
    if (player.getAttribute("src")) { player.removeAttribute("src"); player.load(); }
    return;
  }
  player.hidden = false;
  const playingCopy = state.copyFor === video.filename ? state.copyPlaying : null;  // c: another copy
  $("now-name").textContent = playingCopy ? playingCopy.filename : video.filename;
  $("now-prediction").replaceChildren(...(playingCopy
    ? [`≈ copy ${playingCopy.place}, `, ...(playingCopy.folder ? said`in ${playingCopy.folder}` : ["unsorted"]), " · c: next"]
    : video.new_kind ? ["new kind? no folder fits · Enter: new folder", ...(video.predicted_folder ? said` (guess ${video.predicted_folder} ${scale.text(video.confidence)})` : [])]
    : video.predicted_folder ? said`→ ${video.predicted_folder} (${scale.text(video.confidence)})` : ["no prediction yet"]));
  $("now-prediction").classList.toggle("new-kind", Boolean(video.new_kind) && !playingCopy);
  const copies = state.copies.get(video.filename);
  $("now-copy").replaceChildren(...(copies && !playingCopy ? ["≈ ", ...copyParts(copies)] : []));
  $("other-copy").hidden = $("to-duplicates").hidden = !copies;
  const src = playingCopy ? `/videos/${encodeURIComponent(playingCopy.filename)}` : `/videos/${encodeURIComponent(video.filename)}`;
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

// made: a folder just created here, whose key the sort's own message gives.
function setFolders(folders, made = null) {
  const before = (state.foldersLoaded ? state.folders : folders).filter((f) => f.name !== made);
  const after = folders.filter((f) => f.name !== made);
  state.folders = folders;
  state.foldersLoaded = true;
  // The sentence twice: a node (a name's <bdi>) can be in one place only.
  const changes = () => joined(keyChanges(before, after), "; ");
  if (changes().length) {
    $("keys-note").replaceChildren("Keys: ", ...changes());
    $("keys-note").hidden = false;
    toast(["Folder keys changed: ", ...changes()]);
  }
}

async function refresh(keepName) {
  const order = encodeURIComponent(currentOrder() || "found");
  const [videos, folders, duplicates, groups] = await Promise.all([api(`/api/videos?order=${order}`), api("/api/folders"), api("/api/duplicates"), api("/api/groups")]);
  state.copies = copiesOf(duplicates.groups);
  state.groups = groups.groups;
  const name = keepName ?? current()?.filename;
  state.videos = videos.videos.map(withKnownPrediction);
  setFolders(folders.folders);
  const index = state.videos.findIndex((v) => v.filename === name);
  state.selected = index >= 0 ? index : Math.min(state.selected, Math.max(0, state.videos.length - 1));
  render();
}

// A video back from an undo that the server lists without a prediction yet: shown with the
// last one seen for it (marked as such). A video with a prediction is remembered.
function withKnownPrediction(video) {
  if (video.predicted_folder) { known.set(video.filename, video); awaiting.delete(video.filename); return video; }
  const before = awaiting.has(video.filename) && known.get(video.filename);
  return before ? { ...before, remembered: true } : video;
}

// A new order keeps the video being watched selected (Home goes to the top).
async function orderChanged(order, notSaved) {
  await refresh().catch((error) => toast(`Cannot load videos: ${error.message}`, { error: true }));
  toast(notSaved ? `Order: ${orderLabel(order)} (not remembered: ${notSaved})` : `Order: ${orderLabel(order)}`, { error: Boolean(notSaved) });
}

// ----- sorting ------------------------------------------------------------------------
async function sortInto(folder, where = "") {
  const video = current();
  if (!video) { toast("No video to file: there are no unsorted videos"); return; }
  try {
    const result = await post("/api/sort", { filename: video.filename, folder });
    setFolders(result.folders);
    state.videos.splice(state.selected, 1);
    select(state.selected);
    toast([...said`${video.filename} → ${folder} (`, ...(where ? [where, "; "] : []), "u undoes)"], { undo });
  } catch (error) {
    toast(said`Could not sort ${video.filename}: ${error.message}`, { error: true });
    refresh().catch(() => {});
  }
}

function accept() {
  const video = current();
  if (!video) toast("Nothing to accept: there are no unsorted videos");
  else if (video.new_kind) createFolder(true);  // no folder fits: a guess is not filed by itself
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
    for (const u of result.undone) awaiting.add(u.filename);
    await refresh(back.filename);
    awaitPredictions();
    toast(result.undone.length === 1 ? said`${back.filename} is back from ${back.folder}`
      : `Undid the batch: ${result.undone.length} videos are back in the unsorted list`);
  } catch (error) {
    toast(said`Undo: ${error.message}`, { error: true });
  }
}

// Videos back from an undo may wait for a prediction (a refit ran since they were filed): they
// show the last one seen meanwhile, and the new one as soon as the server has it (checked
// twice a second for 20 s; after that, what the server says, "—" included).
function awaitPredictions(tries = 40) {
  clearTimeout(state.predictionTimer);
  if (!awaiting.size) return;
  if (!tries) { awaiting.clear(); refresh().catch(() => {}); return; }
  state.predictionTimer = setTimeout(() => {
    if (!dialogOpen() && !groupsOpen() && !duplicatesOpen()) refresh().catch(() => {});
    awaitPredictions(tries - 1);
  }, 500);
}

async function pick() {
  const video = current();
  if (!video) { toast("No video to file: there are no unsorted videos"); return; }
  const targets = fileTargets(state.folders).map((f) => f.name);
  if (!targets.length) { toast("No folders yet: press n to create one", { error: true }); return; }
  const folder = await pickFolder(targets, video.predicted_folder, scale.text(video.confidence), video.new_kind);
  if (folder) await sortInto(folder);
}

// n, or Enter on a new kind (newKind: the existing folders are offered too, the best guess
// first): a name and Enter make the folder and file the video in one step.
async function createFolder(newKind = false) {
  const create = async (name) => {
    try { await post("/api/folders", { name }); return null; } catch (error) { return error.message; }
  };
  const video = current();
  const existing = new Set(state.folders.map((f) => f.name));
  const choices = newKind && video
    ? { folders: fileTargets(state.folders).map((f) => f.name), guess: video.predicted_folder, guessText: scale.text(video.confidence) } : null;
  const name = await newFolder(create, Boolean(video), null, choices);
  if (!name) return;
  setFolders((await api("/api/folders")).folders, name);
  const key = state.folders.find((f) => f.name === name)?.key;
  const where = existing.has(name) ? "" : `new folder, ${key ? `key ${key}` : "no key: / picks it"}`;
  if (current()) await sortInto(name, where);
  else { render(); toast([...said`Created folder ${name}`, ...(where ? [` (${where})`] : [])]); }
}

async function acceptAll() {
  const { plan, left } = acceptPlan(state.videos, state.copies, scale);
  if (!plan.length) {
    const predicted = state.videos.filter((v) => v.predicted_folder).map((v) => v.confidence);
    if (!state.videos.length) toast("Nothing to accept: there are no unsorted videos");
    else if (!predicted.length) toast("No predictions yet: press r to retrain the model, or file videos by number", { error: true });
    else if (left) toast(`Nothing to accept at ${scale.thresholdText()}: ${left}`, { error: true });
    else toast(`No prediction reaches ${scale.thresholdText()} (the best is ${scale.text(Math.max(...predicted))}): file them one by one`, { error: true });
    return;
  }
  if (!(await confirmAcceptAll(plan, scale, left))) return;
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
      state.refitting = status.stage === "refit";  // a refit after sorts, not a retrain
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
      // The files a retrain could not read, once per retrain (a refit reads no file).
      const unread = ok && !state.refitting ? await filesNotRead() : null;
      if (unread) toast(["Retrain finished: success. ", ...unread], { error: true });
      else toast(ok ? "Retrain finished: success" : retrainFailure(status.last_result, status.stage_labels), { error: !ok });
    }
  } catch (error) {
    $("retrain-status").textContent = `retrain status unavailable: ${error.message}`;
  }
}

// ----- keys and buttons ---------------------------------------------------------------
// Binding id (core/keymap.py, the terminal app's) -> what it does here; the keys come from
// the config file (keys.js). The terminal app's quit has nothing to do on a page.
const ACTIONS = {
  next: () => select(state.selected + 1), previous: () => select(state.selected - 1),
  first: () => select(0), last: () => select(state.videos.length - 1),
  accept, skip, undo, retrain, pick_folder: pick, new_folder: () => createFolder(), accept_all: acceptAll,
  help: showHelp, order: () => cycleOrder(orderChanged), groups: showGroups, copy: otherCopy, duplicates: toDuplicates,
  pause, mute, seek_back: () => seek(-5), seek_forward: () => seek(5),
};

document.addEventListener("keydown", (event) => {
  if (dialogOpen()) return;
  if (event.target.closest?.("input, textarea")) return;
  const plain = !(event.ctrlKey || event.metaKey || event.altKey);
  const id = bindingFor(event), slot = slotOf(id);
  if (groupsOpen() || duplicatesOpen()) {
    if (plain && (groupsOpen() ? groupsKey(event.key, slot) : duplicatesKey(event.key))) event.preventDefault();
    return;
  }
  if (slot !== null) {
    const folder = state.folders.find((f) => f.key === slot);
    if (folder) sortInto(folder.name); else toast(`No folder ${slotKey(slot)}: the numbers beside the folders are their keys (n makes a new folder)`, { error: true });
  } else if (ACTIONS[id]) ACTIONS[id]();
  else return;
  event.preventDefault();
});

const BUTTONS = { accept, skip, undo, pick, "new-folder": () => createFolder(), "accept-all": acceptAll, help: showHelp, retrain,
                  groups: showGroups, duplicates: showDuplicates, "other-copy": otherCopy, "to-duplicates": toDuplicates,
                  "groups-hint-open": showGroups };
for (const [id, action] of Object.entries(BUTTONS)) {
  $(id).addEventListener("click", (event) => { event.currentTarget.blur(); action(); });
}
for (const name of ["timeupdate", "durationchange", "play", "pause"]) $("player").addEventListener(name, renderClock);

async function loadPageSettings() {
  const settings = await api("/api/page-settings");
  scale = new ConfidenceScale(settings.accept_threshold);
  setKeymap(settings.keys, settings.key_labels);
}

loadPageSettings().then(() => { pollRetrain(); return setupOrder(orderChanged); }).then(() => refresh())
  .catch((error) => toast(`Cannot load videos: ${error.message}`, { error: true }));
// A retrain started elsewhere (the terminal app's first-run training, `r`, --retrain) shows
// here too, and its predictions load when it ends. The list waits while a view covers it.
setInterval(() => {
  if (document.hidden || !scale) return;  // nothing is shown before the page's settings
  if (!state.retrainRunning) pollRetrain();
  if (!dialogOpen() && !groupsOpen() && !duplicatesOpen()) refresh().catch(() => {});
}, 3000);
