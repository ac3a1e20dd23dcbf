"""`vidsort-tui --retrain`: the full retrain, headless, with a progress bar and a summary.

Exit code 0 on success, 1 on failure (including "another retrain is running").
"""

from __future__ import annotations

from rich.console import Console, RenderableType
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from vidsort_tui.core.config import Settings
from vidsort_tui.core.display import display_text
from vidsort_tui.core.errors import RetrainUnavailable
from vidsort_tui.services import job_status, retrain


class _Rate(ProgressColumn):
    """Videos per second for the extraction stage."""

    def render(self, task: Task) -> RenderableType:
        speed = task.finished_speed or task.speed
        return f"{speed:5.1f} videos/s" if speed and task.fields.get("rate") else ""


def shown(text: object) -> str:
    """Text for Rich markup: unshowable characters escaped (core/display.py), then markup
    (a folder "a[" holding "]c.mp4" is "a[/]c.mp4", which Rich would read as a closing tag).
    Printed with ``emoji=False``: ":smile:" in a name stays as it is."""
    return escape(display_text(str(text)))


def run(settings: Settings) -> int:
    console = Console(stderr=False)
    # Into a pipe or a file Rich would wrap at 80 columns, mid-phrase ("top-3 \n1.00"): a
    # pipe has no width, so there each line goes out whole.
    console.soft_wrap = not console.is_terminal
    columns = (
        TextColumn("[bold]{task.description:<20}"), BarColumn(), MofNCompleteColumn(), _Rate(),
        TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
    )  # fmt: skip
    tasks: dict[str, TaskID] = {}
    with Progress(*columns, console=console, transient=False) as progress:

        def on_progress(event: retrain.ProgressEvent) -> None:
            if event.stage not in tasks:
                label = shown(event.label.capitalize())
                rate = event.stage == job_status.STAGES[0]
                tasks[event.stage] = progress.add_task(label, total=event.total or 1, rate=rate)
            progress.update(tasks[event.stage], completed=event.done, total=event.total or 1)

        try:
            result = retrain.run(settings, on_progress)
        except retrain.RetrainBusy:
            console.print("[red]Another retrain is already running; try again when it ends.")
            return 1
        except RetrainUnavailable as exc:
            console.print(f"[red]{shown(exc)}", emoji=False)
            return 1
    _print_summary(console, result)
    return 0 if result.ok else 1


def _print_summary(console: Console, result: retrain.RetrainResult) -> None:
    m = result.metrics
    line = f"{result.videos} videos, {len(result.skipped)} skipped, {result.seconds:.1f} s"
    if m.get("top1") is not None:
        line += f"; cross-validated accuracy top-1 {m['top1']:.2f}, top-3 {m['top3']:.2f}"
        line += f" ({shown(m.get('model'))})"
    colour = "green" if result.ok else "red"
    console.print(f"[{colour}]{'Done' if result.ok else 'Failed'}:[/] {line}", emoji=False)
    if result.note:
        console.print(f"  {shown(result.note)}", emoji=False)
    if m.get("feature_set"):
        console.print(f"  features: {shown(m['feature_set'])}", emoji=False)
    for note in result.notes:
        console.print(f"  {shown(note)}", emoji=False)
    for name, reason in sorted(result.skipped.items())[:20]:
        console.print(f"  skipped {shown(name)}: {shown(reason)}", emoji=False)
    if len(result.skipped) > 20:
        console.print(f"  … and {len(result.skipped) - 20} more (see metrics.json)")
    for folder, why in (m.get("unlearnable") or {}).items():
        console.print(f"  not learned: folder {shown(repr(folder))}: {shown(why)}", emoji=False)
    if not result.ok:
        console.print(f"[red]{shown(result.last_result)}", emoji=False)
