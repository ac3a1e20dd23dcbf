// Names shown on the page are isolated from the text around them, as <bdi> elements: a
// right-to-left name ("שלום (85%)" would show its percentage before it) or a direction
// control read back from a file cannot reorder the row or sentence it sits in. Text only,
// never HTML: a name is set as textContent.

export function bdi(name) {
  const el = document.createElement("bdi");
  el.textContent = name;
  return el;
}

// said`${video.filename} → ${folder} (u undoes)`: the sentence as nodes for append(), each
// string value in its own <bdi> (numbers stay plain text); textContent is the plain sentence.
export function said(strings, ...values) {
  const parts = [strings[0]];
  values.forEach((value, i) => parts.push(typeof value === "string" ? bdi(value) : String(value), strings[i + 1]));
  return parts.filter((part) => part !== "");
}

// Lists of parts joined with a separator: ["a", bdi], ["b"] -> ["a", bdi, "; ", "b"].
export function joined(lists, separator) {
  return lists.flatMap((parts, i) => (i ? [separator, ...parts] : parts));
}
