"""Accounts on the pages, for admins only: add a user, disable and enable, and a new API token shown
once (only its hash kept); an advisor is refused; every change is audited."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from records.accounts import Accounts
from tests.admin.conftest import PASSWORD
from tests.admin.test_pages import csrf_of, sign_in


def as_admin(client: TestClient) -> str:
    assert sign_in(client, name="adam").status_code == 303
    page = client.get("/admin/accounts")
    assert page.status_code == 200
    return csrf_of(page.text)


def test_an_admin_adds_a_user_who_can_then_sign_in(client: TestClient) -> None:
    csrf = as_admin(client)
    form = {"csrf": csrf, "name": "rut", "role": "advisor", "password": PASSWORD, "repeat": PASSWORD}
    response = client.post("/admin/accounts", data=form)
    assert response.status_code == 200 and 'data-user="rut"' in response.text
    mismatch = client.post("/admin/accounts", data=form | {"name": "sara", "repeat": "något-annat-lösen"})
    assert mismatch.status_code == 422 and "stämmer inte" in mismatch.text
    short = client.post("/admin/accounts", data=form | {"name": "sara", "password": "kort", "repeat": "kort"})
    assert short.status_code == 422 and "minst 10 tecken" in short.text
    taken = client.post("/admin/accounts", data=form)
    assert taken.status_code == 422 and "finns redan" in taken.text
    client.cookies.clear()
    assert sign_in(client, name="rut").status_code == 303
    assert client.get("/admin").status_code == 200


def test_a_new_token_is_shown_once_and_works(client: TestClient) -> None:
    csrf = as_admin(client)
    response = client.post("/admin/accounts/anna/tokens", data={"csrf": csrf})
    assert response.status_code == 200
    token = re.search(r'data-role="token">([^<]+)<', response.text).group(1)
    assert client.get("/api/documents", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert token not in client.get("/admin/accounts").text
    assert token not in str(client.app.state.accounts.audit_log())


def test_disabling_a_user_ends_their_access(client: TestClient) -> None:
    csrf = as_admin(client)
    client.post("/admin/accounts/anna/disabled", data={"csrf": csrf, "disabled": "true"})
    accounts: Accounts = client.app.state.accounts
    assert accounts.user("anna").disabled
    own = client.post("/admin/accounts/adam/disabled", data={"csrf": csrf, "disabled": "true"})
    assert own.status_code == 422 and not accounts.user("adam").disabled
    client.post("/admin/accounts/anna/disabled", data={"csrf": csrf, "disabled": "false"})
    assert not accounts.user("anna").disabled
    actions = [(e["action"], e["target"]) for e in accounts.audit_log()][:2]
    assert actions == [("user.enable", "anna"), ("user.disable", "anna")]


def test_accounts_are_for_admins_only(client: TestClient) -> None:
    assert sign_in(client).status_code == 303
    page = client.get("/admin")
    assert "/admin/accounts" not in page.text
    assert client.get("/admin/accounts").status_code == 403
    csrf = csrf_of(page.text)
    refused = client.post("/admin/accounts/petra/tokens", data={"csrf": csrf})
    assert refused.status_code == 403 and 'data-role="token"' not in refused.text
    assert client.app.state.accounts.tokens("petra")[1:] == []  # only the token made by the fixture


def test_account_changes_need_the_csrf_token(client: TestClient) -> None:
    as_admin(client)
    response = client.post(
        "/admin/accounts/anna/disabled", data={"csrf": "fel", "disabled": "true"}, follow_redirects=False
    )
    assert "csrf_failed" in response.headers["location"]
    assert not client.app.state.accounts.user("anna").disabled
