"""``listener users``: accounts of the web API (add, list, set-role, disable, enable, reset-password)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, cast

import typer

from listener.cli._common import (
    DEFAULT_CONFIG,
    ConfigOption,
    console,
    current_clock,
    err_console,
    open_repository,
    settings_from,
    user_errors,
)
from listener.cli._common import in_language as _

if TYPE_CHECKING:
    from storage import WebStore
    from storage.web_records import Role

users_app = typer.Typer(help="Accounts of the web API: admin, analyst or viewer.", no_args_is_help=True)
ROLES = ("admin", "analyst", "viewer")
MIN_PASSWORD = 12
PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from standard input.")
]


def _store(config: ConfigOption) -> WebStore:
    from storage import WebStore

    settings = settings_from(config)
    with user_errors():
        repository = open_repository(settings, upgrade=True)
    return WebStore.of(repository, clock=current_clock())


def _error(message: str) -> None:
    err_console.print("[bold red]" + _("error:") + "[/] " + message, highlight=False)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt(_("password"), hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD:
        _error(_("the password needs at least {count} characters").format(count=MIN_PASSWORD))
        raise typer.Exit(2)
    return password


def _role(value: str) -> Role:
    if value not in ROLES:
        choices = ", ".join(ROLES)
        _error(_("role must be one of {roles}, got {value}").format(roles=choices, value=repr(value)))
        raise typer.Exit(2)
    return cast("Role", value)


def _user_id(store: WebStore, username: str) -> int:
    user = store.user(username=username)
    if user is None:
        _error(_("no user named {username}").format(username=repr(username)))
        raise typer.Exit(1)
    return user.id


@users_app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Option(help="admin, analyst or viewer.")] = "viewer",
    display_name: Annotated[str | None, typer.Option(help="Name shown to colleagues.")] = None,
    language: Annotated[str, typer.Option(help="fr or en.")] = "en",
    password_stdin: PasswordStdin = False,
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Create a user (the password is asked twice, or read from stdin)."""
    from listener.web.security import hash_password

    store = _store(config)
    chosen = _role(role)
    password = _password(password_stdin)
    try:
        store.add_user(
            username,
            display_name=display_name or username,
            password_hash=hash_password(password),
            role=chosen,
            language=language if language in ("fr", "en") else "en",
        )
    except ValueError as err:
        err_console.print("[bold red]" + _("error:") + f"[/] {err}", highlight=False)
        raise typer.Exit(1) from err
    console.print(_("user {username} added as {role}").format(username=username, role=chosen),
                  highlight=False)


@users_app.command("list")
def list_users(config: ConfigOption = DEFAULT_CONFIG) -> None:
    """List users and their roles."""
    from rich.table import Table

    store = _store(config)
    table = Table(title=_("users"))
    for column in ("id", _("username"), _("name"), _("role"), _("active"), _("created")):
        table.add_column(column)
    for user in store.users():
        table.add_row(
            str(user.id),
            user.username,
            user.display_name,
            user.role,
            _("yes") if user.is_active else _("no"),
            f"{user.created_at:%Y-%m-%d}",
        )
    console.print(table)


@users_app.command("set-role")
def set_role(username: str, role: str, config: ConfigOption = DEFAULT_CONFIG) -> None:
    """Give a user another role (their sessions end)."""
    store = _store(config)
    store.update_user(
        _user_id(store, username), actor_id=None, action="user.change", end_sessions=True, role=_role(role)
    )
    console.print(_("user {username} is now {role}").format(username=username, role=role),
                  highlight=False)


@users_app.command("disable")
def disable(username: str, config: ConfigOption = DEFAULT_CONFIG) -> None:
    """Disable a user: their sessions end and their API tokens stop working."""
    store = _store(config)
    store.update_user(
        _user_id(store, username), actor_id=None, action="user.change", end_sessions=True, is_active=False
    )
    console.print(_("user {username} disabled").format(username=username), highlight=False)


@users_app.command("enable")
def enable(username: str, config: ConfigOption = DEFAULT_CONFIG) -> None:
    """Enable a disabled user again."""
    store = _store(config)
    store.update_user(
        _user_id(store, username), actor_id=None, action="user.change", end_sessions=False, is_active=True
    )
    console.print(_("user {username} enabled").format(username=username), highlight=False)


@users_app.command("reset-password")
def reset_password(
    username: str, password_stdin: PasswordStdin = False, config: ConfigOption = DEFAULT_CONFIG
) -> None:
    """Set a new password (their sessions end)."""
    from listener.web.security import hash_password

    store = _store(config)
    user_id = _user_id(store, username)
    store.update_user(
        user_id,
        actor_id=None,
        action="user.password",
        end_sessions=True,
        password_hash=hash_password(_password(password_stdin)),
    )
    console.print(_("password of {username} reset").format(username=username), highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``users`` to the command line."""
    app.add_typer(users_app, name="users")
