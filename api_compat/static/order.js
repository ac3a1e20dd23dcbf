// The list order selector: the same four orders as `o` in the terminal app, remembered on the
// server (POST /api/order, list_order.json), so the page and the terminal open in the order
// last chosen in either.
import { api, post } from "./api.js";

export const ORDERS = [
  ["found", "as found"],
  ["confident", "most confident first"],
  ["uncertain", "most uncertain first"],
  ["similar", "look-alikes together"],
];

const select = () => document.getElementById("order");

export const currentOrder = () => select().value;

// Fill the selector and set it to the remembered order; changes call onChange(order).
export async function setupOrder(onChange) {
  const el = select();
  el.replaceChildren(...ORDERS.map(([value, label]) => Object.assign(document.createElement("option"), { value, textContent: label })));
  try { el.value = (await api("/api/order")).order; } catch { el.value = "found"; }
  el.addEventListener("change", () => { el.blur(); choose(el.value, onChange); });
}

// `o`: the next order in the cycle, as in the terminal.
export function cycleOrder(onChange) {
  const index = ORDERS.findIndex(([value]) => value === currentOrder());
  const next = ORDERS[(index + 1) % ORDERS.length][0];
  select().value = next;
  return choose(next, onChange);
}

async function choose(order, onChange) {
  let saved = null;
  try { await post("/api/order", { order }); } catch (error) { saved = error.message; }
  await onChange(order, saved);
}

export const orderLabel = (order) => (ORDERS.find(([value]) => value === order) || ORDERS[0])[1];
