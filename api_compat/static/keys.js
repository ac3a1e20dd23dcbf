// The keymap the page follows: the terminal app's, from the same config file
// (GET /api/page-settings: binding id -> browser keys, and how the terminal app writes them).
// A key press is named like the server names keys: modifiers first (ctrl, alt, meta, shift;
// shift only before a named key such as "Tab", a letter's case says it), then event.key.

const bound = new Map(); // key press name -> binding id
let labels = {}; // binding id -> its keys as the terminal app writes them

export function setKeymap(keys, keyLabels) {
  bound.clear();
  for (const [id, presses] of Object.entries(keys)) for (const press of presses) if (!bound.has(press)) bound.set(press, id);
  labels = keyLabels;
}

export function pressName(event) {
  const mods = [["ctrl", event.ctrlKey], ["alt", event.altKey], ["meta", event.metaKey], ["shift", event.shiftKey && event.key.length > 1]];
  return [...mods.filter(([, on]) => on).map(([name]) => name), event.key].join("+");
}

// The binding id a key press triggers, or undefined.
export const bindingFor = (event) => bound.get(pressName(event));

// How the terminal app writes a binding's keys ("j, ↓"); "" when it has none left.
export const keyLabel = (id) => (labels[id] ?? []).join(", ");

// A folder's key slot ("1".."9", "0": GET /api/folders key) -> the binding that files into
// it, and back: slot 1 is folder_1, slot "0" is folder_10.
const slotBinding = (slot) => `folder_${slot === "0" ? 10 : Number(slot)}`;
export function slotOf(id) {
  const match = /^folder_([0-9]+)$/.exec(id ?? "");
  return match ? String(Number(match[1]) % 10) : null;
}

// What is shown beside a folder with key slot ``slot``: the first key of its binding.
export function slotKey(slot) {
  if (slot === null || slot === undefined) return "";
  return labels[slotBinding(slot)]?.[0] ?? "";
}
