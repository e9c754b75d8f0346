"""``advisor users …`` and ``advisor tokens …``: accounts of the advisors' area.

There is no default account or password: the first admin is made here.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from assistant.settings import get_settings
from curation.messages import text

users_app = typer.Typer(no_args_is_help=True, help="Accounts of the advisors' area.")
tokens_app = typer.Typer(no_args_is_help=True, help="Personal API tokens.")
out = Console()
err = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def _accounts() -> Iterator[Any]:
    from records.accounts import Accounts

    accounts = Accounts.from_url(get_settings().sql_url)
    try:
        yield accounts
    finally:
        accounts.dispose()


def _clean(func: F) -> F:
    """An account error is one line on stderr and exit 1."""
    from records.accounts import AccountError

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except AccountError as exc:
            err.print(f"[red]Fel:[/red] {text(exc.key, None, **exc.params)}", markup=True, highlight=False)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


@users_app.command("add")
@_clean
def add(
    name: Annotated[str, typer.Argument(help="User name.")],
    role: Annotated[str, typer.Option(help="admin | advisor | procurer")] = "advisor",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Add a user; asks for the password (there is no default one)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Lösenord / Password", hide_input=True)
        if typer.prompt("Upprepa / Repeat", hide_input=True) != password:
            err.print(f"[red]Fel:[/red] {text('password_mismatch')}")
            raise typer.Exit(1)
    with _accounts() as accounts:
        user = accounts.add_user(name, role, password)
        accounts.audit("cli", "user.add", user.name, details={"role": user.role})
    out.print(f"användare {user.name} ({user.role}) skapad / user created", highlight=False)


@users_app.command("list")
@_clean
def list_users() -> None:
    """List the users, their roles and whether they are disabled."""
    with _accounts() as accounts:
        users = accounts.users()
    table = Table("namn / name", "roll / role", "avstängd / disabled", "skapad / created")
    for user in users:
        table.add_row(user.name, user.role, "ja / yes" if user.disabled else "", user.created_at or "")
    out.print(table)


@users_app.command("disable")
@_clean
def disable(name: Annotated[str, typer.Argument(help="User name.")]) -> None:
    """Disable a user: their sessions end and their API tokens stop working."""
    with _accounts() as accounts:
        accounts.set_disabled(name, True)
        accounts.audit("cli", "user.disable", name)
    out.print(f"{name} är avstängd / is disabled", highlight=False)


@users_app.command("enable")
@_clean
def enable(name: Annotated[str, typer.Argument(help="User name.")]) -> None:
    """Enable a disabled user again."""
    with _accounts() as accounts:
        accounts.set_disabled(name, False)
        accounts.audit("cli", "user.enable", name)
    out.print(f"{name} är aktiv / is enabled", highlight=False)


@tokens_app.command("create")
@_clean
def create(name: Annotated[str, typer.Argument(help="User name.")]) -> None:
    """Print a new API token for the user, once: only its hash is kept."""
    with _accounts() as accounts:
        token = accounts.create_token(name)
        accounts.audit("cli", "token.create", name, details={"prefix": token[:12]})
    # The token alone on stdout, so `TOKEN=$(advisor tokens create NAME)` works; the note to stderr.
    out.print(token, markup=False, highlight=False, soft_wrap=True)
    err.print("Spara nyckeln nu, den visas inte igen. / Save the token now, it is not shown again.")


@tokens_app.command("list")
@_clean
def list_tokens(name: Annotated[str, typer.Argument(help="User name.")]) -> None:
    """A user's tokens (their first characters only), and which are revoked."""
    with _accounts() as accounts:
        tokens = accounts.tokens(name)
    table = Table("id", "början / prefix", "skapad / created", "senast använd / last used", "återkallad")
    for t in tokens:
        table.add_row(
            str(t["id"]),
            t["prefix"],
            t["created_at"] or "",
            t["last_used_at"] or "",
            "ja" if t["revoked"] else "",
        )
    out.print(table)


@tokens_app.command("revoke")
@_clean
def revoke(
    name: Annotated[str, typer.Argument(help="User name.")],
    token_id: Annotated[int, typer.Argument(help="The token's id (advisor tokens list NAME).")],
) -> None:
    """Revoke one of a user's tokens."""
    with _accounts() as accounts:
        if not accounts.revoke_token(name, token_id):
            err.print(f"[red]Fel:[/red] nyckel {token_id} finns inte / no such token")
            raise typer.Exit(1)
        accounts.audit("cli", "token.revoke", name, details={"id": token_id})
    out.print(f"nyckel {token_id} återkallad / token revoked", highlight=False)
