import { bdi, joined } from "./names.js";

// Talking to the documented API. Every state change is a POST with a JSON body ("{}" when
// there is nothing to say): the server refuses browser POSTs without one.
export async function api(path, { method = "GET", body } = {}) {
  const options = { method, headers: { Accept: "application/json" } };
  if (method !== "GET") {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body ?? {});
  }
  const response = await fetch(path, options);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(readable(data.detail) || `${response.status} ${response.statusText}`);
  return data;
}

export const post = (path, body = {}) => api(path, { method: "POST", body });

// Where near-duplicates are set aside: a folder, but never a place to file a video into (the
// server lists it among the folders; the picker and the folder buttons leave it out).
export const DUPLICATES_FOLDER = "duplicates";
export const fileTargets = (folders) => folders.filter((f) => f.name !== DUPLICATES_FOLDER);

// FastAPI's validation errors are a list of {msg, loc}; everything else is a sentence.
function readable(detail) {
  if (Array.isArray(detail)) return detail.map((d) => d.msg || JSON.stringify(d)).join("; ");
  return typeof detail === "string" ? detail : "";
}

// "Failed at train.py: need ..." (the documented shape) in words for a person; the words
// for each stage come from the server (GET /api/retrain/progress: stage_labels).
export function retrainFailure(lastResult, labels = {}) {
  const match = /^Failed at ([\w.]+): ([\s\S]*)$/.exec((lastResult || "").trim());
  if (!match) return `Retrain failed: ${lastResult || "no reason was recorded"}`;
  return `Retrain failed while ${labels[match[1]] || match[1]}: ${match[2]}`;
}

// The files the last training could not read, as a sentence with the names isolated
// ("1 file could not be read, so it has no prediction: a.mp4 (why)"); null when there are
// none or no metrics. The terminal app says the same after a retrain.
export async function filesNotRead(shown = 3) {
  const metrics = await api("/api/metrics").catch(() => null);
  const skipped = Object.entries(metrics?.skipped ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (!skipped.length) return null;
  const count = skipped.length;
  const head = count === 1 ? "1 file could not be read, so it has no prediction: " : `${count} files could not be read, so they have no prediction: `;
  const listed = joined(skipped.slice(0, shown).map(([name, why]) => [bdi(name), ` (${why})`]), "; ");
  return [head, ...listed, count > shown ? `; and ${count - shown} more (all in /api/metrics)` : ""];
}
