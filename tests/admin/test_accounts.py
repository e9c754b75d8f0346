"""Accounts of the advisors' area: Argon2id passwords, hashed tokens and sessions, the CLI."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from assistant.settings import get_settings
from cli.main import app
from records.accounts import AccountError, Accounts, token_hash
from records.models import ApiTokenRow, SessionRow, UserRow

PASSWORD = "korrekt-häst-batteri"


@pytest.fixture
def accounts(tmp_path: Path) -> Accounts:
    store = Accounts.from_url(f"sqlite:///{tmp_path / 'app.sqlite3'}")
    yield store
    store.dispose()


def test_a_password_is_kept_as_an_argon2id_hash_and_checked(accounts: Accounts) -> None:
    accounts.add_user("anna", "advisor", PASSWORD)
    with accounts.engine.connect() as db:
        stored = db.execute(select(UserRow.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert accounts.authenticate("anna", PASSWORD) is not None
    assert accounts.authenticate("anna", PASSWORD + "x") is None
    assert accounts.authenticate("bertil", PASSWORD) is None


@pytest.mark.parametrize(
    ("name", "role", "password", "key"),
    [
        ("anna", "advisor", "kort", "account_short_password"),
        ("anna", "superuser", PASSWORD, "account_bad_role"),
        ("an na", "advisor", PASSWORD, "account_bad_name"),
        ("", "advisor", PASSWORD, "account_bad_name"),
    ],
)
def test_bad_accounts_are_refused(accounts: Accounts, name: str, role: str, password: str, key: str) -> None:
    with pytest.raises(AccountError) as caught:
        accounts.add_user(name, role, password)
    assert caught.value.key == key
    assert accounts.users() == []


def test_a_name_is_taken_once(accounts: Accounts) -> None:
    accounts.add_user("anna", "advisor", PASSWORD)
    with pytest.raises(AccountError) as caught:
        accounts.add_user("anna", "admin", PASSWORD)
    assert caught.value.key == "account_exists"


def test_a_disabled_user_cannot_sign_in_and_loses_their_sessions(accounts: Accounts) -> None:
    user = accounts.add_user("anna", "advisor", PASSWORD)
    session = accounts.create_session(user.id, timedelta(hours=1))
    assert accounts.session_user(session) == user
    accounts.set_disabled("anna")
    assert accounts.authenticate("anna", PASSWORD) is None
    assert accounts.session_user(session) is None


def test_tokens_and_sessions_are_stored_only_as_hashes_and_can_be_revoked(accounts: Accounts) -> None:
    user = accounts.add_user("anna", "advisor", PASSWORD)
    token = accounts.create_token("anna")
    session = accounts.create_session(user.id, timedelta(hours=1))
    with accounts.engine.connect() as db:
        assert db.execute(select(ApiTokenRow.token_hash)).scalar_one() == token_hash(token)
        assert db.execute(select(SessionRow.token_hash)).scalar_one() == token_hash(session)
    assert accounts.token_user(token) == user
    assert accounts.token_user(token + "x") is None
    (listed,) = accounts.tokens("anna")
    assert accounts.revoke_token("anna", listed["id"])
    assert accounts.token_user(token) is None
    accounts.revoke_session(session)
    assert accounts.session_user(session) is None


def test_an_expired_session_signs_no_one_in(accounts: Accounts) -> None:
    user = accounts.add_user("anna", "advisor", PASSWORD)
    assert accounts.session_user(accounts.create_session(user.id, timedelta(seconds=-1))) is None


def test_login_failures_are_counted_in_their_window(accounts: Accounts) -> None:
    accounts.record_failure("name:anna", "ip:10.0.0.1")
    accounts.record_failure("name:anna")
    assert accounts.recent_failures("name:anna", timedelta(minutes=15)) == 2
    assert accounts.recent_failures("ip:10.0.0.1", timedelta(minutes=15)) == 1
    assert accounts.recent_failures("name:anna", timedelta(seconds=-1)) == 0
    accounts.clear_failures("ip:10.0.0.1")
    assert accounts.recent_failures("ip:10.0.0.1", timedelta(minutes=15)) == 0


# --- the CLI ------------------------------------------------------------------------------------


def cli(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    get_settings.cache_clear()
    result = CliRunner().invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_the_cli_adds_an_advisor_and_gives_them_a_token_once() -> None:
    code, out, _ = cli("users", "add", "anna", "--role", "advisor", "--password-stdin", stdin=PASSWORD + "\n")
    assert code == 0, out
    code, token, note = cli("tokens", "create", "anna")
    assert code == 0 and "visas inte igen" in note
    token = token.strip()
    store = Accounts.from_url(get_settings().sql_url)
    try:
        user = store.token_user(token)
        assert user is not None and user.name == "anna" and user.role == "advisor"
        assert store.authenticate("anna", PASSWORD) is not None
        assert [e["action"] for e in store.audit_log()] == ["token.create", "user.add"]
    finally:
        store.dispose()
    code, out, _ = cli("users", "list")
    assert code == 0 and "anna" in out and "advisor" in out and token not in out


def test_the_cli_asks_for_the_password_twice() -> None:
    code, _, err = cli("users", "add", "anna", stdin=f"{PASSWORD}\nnågot-annat-lösen\n")
    assert code == 1 and "stämmer inte" in err
    code, _, _ = cli("users", "add", "anna", "--role", "admin", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert code == 0


def test_the_cli_refuses_a_short_password_and_an_unknown_user_in_one_line() -> None:
    code, _, err = cli("users", "add", "anna", "--password-stdin", stdin="kort\n")
    assert code == 1 and "minst 10 tecken" in err and "Traceback" not in err
    code, _, err = cli("tokens", "create", "ingen")
    assert code == 1 and "finns inte" in err


def test_a_disabled_users_token_is_known_but_marked_disabled() -> None:
    cli("users", "add", "anna", "--password-stdin", stdin=PASSWORD + "\n")
    _, token, _ = cli("tokens", "create", "anna")
    code, _, _ = cli("users", "disable", "anna")
    assert code == 0
    store = Accounts.from_url(get_settings().sql_url)
    try:
        user = store.token_user(token.strip())
        assert user is not None and user.disabled and not user.is_advisor
    finally:
        store.dispose()
