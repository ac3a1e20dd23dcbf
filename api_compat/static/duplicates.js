// Near-duplicates: the list's flag ("≈ same as 7234….mp4 in soccer"), and the duplicates view
// (the Duplicates button): every set of copies, each copy playable, and each unsorted copy
// movable into duplicates/ (POST /api/duplicates/move: never a delete; undo brings it back).
import { api, post } from "./api.js";
import { hasModel } from "./groups.js";
import { said } from "./names.js";
import { toast } from "./toast.js";

const $ = (id) => document.getElementById(id);
const view = { groups: [], hasModel: true, ctx: null };

export const duplicatesOpen = () => !$("duplicates-view").hidden;

// Unsorted video -> its other copies, from GET /api/duplicates.
export function copiesOf(groups) {
  const copies = new Map();
  for (const g of groups) {
    for (const copy of g.videos) {
      if (copy.folder === null) copies.set(copy.filename, g.videos.filter((c) => c !== copy));
    }
  }
  return copies;
}

// "7234….mp4": a long name's start and its extension.
export function shortName(name) {
  const dot = name.lastIndexOf(".");
  return name.length <= 14 || dot <= 0 ? name : `${name.slice(0, 4)}…${name.slice(dot)}`;
}

// "same as 7234….mp4 in soccer" as nodes, the names isolated (names.js); copyText: as text.
export function copyParts(others) {
  if (!others || !others.length) return [];
  const [first] = others;
  const more = others.length > 1 ? ` (+${others.length - 1})` : "";
  const where = first.folder ? said` in ${first.folder}` : [" unsorted"];
  return [...said`same as ${shortName(first.filename)}`, ...where, more];
}

export const copyText = (others) => copyParts(others).map((part) => (typeof part === "string" ? part : part.textContent)).join("");

// Move an unsorted copy into duplicates/; resolves true when it moved.
export async function moveToDuplicates(filename, undo) {
  try {
    await post("/api/duplicates/move", { filename });
    toast(said`${filename} → duplicates/ (u undoes)`, { undo });
    return true;
  } catch (error) {
    toast(said`Could not move ${filename}: ${error.message}`, { error: true });
    return false;
  }
}

// c: the next copy, in turn: the one the flag names first, then the others, then back. An
// unsorted copy is selected; a filed one plays in the page's player, and the title line names
// it. page: { state, current(), select(i), renderPlayer(), undo(), refresh() }.
export function otherCopyOf(page) {
  const { state } = page;
  const video = page.current();
  const others = video && state.copies.get(video.filename);
  if (!others) { toast(video ? "This video has no known copy (copies are marked ≈)" : "No video selected"); return; }
  const same = (a, b) => a.filename === b.filename && a.folder === b.folder;
  const here = { filename: video.filename, folder: null };
  if (!state.copyCycle?.some((c) => same(c, here))) state.copyCycle = [here, ...others];  // a new round
  const cycle = state.copyCycle;
  const shown = state.copyFor === video.filename && state.copyPlaying ? state.copyPlaying : here;
  const at = cycle.findIndex((c) => same(c, shown));
  const next = (at + 1) % cycle.length;
  const target = cycle[next];
  const place = `${next + 1} of ${cycle.length}`;
  state.copyFor = null;
  state.copyPlaying = null;
  // The names are isolated (names.js said``); the copy's place among them stays plain text.
  if (same(target, here)) { page.renderPlayer(); toast([...said`Back to ${video.filename}`, ` (copy ${place})`]); return; }
  const index = target.folder === null ? state.videos.findIndex((v) => v.filename === target.filename) : -1;
  if (index >= 0) { page.select(index); toast([...said`Selected the copy ${target.filename}`, ` (${place}; c: next copy)`]); return; }
  state.copyFor = video.filename;  // renderPlayer plays copyPlaying for this video, named
  state.copyPlaying = { ...target, place };
  page.renderPlayer();
  toast([...said`Playing the copy ${target.filename} in ${target.folder}`, ` (${place}; c: next; `, ...said`Enter and d still act on ${video.filename})`]);
}

// d: the selected video into duplicates/, when it is a known copy.
export async function moveCurrentToDuplicates(page) {
  const video = page.current();
  if (!video) { toast("Nothing to move: there are no unsorted videos"); return; }
  if (!page.state.copies.has(video.filename)) { toast("This video has no known copy: d moves only videos marked ≈", { error: true }); return; }
  if (await moveToDuplicates(video.filename, page.undo)) await page.refresh();
}

// ctx: { refresh(), setMainHidden(bool), undo() } from the page.
export async function openDuplicates(ctx) {
  view.ctx = ctx;
  ctx.setMainHidden(true);
  $("duplicates-view").hidden = false;
  await load();
}

export function closeDuplicates() {
  play(null);
  $("duplicates-view").hidden = true;
  view.ctx.setMainHidden(false);
  view.ctx.refresh().catch(() => {});
}

async function load() {
  try {
    view.groups = (await api("/api/duplicates")).groups;
  } catch (error) {
    toast(`Cannot load the duplicates: ${error.message}`, { error: true });
    view.groups = [];
  }
  if (!view.groups.length) view.hasModel = await hasModel();
  render();
}

function render() {
  $("dup-empty").hidden = view.groups.length > 0;
  $("dup-empty").textContent = view.hasModel
    ? "No near-duplicates: no two videos are the same content."
    : "No near-duplicates known yet: they are found when the model trains (Retrain).";
  $("dup-title").textContent = `Near-duplicates (${view.groups.length})`;
  $("dup-groups").replaceChildren(...view.groups.map((g) => {
    const box = document.createElement("div");
    box.className = "dup-group";
    const head = document.createElement("p");
    head.className = "dim";
    head.textContent = `${g.videos.length} copies · similarity ${g.similarity.toFixed(2)}`;
    const list = document.createElement("ul");
    list.append(...g.videos.map((copy) => {
      const li = document.createElement("li");
      li.dataset.filename = copy.filename;
      const name = document.createElement("span");
      name.className = "name";
      name.append(...said`${copy.filename} · ${copy.folder ?? "unsorted"}`);
      const playButton = button("Play", "dup-play", () => play(copy.filename));
      li.append(name, playButton);
      if (copy.folder === null) {
        li.append(button("Move to duplicates/", "dup-move", async () => {
          if (await moveToDuplicates(copy.filename, undoMove)) await load();
        }));
      }
      return li;
    }));
    box.append(head, list);
    return box;
  }));
}

function button(text, className, action) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = className;
  b.textContent = text;
  b.addEventListener("click", (event) => { event.currentTarget.blur(); action(); });
  return b;
}

function play(name) {
  const player = $("dup-player");
  if (!name) { player.removeAttribute("src"); player.load(); player.hidden = true; return; }
  player.hidden = false;
  player.setAttribute("src", `/videos/${encodeURIComponent(name)}`);
  player.play().catch(() => {});
  $("dup-playing").replaceChildren(...said`Playing ${name}`);
}

async function undoMove() {
  await view.ctx.undo();
  if (duplicatesOpen()) await load();
}

export function duplicatesKey(key) {
  const keys = { Escape: closeDuplicates, u: undoMove };
  if (!keys[key]) return false;
  keys[key]();
  return true;
}

document.addEventListener("DOMContentLoaded", () => {
  $("dups-close").addEventListener("click", (e) => { e.currentTarget.blur(); closeDuplicates(); });
  $("dups-undo").addEventListener("click", (e) => { e.currentTarget.blur(); undoMove(); });
});
