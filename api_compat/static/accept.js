// Accept-all (A) and filing many videos as one undo step. What the list shows is what
// accept-all files (confidence.js), but for the confident videos it leaves for a person.
import { post } from "./api.js";
import { said } from "./names.js";

// The files of a batch, as one undo step: POST /api/sort/batch in parts of bounded size,
// each part continuing the batch the first one began, so one undo brings them all back.
// errors: one sentence's nodes each, the names isolated (names.js).
const BATCH_PART = 100;
export async function fileMany(plan, progress) {
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

// What accept-all files, and the confident videos it leaves for a person: new kinds (no
// folder fits: filing one anywhere would be a guess) and near-duplicates ≈ (filed with
// their original, the library would hold the video twice).
// videos: the list as shown; copies: video -> its other copies; scale: a ConfidenceScale.
export function acceptPlan(videos, copies, scale) {
  const confident = videos.filter((v) => v.predicted_folder && scale.meets(v.confidence));
  const newKinds = confident.filter((v) => v.new_kind).length;
  const duplicates = confident.filter((v) => !v.new_kind && copies.has(v.filename)).length;
  const plan = confident.filter((v) => !v.new_kind && !copies.has(v.filename)).map((v) => [v.filename, v.predicted_folder]);
  const parts = [];
  if (newKinds) parts.push(`${newKinds} new kind${newKinds === 1 ? "" : "s"}? (no folder fits: Enter makes one)`);
  if (duplicates) parts.push(`${duplicates} near-duplicate${duplicates === 1 ? "" : "s"} ≈ (c plays the copy, d sets it aside)`);
  return { plan, left: parts.length ? `left for you: ${parts.join(", ")}` : "" };
}
