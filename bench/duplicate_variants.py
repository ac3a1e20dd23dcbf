"""Near-duplicate test sets made from real clips with ffmpeg: each source gets 1-3 variants
(CRF 35 re-encode, half size, first 0.5 s trimmed, letterboxed, mirrored, watermarked); the
other sources -- several of the same category -- are the negatives.

``make_set`` writes an unsorted library (sources and variants side by side, names that give
nothing away) and returns which files are copies of which source. Used by
``bench.duplicates_quality`` and by the duplicates tests.
"""

from __future__ import annotations

import random
import subprocess
from dataclasses import dataclass
from pathlib import Path

#: ffmpeg -vf filters (None: none) and extra options of each kind of variant
VARIANTS: dict[str, tuple[str | None, list[str]]] = {
    "crf35": (None, ["-crf", "35"]),
    "half": ("scale=trunc(iw/4)*2:-2", []),
    "trim": (None, ["-ss", "0.5"]),
    # landscape into a 9:16 frame (bars above and below), portrait into 16:9 (bars beside)
    "letterbox": (
        "scale='if(gt(iw,ih),iw,-2)':'if(gt(iw,ih),-2,ih)',"
        "pad='if(gt(iw,ih),iw,ceil(ih*16/9/2)*2)':'if(gt(iw,ih),ceil(iw*16/9/2)*2,ih)'"
        ":(ow-iw)/2:(oh-ih)/2:black",
        [],
    ),
    "mirror": ("hflip", []),
    "watermark": ("drawbox=x=iw*0.72:y=ih*0.86:w=iw*0.24:h=ih*0.1:color=white@0.8:t=fill", []),
}
KINDS = ("crf35", "half", "trim", "letterbox", "mirror")


@dataclass
class DuplicateSet:
    root: Path
    #: file name -> the source it was made from (its own name's source for a source)
    source_of: dict[str, str]
    #: file name -> the variant kind ("source" for a source)
    kind_of: dict[str, str]
    #: file name -> the source's category
    category_of: dict[str, str]

    def true_pairs(self) -> set[frozenset[str]]:
        names = sorted(self.source_of)
        return {
            frozenset((a, b))
            for i, a in enumerate(names)
            for b in names[i + 1 :]
            if self.source_of[a] == self.source_of[b]
        }


def make_variant(src: Path, dst: Path, kind: str) -> None:
    """One variant of ``src`` (H.264, no audio) at ``dst``; CalledProcessError if ffmpeg fails."""
    vf, extra = VARIANTS[kind]
    command = ["ffmpeg", "-v", "error", "-y", "-i", str(src), *extra]
    if vf:
        command += ["-vf", vf]
    if "-crf" not in extra:
        command += ["-crf", "23"]
    command += ["-an", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", str(dst)]
    subprocess.run(command, check=True, capture_output=True, timeout=120)


def make_set(
    sources: dict[Path, str], root: Path, seed: int = 0, kinds: tuple[str, ...] = KINDS
) -> DuplicateSet:
    """Copy each source (path -> category) into ``root`` and add 1-3 variants of it."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    out = DuplicateSet(root, {}, {}, {})
    counter = iter(range(10**6))
    for src, category in sorted(sources.items()):
        original = f"{7200000000000000 + next(counter)}.mp4"
        (root / original).write_bytes(src.read_bytes())
        made = [(original, "source")]
        for kind in rng.sample(kinds, rng.randint(1, min(3, len(kinds)))):
            name = f"{7200000000000000 + next(counter)}.mp4"
            make_variant(src, root / name, kind)
            made.append((name, kind))
        for name, kind in made:
            out.source_of[name], out.kind_of[name] = original, kind
            out.category_of[name] = category
    return out


def realclip_sources(realclips: Path) -> dict[Path, str]:
    """Every clip of ../shared/realclips with its folder as category."""
    return {p: p.parent.name for p in sorted(realclips.glob("*/*.mp4"))}
