"""The glossary and synonym groups edited in the area: a change is checked, the version it replaces
is kept, and the next question uses it without a restart."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.glossary import BUNDLED, SYNONYMS
from assistant.settings import Settings
from tests.admin.conftest import Tokens
from tests.admin.test_pages import signed_in
from web.main import create_app


@pytest.fixture
def words(tmp_path: Path) -> Path:
    """Copies of the bundled word lists: the tests never write the project's corpus/."""
    folder = tmp_path / "words"
    folder.mkdir()
    shutil.copy(BUNDLED, folder / "glossary.yaml")
    shutil.copy(BUNDLED.parent / SYNONYMS, folder / SYNONYMS)
    return folder


@pytest.fixture
def app_client(core_settings: Settings, tokens: Tokens, words: Path) -> Iterator[TestClient]:
    settings = core_settings.model_copy(update={"glossary_path": words / "glossary.yaml"})
    with TestClient(create_app(settings)) as client:
        yield client


def synonyms(client: TestClient, word: str) -> list[str]:
    return client.app.state.assistant.retriever.glossary.synonyms_for(word)


def test_a_new_synonym_group_is_used_for_the_next_question(app_client: TestClient, words: Path) -> None:
    csrf = signed_in(app_client)
    before = (words / SYNONYMS).read_text(encoding="utf-8")
    assert synonyms(app_client, "snöröjningsfordon") == []
    page = app_client.get("/admin/vocabulary?kind=synonyms").text
    assert "moms, mervärdesskatt" in page
    edited = before + "  - [snöröjningsfordon, plogbil]\n"
    response = app_client.post("/admin/vocabulary/synonyms", data={"csrf": csrf, "content": edited})
    assert response.status_code == 200 and "Ändringen gäller från nästa fråga" in response.text
    assert synonyms(app_client, "snöröjningsfordon") == ["plogbil"]
    assert (words / SYNONYMS).read_text(encoding="utf-8") == edited
    (version,) = (app_client.app.state.settings.data_dir / "vocabulary-versions").iterdir()
    assert version.read_text(encoding="utf-8") == before and "-anna.yaml" in version.name
    assert "ersatt av anna" in response.text
    kept = app_client.get(f"/admin/vocabulary/versions/{version.name}")
    assert kept.status_code == 200 and kept.text == before
    assert app_client.app.state.accounts.audit_log()[0]["action"] == "vocabulary.synonyms"


def test_an_english_term_added_to_the_glossary_is_translated(app_client: TestClient, words: Path) -> None:
    csrf = signed_in(app_client)
    text = (words / "glossary.yaml").read_text(encoding="utf-8")
    edited = text + '  - en: ["snow plough"]\n    sv: ["plogbil"]\n'
    app_client.post("/admin/vocabulary/glossary", data={"csrf": csrf, "content": edited})
    found, _rest = app_client.app.state.assistant.retriever.glossary.expand("Can we buy a snow plough?")
    assert "plogbil" in found


@pytest.mark.parametrize(
    ("kind", "content", "says"),
    [
        ("synonyms", "groups: [[a, b]\n", "rad / line"),
        ("synonyms", "groups: moms\n", "en lista av listor"),
        ("glossary", "terms:\n  - en: snow\n", "terms #1"),
        ("glossary", "- bara en lista\n", "mappning"),
    ],
)
def test_a_broken_text_is_refused_and_nothing_changes(
    app_client: TestClient, words: Path, kind: str, content: str, says: str
) -> None:
    csrf = signed_in(app_client)
    path = words / ("glossary.yaml" if kind == "glossary" else SYNONYMS)
    before = path.read_text(encoding="utf-8")
    response = app_client.post(f"/admin/vocabulary/{kind}", data={"csrf": csrf, "content": content})
    assert response.status_code == 422 and says in response.text and "Traceback" not in response.text
    assert content.split("\n")[0] in response.text  # the draft is kept for correcting
    assert path.read_text(encoding="utf-8") == before
    assert not (app_client.app.state.settings.data_dir / "vocabulary-versions").exists()


def test_an_edit_needs_the_csrf_token(app_client: TestClient, words: Path) -> None:
    signed_in(app_client)
    before = (words / SYNONYMS).read_text(encoding="utf-8")
    app_client.post("/admin/vocabulary/synonyms", data={"csrf": "fel", "content": "groups: []\n"})
    assert (words / SYNONYMS).read_text(encoding="utf-8") == before


def test_a_version_name_cannot_reach_outside_its_folder(app_client: TestClient) -> None:
    signed_in(app_client)
    assert app_client.get("/admin/vocabulary/versions/..%2F..%2Fapp.sqlite3").status_code == 404
    assert app_client.get("/admin/vocabulary/versions/glossary-x.yaml").status_code == 404
