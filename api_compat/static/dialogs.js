// The page's modal dialogs (one native <dialog>): accept-all confirmation, folder picker,
// new folder, help. Each returns a promise of the user's answer (null: cancelled).
import { bindingFor, keyLabel } from "./keys.js";
import { bdi, joined, said } from "./names.js";

const $ = (id) => document.getElementById(id);

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

function show(build) {
  const dialog = $("dialog");
  return new Promise((resolve) => {
    const close = (value) => {
      if (dialog.open) dialog.close();
      // Chrome moves focus out of a closed dialog only at its next frame: until then the
      // page's keys would land in the hidden input (a busy machine showed it).
      if (dialog.contains(document.activeElement)) document.activeElement.blur();
      resolve(value);
    };
    dialog.oncancel = (event) => { event.preventDefault(); close(null); };  // Esc
    dialog.onkeydown = null;
    dialog.replaceChildren();
    build(dialog, close);
    dialog.showModal();
  });
}

export const dialogOpen = () => $("dialog").open;

// Keys typed in a dialog are the dialog's: the page's own keys must not see them, not even
// the key that has just closed it ("n" for No must not then open "New folder").
document.addEventListener("DOMContentLoaded", () => {
  $("dialog").addEventListener("keydown", (event) => { if ($("dialog").open) event.stopPropagation(); });
});

// Yes/No: y or Enter says yes, n or Esc no; the answer is true, false (or null for Esc).
function confirm(title, ...lines) {
  return show((dialog, close) => {
    const yes = el("button", { type: "button", className: "primary", id: "confirm-yes" }, "Yes, file them ", el("kbd", {}, "y"));
    const no = el("button", { type: "button", id: "confirm-no" }, "No ", el("kbd", {}, "n"));
    yes.onclick = () => close(true);
    no.onclick = () => close(false);
    dialog.append(el("h2", {}, title), ...lines, el("div", { className: "buttons" }, yes, no));
    dialog.onkeydown = (event) => {
      if (event.key === "y" || event.key === "Enter") { event.preventDefault(); close(true); }
      else if (event.key === "n") { event.preventDefault(); close(false); }
    };
    setTimeout(() => yes.focus());
  });
}

// left: what accept-all leaves for a person, in words ("" when nothing is left).
export function confirmAcceptAll(plan, scale, left = "") {
  const byFolder = new Map();
  for (const [, folder] of plan) byFolder.set(folder, (byFolder.get(folder) || 0) + 1);
  const detail = joined([...byFolder].sort((a, b) => b[1] - a[1]).map(([f, n]) => said`${n} → ${f}`), ", ");
  const count = `${plan.length} video${plan.length === 1 ? "" : "s"}`;
  return confirm(
    "Accept all?",
    el("p", { id: "confirm-text" }, `File ${count} predicted with confidence ≥ ${scale.thresholdText()}?`),
    el("p", { className: "detail" }, ...detail),
    ...(left ? [el("p", { id: "confirm-left", className: "left" }, `${left[0].toUpperCase()}${left.slice(1)}`)] : []),
    el("p", { className: "dim" }, "One undo brings them all back."),
  );
}

// Filing a whole look-alike group: says how many videos, and where.
export function confirmGroup(count, folder, isNew = false) {
  const where = isNew ? ["the new folder ", bdi(folder)] : [bdi(folder)];
  return confirm(
    "File this group?",
    el("p", { id: "confirm-text" }, `File all ${count} video${count === 1 ? "" : "s"} of this group into `, ...where, "?"),
    el("p", { className: "dim" }, "One undo brings the whole group back."),
  );
}

// Lower is better; null when the query's letters are not in the name in order (as the TUI).
// The name typed exactly first (with "pour" and "Pour" on disk, "pour" picks pour), then
// names starting with it, shortest first.
export function fuzzyScore(query, name) {
  if (name === query) return -2000;
  const q = query.toLowerCase(), n = name.toLowerCase();
  if (!q) return 0;
  if (n.startsWith(q)) return -1000 + name.length;
  let position = -1, gaps = 0;
  for (const char of q) {
    const found = n.indexOf(char, position + 1);
    if (found < 0) return null;
    gaps += found - position - 1;
    position = found;
  }
  return gaps;
}

export function rank(query, names) {
  return names.map((n, i) => [fuzzyScore(query, n), i, n]).filter(([s]) => s !== null)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, , n]) => n);
}

// guessOnly: no folder fits the video (a new kind): the prediction is marked as a guess.
export function pickFolder(folders, predicted, predictedText, guessOnly = false) {
  return show((dialog, close) => {
    const input = el("input", { type: "text", placeholder: "type to filter", id: "picker-input", autocomplete: "off" });
    const list = el("ul", { id: "picker-options", role: "listbox" });
    let shown = [], highlighted = 0;
    const render = () => {
      list.replaceChildren(...shown.map((name, i) => {
        const item = el("li", { role: "option", className: i === highlighted ? "highlighted" : "" }, bdi(name));
        item.dataset.folder = name;
        item.setAttribute("aria-selected", String(i === highlighted));
        if (name === predicted) item.append(el("span", { className: guessOnly ? "guess" : "predicted" }, `← ${guessOnly ? "best guess" : "predicted"} ${predictedText}`));
        item.onclick = () => close(name);
        return item;
      }));
    };
    const filter = () => {
      shown = rank(input.value, folders);
      const start = input.value ? -1 : shown.indexOf(predicted);
      highlighted = start >= 0 ? start : 0;  // unfiltered: start on the prediction
      render();
    };
    input.oninput = filter;
    input.onkeydown = (event) => {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (shown.length) highlighted = (highlighted + (event.key === "ArrowDown" ? 1 : -1) + shown.length) % shown.length;
        render();
      } else if (event.key === "Enter") {
        event.preventDefault();
        if (shown.length) close(shown[highlighted]);
      }
    };
    dialog.append(
      el("h2", {}, "File into which folder?"), input, list,
      el("p", { className: "dim" }, "type to filter · ↑/↓ choose · Enter files · Esc cancels (or tap a folder)"),
    );
    filter();
    setTimeout(() => input.focus());
  });
}

// The terminal app's rule, word for word (vidsort_tui/tui/new_folder.py RULE).
export const FOLDER_RULE = "One name that shows what it is: no / or \\, no control or direction characters, not starting with a dot, at most 255 bytes, not like an existing folder.";

// Which part of the rule a refused name breaks, in words (the server decides).
function reason(name) {
  if (/[/\\]/.test(name)) return "a folder name cannot contain / or \\ (folders are one level, inside the library)";
  if (name.startsWith(".")) return "names starting with a dot are hidden folders, which vidsort ignores";
  if (/[\x00-\x1f\x7f]/.test(name)) return "it contains a control character";
  if (new TextEncoder().encode(name).length > 255) return "it is longer than 255 bytes";
  return "";
}

// A new folder's name; resolves the folder to file into (created by create(name)) or null.
// choices, for a video no folder fits (a "new kind?"): { folders, guess, guessText }: the
// existing folders are offered too, the best guess first; ↓/↑ choose one (or tap it), and
// Enter files into it instead of making a folder.
export function newFolder(create, filesVideo, what = null, choices = null) {
  return show((dialog, close) => {
    const input = el("input", { type: "text", placeholder: "folder name", id: "new-folder-input", autocomplete: "off" });
    const error = el("p", { id: "new-folder-error", className: "error", role: "alert" });
    const existing = choices ? [choices.guess, ...choices.folders.filter((f) => f !== choices.guess)].filter((f) => choices.folders.includes(f)) : [];
    let chosen = -1;  // the existing folder highlighted with ↓/↑ (-1: a new one is asked for)
    const list = el("ul", { id: "new-folder-existing", role: "listbox" });
    const hint = el("p", { className: "dim", id: "new-folder-hint" });
    const render = () => {
      list.replaceChildren(...existing.map((name, i) => {
        const item = el("li", { role: "option", className: i === chosen ? "highlighted" : "" }, bdi(name));
        item.dataset.folder = name;
        item.setAttribute("aria-selected", String(i === chosen));
        if (name === choices.guess) item.append(el("span", { className: "guess" }, `← best guess ${choices.guessText}`));
        item.onclick = () => close(name);
        return item;
      }));
      hint.replaceChildren(...(chosen >= 0 ? said`Enter files it into ${existing[chosen]} · Esc cancels` : [`Enter creates${existing.length ? " and files" : ""} · Esc cancels`]));
    };
    const submit = async () => {
      if (chosen >= 0) { close(existing[chosen]); return; }
      const name = input.value.trim();
      if (!name) { error.textContent = `Type a name first${existing.length ? ", or ↓ to choose a folder" : ""} (Esc cancels)`; return; }
      const refusal = await create(name);
      if (refusal === null) { close(name); return; }
      const why = reason(name);
      error.replaceChildren(...said`${why && !refusal.includes(why) ? `${refusal}: ${why}` : refusal}`);
    };
    const ok = el("button", { type: "button", className: "primary", id: "new-folder-create" }, "Create");
    const cancel = el("button", { type: "button" }, "Cancel");
    ok.onclick = submit;
    cancel.onclick = () => close(null);
    input.oninput = () => { error.textContent = ""; if (chosen >= 0) { chosen = -1; render(); } };
    input.onkeydown = (event) => {
      if (event.key === "Enter") { event.preventDefault(); submit(); }
      else if ((event.key === "ArrowDown" || event.key === "ArrowUp") && existing.length) {
        event.preventDefault();
        const step = event.key === "ArrowDown" ? 1 : -1;
        chosen = ((chosen < 0 ? (step > 0 ? -1 : 0) : chosen) + step + existing.length) % existing.length;
        render();
      }
    };
    const heading = el("h2", {}, "New folder ", el("span", { className: "dim" }, what ? `(${what})` : filesVideo ? "(the current video is filed into it)" : "(no video to file)"));
    if (existing.length) dialog.append(el("h2", { id: "new-kind-title" }, "No folder fits this video (new kind?)"));
    dialog.append(heading, input, el("p", { className: "dim" }, FOLDER_RULE), error);
    if (existing.length) dialog.append(el("p", { className: "dim" }, "…or file it into a folder (↓ / ↑ choose, or tap one):"), list);
    dialog.append(hint, el("div", { className: "buttons" }, ok, cancel));
    render();
    setTimeout(() => input.focus());
  });
}

// Each row: the bindings it is about (core/keymap.py ids, their keys from the config file
// via keys.js, written as the terminal app writes them), and what they do here.
const FOLDERS = ["folder_1", "folder_2", "folder_3", "folder_4", "folder_5", "folder_6", "folder_7", "folder_8", "folder_9", "folder_10"];
export const HELP = [
  [["accept"], "File into the predicted folder (or the Accept button); a “new kind?” (no folder fits): a new folder"],
  [FOLDERS, "File into folder 1–10, as numbered (or tap the folder)"],
  [["pick_folder"], "Pick a folder by typing its name"],
  [["new_folder"], "New folder (files the video there)"],
  [["undo"], "Undo the last sort, batch or group"],
  [["skip"], "Skip (leave it unsorted)"],
  [["next", "previous"], "Next / previous video"],
  [["first", "last"], "First / last video in the list"],
  [["pause"], "Pause / play"],
  [["seek_back", "seek_forward"], "Back / forward 5 s"],
  [["mute"], "Mute / sound on"],
  [["order"], "List order: as found, most confident, most uncertain, look-alikes together"],
  [["groups"], "Look-alike groups: file a whole group at once (or the Groups button)"],
  [["copy"], "Near-duplicate (≈): the next copy, in turn (again: back)"],
  [["duplicates"], "Move a near-duplicate into duplicates/ (never deleted; u undoes)"],
  [["accept_all"], "Accept all at or above the threshold (asks first; leaves new kinds and ≈ copies)"],
  [["retrain"], "Retrain the model now"],
  [["help"], "This help"],
];

// "1–9, 0" while the folder keys are the digits, as the terminal app's help says them.
function helpKeys(ids) {
  if (ids === FOLDERS) {
    const keys = FOLDERS.map((id) => keyLabel(id) || "/").join(", ");
    return keys === "1, 2, 3, 4, 5, 6, 7, 8, 9, 0" ? "1–9, 0" : keys;
  }
  return ids.map(keyLabel).map((keys) => keys || "(no key)").join(" / ");
}

export function showHelp() {
  return show((dialog, close) => {
    const rows = HELP.map(([ids, what]) => el("tr", {}, el("td", {}, el("kbd", {}, helpKeys(ids))), el("td", {}, what)));
    const done = el("button", { type: "button", className: "primary", id: "help-close" }, "Close");
    done.onclick = () => close(null);
    dialog.onkeydown = (event) => { if (bindingFor(event) === "help") { event.preventDefault(); close(null); } };
    dialog.append(el("h2", {}, "vidsort keys"), el("table", { id: "help-table" }, ...rows),
                  el("p", { className: "dim" }, "The same keys as the terminal app. Esc closes."),
                  el("div", { className: "buttons" }, done));
    setTimeout(() => done.focus());
  });
}
