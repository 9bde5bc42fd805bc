"""``listener check``: validate the config, reach the database, and say what each source and topic needs.

It is the first thing to run after editing ``config.yaml``: every problem is listed (not only the
first), each on one line that says what to do, and the exit code is non-zero when any is an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Literal

import typer
from rich.table import Table

from alerts.i18n import translator
from listener.cli._common import (
    DEFAULT_CONFIG,
    ConfigOption,
    config_path,
    console,
    settings_from,
    sqlite_file,
)
from listener.config import Settings
from listener.core.errors import ListenerError
from listener.secret_refs import EnvReference, env_references

Level = Literal["ok", "warning", "error"]


def required_secrets(name: str) -> tuple[str, ...]:
    """Return the secret fields source ``name`` needs before it can run (its ``required_secrets``)."""
    import connectors

    return tuple(getattr(connectors.REGISTRY.get(name), "required_secrets", ()))



@dataclass(frozen=True, slots=True)
class Finding:
    """One line of the check report."""

    level: Level
    area: str
    message: str


def check_database(settings: Settings) -> list[Finding]:
    """Connect to the database and compare its schema with the code's migrations."""
    from listener.wiring import repository_at
    from storage import migrate

    _ = translator(settings.language)
    area = _("database")
    missing = sqlite_file(settings.database.url)
    if missing is not None and not missing.exists():  # connecting would leave an empty file behind
        return [Finding("warning", area, _("{path}: does not exist yet; run 'listener db upgrade'")
                        .format(path=missing))]
    try:
        repository = repository_at(settings.database.url)
    except ListenerError as err:  # e.g. an unsupported scheme: say so and go on checking the rest
        return [Finding("error", area, str(err))]
    try:
        current = repository.schema_revision()
    except ListenerError as err:
        return [Finding("error", area, str(err))]
    finally:
        repository.close()
    head = migrate.head()
    where = repository.safe_url
    if current is None:
        return [Finding("warning", area,
                        _("{url}: reachable, empty; run 'listener db upgrade'").format(url=where))]
    if current != head:
        return [Finding("warning", area,
                        _("{url}: schema {current}, code expects {head}; run 'listener db upgrade'")
                        .format(url=where, current=current, head=head))]
    return [Finding("ok", area, _("{url}: reachable, schema up to date ({current})").format(url=where,
                                                                                          current=current))]


def check_health(settings: Settings) -> list[Finding]:
    """Report how each collection job has been doing (from storage), failing ones as warnings."""
    from listener.wiring import repository_at

    missing = sqlite_file(settings.database.url)
    if missing is not None and not missing.exists():
        return []  # check_database has already said why
    try:
        repository = repository_at(settings.database.url)
    except ListenerError:
        return []  # check_database has already said why
    try:
        if repository.schema_revision() is None:
            return []
        rows = repository.source_health()
    except ListenerError:
        return []  # check_database has already said why
    finally:
        repository.close()
    _ = translator(settings.language)
    findings: list[Finding] = []
    for row in rows:
        area = _("health {job}").format(job=f"{row.source}:{row.query_id}")
        if row.consecutive_failures:
            findings.append(Finding("warning", area, _("{count} failure(s) in a row; last error: {error}")
                                    .format(count=row.consecutive_failures, error=row.last_error)))
        else:
            when = f"{row.last_success_at:%Y-%m-%d %H:%M}" if row.last_success_at else _("never")
            findings.append(Finding("ok", area, _("last success {when}, {count} items").format(
                when=when, count=row.items_fetched_total)))
    return findings


def _unset(refs: Mapping[str, EnvReference], key: str) -> str:
    """Say which variable a secret needs and where the file asks for it (or that the file does not)."""
    ref = refs.get(key)
    if ref is not None:
        return ref.unset_message()
    return f"{key} is not in the config: add it as a ${{ENV_VAR}} reference and set that variable"


def check_sources(settings: Settings, refs: Mapping[str, EnvReference]) -> list[Finding]:
    """Say, for each source, whether it is enabled and has the credentials it needs."""
    _ = translator(settings.language)
    findings: list[Finding] = []
    for name, section in settings.sources:
        if not section.enabled:
            continue
        missing = [key for key in required_secrets(name) if getattr(section, key, None) is None]
        area = _("source {name}").format(name=name)
        if missing:
            said = "; ".join(_unset(refs, f"sources.{name}.{key}") for key in missing)
            findings.append(Finding("error", area, _("enabled but {problem}: set it, or disable the source")
                                    .format(problem=said)))
        else:
            findings.append(Finding("ok", area,
                                    _("enabled, every {interval}").format(interval=section.interval)))
    if not findings:
        findings.append(Finding("warning", _("sources"),
                                _("no source is enabled: nothing will be collected")))
    return findings + _demo_findings(settings)


def _demo_findings(settings: Settings) -> list[Finding]:
    """Say where the fictional demo stream is stored, and warn when it runs beside real sources."""
    if not settings.sources.demo.enabled:
        return []
    _ = translator(settings.language)
    area = _("source {name}").format(name="demo")
    real = [name for name, section in settings.sources if name != "demo" and section.enabled]
    where = settings.database.url.removeprefix("sqlite:///")
    if not real:
        return [Finding("ok", area, _("simulated mentions are stored in {where}").format(where=where))]
    stored = (_("simulated mentions are mixed with the real ones in {where}")
              if settings.sources.demo.database == "shared"
              else _("real and simulated mentions all go to the demo's own database {where}")
              ).format(where=where)
    return [Finding("warning", area, _("the fictional demo stream is enabled beside {sources}: {stored}; "
                                       "set sources.demo.enabled: false for real use").format(
                                           sources=", ".join(real), stored=stored))]


def check_topics(settings: Settings) -> list[Finding]:
    """Show how each topic's query reaches each enabled source's search (widened ones are flagged)."""
    import connectors
    from listener.core.query import UntranslatableQueryError, translate

    _ = translator(settings.language)
    findings: list[Finding] = []
    if not settings.topics:
        return [Finding("warning", _("topics"),
                        _("no topic is configured: add the brand and its competitors"))]
    syntaxes = {name: cls.search_syntax for name, cls in connectors.REGISTRY.items()
                if hasattr(cls, "search_syntax")}
    enabled = [name for name, section in settings.sources if section.enabled and name in syntaxes]
    for topic in settings.topics:
        area = _("topic {id}").format(id=topic.id)
        findings.append(Finding("ok", area, topic.query))
        for name in enabled:
            try:
                native = translate(topic.query, syntaxes[name])
            except UntranslatableQueryError as err:
                findings.append(Finding("warning", area, f"{name}: {err}"))
                continue
            for item in native:
                note = _(" (widened: the local matcher filters the rest)") if item.is_widened else ""
                findings.append(Finding("ok", area, _("{source} searches: {query}").format(
                    source=name, query=item.text) + note))
    return findings


def check_channels(settings: Settings, refs: Mapping[str, EnvReference]) -> list[Finding]:
    """Check that every alert channel can be used (recipients, URLs and SMTP login from the environment)."""
    _ = translator(settings.language)
    findings: list[Finding] = []
    smtp = settings.alerts.smtp
    mails = any(channel.type == "email" for channel in settings.alerts.channels)
    for key in ("username", "password"):
        ref = refs.get(f"alerts.smtp.{key}")
        if mails and ref is not None and not ref.is_set:
            findings.append(Finding("error", "smtp", ref.unset_message()))
    if mails and smtp.username is not None and smtp.password is None and "alerts.smtp.password" not in refs:
        findings.append(
            Finding(
                "error",
                "smtp",
                _("alerts.smtp.username is set but alerts.smtp.password is not in the config: add it as a "
                  "{reference} reference").format(reference="${ENV_VAR}"),
            )
        )
    for channel in settings.alerts.channels:
        area = _("channel {id}").format(id=channel.id)
        if channel.type == "email" and not channel.to:
            findings.append(Finding("error", area, _("e-mail channel without recipients")))
        elif channel.type == "apprise" and channel.url is None:
            findings.append(Finding("error", area, _unset(refs, f"alerts.channels.{channel.id}.url")))
        else:
            findings.append(Finding("ok", area, channel.type))
    return findings


def check_model(settings: Settings) -> list[Finding]:
    """Say whether the local model is built and exported for the configured runtime (no loading)."""
    _ = translator(settings.language)
    area = _("analysis")
    if not settings.analysis.enabled:
        return [Finding("ok", area, _("disabled"))]
    import json

    from analysis import heads, model_build, onnx_build
    from analysis.analyzer import FEATURE_LAYERS, heads_mismatch

    runtime = settings.analysis.runtime
    folder = model_build.model_dir(settings.data_dir)
    if not model_build.is_built(folder):
        return [Finding("warning", area, _("model not built yet in {folder}: built on first use, or now with "
                                           "'listener model build'").format(folder=folder))]
    findings = [Finding("ok", area, _("model built in {folder}").format(folder=folder))]
    precision = onnx_build.precision_of(runtime)
    if precision:
        if onnx_build.is_exported(folder, FEATURE_LAYERS, precision):
            findings.append(Finding("ok", area, _("runtime {runtime}: exported").format(runtime=runtime)))
        else:
            message = _("runtime {runtime}: not exported yet (first use does it, or 'listener model build')")
            findings.append(Finding("warning", area, message.format(runtime=runtime)))
    head_dir = heads.latest(settings.data_dir)
    meta = json.loads((head_dir / heads.META).read_text())
    mismatch = heads_mismatch(meta, runtime)
    if mismatch:
        findings.append(Finding("warning", area,
                                _("{problem}: run 'listener train'").format(problem=mismatch)))
    else:
        findings.append(Finding("ok", area, _("heads {version} ({runtime})").format(
            version=meta.get("version"), runtime=runtime)))
    return findings


def check(
    config: ConfigOption = DEFAULT_CONFIG,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print problems only.")] = False,
) -> None:
    """Validate the config, reach the database, and report sources, topics and channels."""
    settings = settings_from(config)
    config = config_path(config)
    refs = {ref.key: ref for ref in env_references(config) if not ref.is_set}
    _ = translator(settings.language)
    findings = [Finding("ok", _("config"), _("{path}: valid").format(path=config))]
    findings += check_database(settings)
    findings += check_sources(settings, refs)
    findings += check_health(settings)
    findings += check_topics(settings)
    findings += check_channels(settings, refs)
    findings += check_model(settings)
    table = Table(show_header=False, box=None)
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True, max_width=24, overflow="fold")
    table.add_column(overflow="fold")  # long paths and messages wrap instead of ending in "…"
    marks = {"ok": "[green]✓[/]", "warning": "[yellow]![/]", "error": "[red]✗[/]"}
    for finding in findings:
        if quiet and finding.level == "ok":
            continue
        table.add_row(marks[finding.level], finding.area, finding.message)
    console.print(table)
    errors = sum(f.level == "error" for f in findings)
    warnings = sum(f.level == "warning" for f in findings)
    console.print(_("{errors} error(s), {warnings} warning(s)").format(errors=errors, warnings=warnings))
    if errors:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add ``check`` to the command line."""
    app.command("check")(check)
