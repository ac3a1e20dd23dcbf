"""The demo: procedural scenes, real clips drawn from them, and the demo library.

Kept apart from the core: nothing in the library, the journal or the pipeline needs it.
"""

from vidsort_tui.demo.clips import ClipSpec, write_clip
from vidsort_tui.demo.library import DEMO_CATEGORIES, demo_plan, ensure_demo_library
from vidsort_tui.demo.scenes import SCENE_NAMES

__all__ = [
    "DEMO_CATEGORIES",
    "SCENE_NAMES",
    "ClipSpec",
    "demo_plan",
    "ensure_demo_library",
    "write_clip",
]
