// One message at a time at the bottom; a message about a sort carries an Undo button.
// ``message``: text, or the nodes of a sentence whose names are isolated (names.js said``).
const $ = (id) => document.getElementById(id);

export function toast(message, { error = false, undo = null, undoLabel = "Undo" } = {}) {
  const el = $("toast");
  const text = document.createElement("span");
  text.append(...[message].flat());
  const parts = [text];
  if (undo) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "toast-undo";
    button.textContent = undoLabel;
    button.addEventListener("click", () => { el.hidden = true; undo(); });
    parts.push(button);
  }
  el.replaceChildren(...parts);
  el.className = error ? "error" : "";
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.hidden = true; }, error ? 8000 : undo ? 6000 : 3000);
}
