"""Rich progress bars on stderr for the long steps: model build and export, training, analysis.

stdout stays machine-readable (``classify`` prints JSON lines there); bars go to stderr and vanish
when stderr is not a terminal (rich prints nothing animated then, only the final state).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from listener.cli._common import err_console
from listener.cli._common import in_language as _

MODEL_STEPS = ("build", "export", "quantise", "check")


def _step_label(name: str) -> str:
    """The label of a model step in the command's language (the step's name if it is a new one)."""
    labels = {
        "build": _("building the local model (once per machine)"),
        "export": _("exporting it for ONNX Runtime"),
        "quantise": _("quantising it to int8"),
        "check": _("checking it against the model"),
    }
    return labels.get(name, name)


def stage_label(name: str) -> str:
    """The label of an analysis stage's bar; other labels come translated by their caller."""
    labels = {
        "language": _("analysis: languages"),
        "sentiment": _("analysis: sentiment"),
        "intent": _("analysis: intents"),
        "signals": _("analysis: discontent signals"),
        "collect": _("demo: collecting"),
        "theme vectors": _("themes: sentence vectors"),
    }
    return labels.get(name, name)


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
    )


@contextmanager
def model_steps() -> Iterator[Callable[[str], None]]:
    """Yield ``step(name)``: each call marks the previous step done and shows the next one."""
    with _progress() as bar:
        task: TaskID | None = None

        def step(name: str) -> None:
            nonlocal task
            if task is None:
                task = bar.add_task(_step_label(name), total=len(MODEL_STEPS))
            else:
                bar.update(task, advance=1, description=_step_label(name))

        yield step
        if task is not None:
            bar.update(task, completed=len(MODEL_STEPS), description=_("model ready"))


@contextmanager
def counts(total: int | None = None) -> Iterator[Callable[[str, int, int | None], None]]:
    """Yield ``seen(label, done, total)``: one bar per label (an analysis stage, embedding texts)."""
    with _progress() as bar:
        tasks: dict[str, TaskID] = {}

        def seen(label: str, done: int, of: int | None = None) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(stage_label(label), total=of if of is not None else total)
            bar.update(tasks[label], completed=done, total=of if of is not None else total)

        yield seen
