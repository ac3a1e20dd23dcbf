// The look-alike groups view (g, or the Groups button): one group at a time, its members (the
// selected one playing), the suggested folder and how alike they are. A group is filed with
// one POST /api/sort/batch after a confirmation with the count, so one undo brings it back.
// A group no folder fits (new_kind), or one with no suggestion (no model yet, as in a library
// with no folders), is offered a new folder first; the nearest folder is only mentioned.
import { api, fileTargets, post } from "./api.js";
import { confirmGroup, newFolder } from "./dialogs.js";
import { slotKey } from "./keys.js";
import { bdi, said } from "./names.js";
import { toast } from "./toast.js";

const $ = (id) => document.getElementById(id);
const view = { groups: [], index: 0, member: 0, hasModel: true, ctx: null };
const group = () => view.groups[view.index];
const wantsNewFolder = (g) => g.new_kind || !g.suggested_folder;

export const groupsOpen = () => !$("groups-view").hidden;

// ctx: { folders(), refresh(), setMainHidden(bool) } from the page.
export async function openGroups(ctx) {
  view.ctx = ctx;
  ctx.setMainHidden(true);
  $("groups-view").hidden = false;
  await load();
}

export function closeGroups() {
  const player = $("group-player");
  player.removeAttribute("src");
  player.load();
  $("groups-view").hidden = true;
  view.ctx.setMainHidden(false);
  view.ctx.refresh().catch(() => {});
}

async function load(prefer) {
  view.loading = true;
  try {
    view.groups = (await api("/api/groups")).groups;
  } catch (error) {
    toast(said`Cannot load the groups: ${error.message}`, { error: true });
    view.groups = [];
  }
  if (!view.groups.length) view.hasModel = await hasModel();
  const holding = view.groups.findIndex((g) => g.videos.includes(prefer));
  view.index = holding >= 0 ? holding : Math.min(view.index, Math.max(0, view.groups.length - 1));
  view.member = 0;
  view.loading = false;
  render();
}

// Whether a model has been trained (look-alikes are found when it trains).
export const hasModel = () => api("/api/retrain/status").then((s) => s.last_result === "success", () => true);

function render() {
  const g = group();
  $("group-body").hidden = !g;
  $("group-empty").hidden = Boolean(g);
  for (const id of ["group-file", "group-new", "group-leave", "group-next"]) $(id).disabled = !g;
  if (!g) {
    $("group-nearest").hidden = true;
    $("group-title").textContent = "Look-alike groups";
    $("group-empty").textContent = view.hasModel
      ? "Nothing looks alike: no unsorted videos are close enough to file together. Sort them one by one; groups are looked for again at every retrain."
      : "No look-alike groups yet: they are found when the videos are analysed. Go back and press Retrain, then open Groups again.";
    $("group-folders").replaceChildren();
    play(null);
    return;
  }
  const newFirst = wantsNewFolder(g);
  const where = g.new_kind ? ["new kind?"] : g.suggested_folder ? said`→ ${g.suggested_folder}` : ["no suggestion"];
  $("group-title").replaceChildren(`Group ${view.index + 1} of ${view.groups.length} · ${g.videos.length} video${g.videos.length === 1 ? "" : "s"} · similarity ${g.similarity.toFixed(2)} · `, ...where);
  $("group-members").replaceChildren(...g.videos.map((name, i) => {
    const li = document.createElement("li");
    li.append(bdi(name));
    li.dataset.filename = name;
    if (i === view.member) li.className = "selected";
    li.addEventListener("click", () => { view.member = i; render(); });
    return li;
  }));
  const file = $("group-file");  // the first action: into the suggestion, or a new folder
  file.disabled = false;
  const label = newFirst ? [`New folder for these ${g.videos.length}… `] : said`File all ${g.videos.length} → ${g.suggested_folder} `;
  file.replaceChildren(...label, file.querySelector("kbd"));
  $("group-new").hidden = newFirst;  // the first action already
  $("group-nearest").hidden = !(newFirst && g.suggested_folder);
  $("group-nearest").replaceChildren(...(g.suggested_folder ? said`Nearest folder: ${g.suggested_folder} (its button below files them there)` : []));
  $("group-folders").replaceChildren(...fileTargets(view.ctx.folders()).map((f) => {
    const b = document.createElement("button");
    b.type = "button";
    b.dataset.folder = f.name;
    if (f.name === g.suggested_folder) b.classList.add(newFirst ? "nearest" : "predicted");
    b.innerHTML = `<span class="key"></span><span class="label"></span>`;
    b.querySelector(".key").textContent = slotKey(f.key);  // the key its slot is bound to
    b.querySelector(".label").textContent = f.name;
    b.addEventListener("click", () => { b.blur(); fileInto(f.name); });
    return b;
  }));
  play(g.videos[view.member]);
}

function play(name) {
  const player = $("group-player");
  const src = name ? `/videos/${encodeURIComponent(name)}` : null;
  if (player.getAttribute("src") === src) return;
  if (src) { player.setAttribute("src", src); player.play().catch(() => {}); } else { player.removeAttribute("src"); player.load(); }
}

async function fileInto(folder, isNew = false) {
  const g = group();
  if (!g) { toast("No group to file"); return; }
  if (!(await confirmGroup(g.videos.length, folder, isNew))) return;
  try {
    if (isNew) await post("/api/folders", { name: folder });
    const result = await post("/api/sort/batch", { items: g.videos.map((filename) => ({ filename, folder })) });
    const done = result.sorted.length;
    const failed = result.failed.length ? said` · ${result.failed.length} not filed: ${result.failed[0].detail}` : [];
    toast([`Filed ${done} video${done === 1 ? "" : "s"} into `, bdi(folder), " (u undoes the group)", ...failed], { undo: undoGroup, undoLabel: "Undo group", error: failed.length > 0 });
  } catch (error) {
    toast(said`Could not file the group: ${error.message}`, { error: true });
  }
  await load();
}

export function fileSuggested() {
  const g = group();
  if (!g) toast("No group to file");
  else if (wantsNewFolder(g)) fileIntoNew();
  else fileInto(g.suggested_folder);
}

async function fileIntoNew() {
  const g = group();
  if (!g) { toast("No group to file"); return; }
  const taken = new Set(view.ctx.folders().map((f) => f.name));
  // Only checked here: the folder is created once the filing is confirmed.
  const check = async (name) => (taken.has(name) ? `folder '${name}' already exists` : null);
  const name = await newFolder(check, true, `all ${g.videos.length} videos of this group go into it, after a confirmation`);
  if (!name) return;
  // The Enter that named the folder is still being dispatched: it must not also confirm.
  await new Promise((resolve) => setTimeout(resolve));
  await fileInto(name, true);
}

async function undoGroup() {
  try {
    const result = await post("/api/undo", {});
    const n = result.undone.length;
    toast([`Undid: ${n} video${n === 1 ? "" : "s"} back from `, bdi(result.undone[0].folder)]);
    await load(result.undone[0].filename);
  } catch (error) {
    toast(said`Undo: ${error.message}`, { error: true });
  }
}

function nextGroup() {
  if (!view.groups.length) { toast("There are no look-alike groups"); return; }
  view.index = (view.index + 1) % view.groups.length;
  view.member = 0;
  render();
}

// A look-alike that does not belong: out of this group (it stays unsorted), so the rest file
// together; the groups are read again after a filing or an undo.
function leaveOut() {
  const g = group();
  if (!g) { toast("No video to leave out"); return; }
  if (g.videos.length <= 1) { toast("The last video of a group: file it, or go back and sort it on its own"); return; }
  const name = g.videos[view.member];
  view.groups[view.index] = { ...g, videos: g.videos.filter((v) => v !== name) };
  view.member = Math.min(view.member, view.groups[view.index].videos.length - 1);
  toast(["Left ", bdi(name), " out of the group: it stays unsorted"]);
  render();
}

function moveMember(step) {
  const g = group();
  if (!g) return;
  view.member = Math.max(0, Math.min(g.videos.length - 1, view.member + step));
  render();
}

// The view's keys; true when the key was the view's. slot: the folder key slot the key is
// bound to (keys.js), null for any other key.
export function groupsKey(key, slot) {
  if (view.loading && key !== "Escape") return true;  // keys wait until the groups are shown
  if (slot !== null) {
    const folder = view.ctx.folders().find((f) => f.key === slot);  // keys stay put (folder_keys)
    if (folder) fileInto(folder.name); else toast(`No folder ${slotKey(slot)}: the numbers beside the folders are their keys`, { error: true });
    return true;
  }
  const keys = { Enter: fileSuggested, n: fileIntoNew, g: nextGroup, u: undoGroup, s: leaveOut, Escape: closeGroups,
                 j: () => moveMember(1), ArrowDown: () => moveMember(1), k: () => moveMember(-1), ArrowUp: () => moveMember(-1) };
  if (!keys[key]) return false;
  keys[key]();
  return true;
}

const BUTTONS = { "group-file": fileSuggested, "group-new": fileIntoNew, "group-leave": leaveOut, "group-next": nextGroup, "group-undo": undoGroup, "groups-close": closeGroups };
document.addEventListener("DOMContentLoaded", () => {
  for (const [id, action] of Object.entries(BUTTONS)) {
    $(id).addEventListener("click", (event) => { event.currentTarget.blur(); action(); });
  }
});
