"""Analysis commands: ``classify``, ``analyse``, ``label``, ``train``, ``reanalyse`` and ``model build``.

``classify`` reads texts one per line (a file or stdin) and prints one JSON object per line; it is
how users and our own checks try the model on their data. The others work on the database.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from listener.cli._common import (
    DEFAULT_CONFIG,
    ConfigOption,
    console,
    err_console,
    open_repository,
    settings_from,
    user_errors,
)
from listener.cli._common import in_language as _
from listener.cli._progress import counts, model_steps
from listener.config import Settings

DataOption = Annotated[
    Path | None,
    typer.Option(
        "--data",
        envvar="LISTENER_TRAINING_DATA",
        help="Folder of labelled sets (the shared data folder with sentiment/ and intent/).",
    ),
]


def _say(message: str) -> None:
    err_console.print(message, highlight=False)


def _classify_settings(config: Path) -> Settings:
    """The config when there is one; otherwise defaults, with the model in the user's cache folder.

    ``classify`` reads no database and sends nothing, so trying the model on a few lines must not
    require ``listener init`` first. An explicitly named config that is missing is still an error.
    """
    if config.exists() or config != DEFAULT_CONFIG or os.environ.get("LISTENER_CONFIG"):
        return settings_from(config)
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "listener"
    _say(
        f"no {config} here: classifying with the default settings, model kept in {cache} / "
        f"pas de {config} ici : réglages par défaut, modèle gardé dans {cache}"
    )
    return Settings(data_dir=cache)


def classify_cmd(
    file: Annotated[
        Path | None, typer.Argument(help="Text file, one text per line; stdin when absent.")
    ] = None,
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Print language, sentiment, intents and signals of each input line as one JSON object."""
    from analysis.classify import classify
    from listener.wiring import load_analyzer

    settings = _classify_settings(config)
    with user_errors():
        if file is not None:
            try:
                raw = file.read_bytes()
            except OSError as err:
                unreadable = _("cannot read {file}: {error}").format(file=file, error=err)
                err_console.print("[bold red]" + _("error:") + "[/] " + unreadable, highlight=False)
                raise typer.Exit(1) from err
        else:
            raw = sys.stdin.buffer.read()
        lines = raw.decode("utf-8", errors="replace").splitlines()
        with model_steps() as step:
            model = load_analyzer(settings, say=_say, step=step)
        for start in range(0, len(lines), 256):
            chunk = lines[start : start + 256]
            for text, result in zip(chunk, classify(chunk, model), strict=True):
                result["text"] = text[:200]
                sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        sys.stdout.flush()


def _analyse(config: Path, limit: int | None, *, everything: bool) -> None:
    from listener.analyse import run, utcnow
    from listener.wiring import load_analyzer

    settings = settings_from(config)
    with user_errors():
        with model_steps() as step:
            model = load_analyzer(settings, say=_say, step=step)
        repo = open_repository(settings)
        try:
            total = repo.count_mentions() if everything else None  # reanalyse redoes every mention
            with counts(total) as seen:
                result = run(repo, model, batch_size=settings.analysis.batch_size, now=utcnow(), limit=limit,
                             progress=lambda stage, done: seen(stage, done, None))
        finally:
            repo.close()
        parts = ", ".join(f"{k} {v}" for k, v in result.per_stage.items())
        console.print(_("analysed with {version}: {counts}").format(version=model.version, counts=parts),
                      highlight=False)


def analyse_cmd(
    config: ConfigOption = DEFAULT_CONFIG,
    limit: Annotated[int | None, typer.Option(help="Stop each stage after this many mentions.")] = None,
) -> None:
    """Annotate stored mentions not yet analysed by the current model (resumable, idempotent)."""
    _analyse(config, limit, everything=False)


def reanalyse_cmd(config: ConfigOption = DEFAULT_CONFIG) -> None:
    """Re-apply the newest heads to every stored mention annotated by an older version."""
    _analyse(config, None, everything=True)


def label_cmd(
    mention_id: Annotated[int, typer.Argument(help="Row id of the stored mention.")],
    label: Annotated[
        str, typer.Argument(help="negative|neutral|positive|complaint|question|suggestion|praise|other")
    ],
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Record a correction; the next ``listener train`` learns from it."""
    from analysis.training import stage_of
    settings = settings_from(config)
    try:
        stage = stage_of(label)
    except ValueError as err:
        err_console.print("[bold red]" + _("error:") + f"[/] {err}", highlight=False)
        raise typer.Exit(2) from err
    with user_errors():
        repo = open_repository(settings)
        try:
            if repo.get_mention(mention_id) is None:
                err_console.print("[bold red]" + _("error:") + "[/] " + _("no mention with id {id}").format(
                    id=mention_id), highlight=False)
                raise typer.Exit(1)
            label_id = repo.save_label(mention_id, stage, label)
        finally:
            repo.close()
        console.print(_("label {label_id}: mention {mention_id} {stage} = {label}").format(
            label_id=label_id, mention_id=mention_id, stage=stage, label=label), highlight=False)


def train_cmd(config: ConfigOption = DEFAULT_CONFIG, data: DataOption = None) -> None:
    """Retrain the heads on the labelled sets plus stored corrections; write a new version."""
    from listener.analyse import train_from_store, utcnow
    from listener.wiring import load_analyzer

    settings = settings_from(config)
    root = data or Path(__file__).resolve().parents[3] / "shared" / "data"
    if not (root / "sentiment").is_dir():
        err_console.print(
            "[bold red]" + _("error:") + "[/] " + _("labelled data not found at {path}; pass --data FOLDER")
            .format(path=root), highlight=False
        )
        raise typer.Exit(2)
    with user_errors():
        with model_steps() as step:
            model = load_analyzer(settings, say=_say, step=step)
        repo = open_repository(settings)
        try:
            with counts() as seen:
                folder, n = train_from_store(
                    repo, model, root=root, data_dir=settings.data_dir, now=utcnow(), say=_say,
                    progress=lambda done, of: seen(_("embedding the training texts"), done, of),
                )
        finally:
            repo.close()
        trained = _("trained heads with {count} corrections into {folder}")
        console.print(trained.format(count=n, folder=folder), highlight=False)


def build_cmd(
    config: ConfigOption = DEFAULT_CONFIG,
    force: Annotated[bool, typer.Option(help="Rebuild even if the folder exists.")] = False,
) -> None:
    """Build the encoder folder from the installed packages (checksums verified)."""
    from analysis import model_build
    from listener.core.errors import ConfigError

    settings = settings_from(config)
    with user_errors():
        try:
            with model_steps() as step:
                step("build")
                folder = model_build.build(settings.data_dir, force=force)
                model_build.verify(folder)
                from analysis import onnx_build
                from analysis.analyzer import FEATURE_LAYERS

                precision = onnx_build.precision_of(settings.analysis.runtime)
                if precision:
                    onnx_build.export(folder, FEATURE_LAYERS, precision, force=force, on_step=step)
        except model_build.ModelBuildError as err:
            raise ConfigError(str(err)) from err
        console.print(_("model ready in {folder} (runtime {runtime})").format(
            folder=folder, runtime=settings.analysis.runtime), highlight=False)


def register(app: typer.Typer) -> None:
    """Add the analysis commands and the ``model`` group."""
    app.command("classify")(classify_cmd)
    app.command("analyse")(analyse_cmd)
    app.command("reanalyse")(reanalyse_cmd)
    app.command("label")(label_cmd)
    app.command("train")(train_cmd)
    model_app = typer.Typer(help="The local multilingual model.", no_args_is_help=True)
    model_app.command("build")(build_cmd)
    app.add_typer(model_app, name="model")
