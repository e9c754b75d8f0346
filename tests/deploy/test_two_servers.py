"""Several machines: two ``advisor serve`` processes with their own data dirs, sharing one PostgreSQL
(records, the lexical index, the writers' lock) and one ``chroma run`` server. A document uploaded
through one is answered, cited, by the other; deleted through one, it is gone from the other."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.core.test_integration import chroma_server  # noqa: F401 - `chroma run`, started per test
from tests.slack.test_serve import DROPPED  # what a served process must not inherit
from tests.support.llm_stub import LLMStub
from tests.web.helpers import parse_sse
from tests.web.test_postgres import _fresh_database, postgres_url  # noqa: F401 - the throwaway cluster

pytestmark = pytest.mark.slow

ADVISOR = Path(sys.executable).parent / "advisor"
NOTE = """---
title: Snöröjning med eldrivna plogar
language: sv
---

# Snöröjning med eldrivna plogar

## Krav på plogbilarna

Kommunen kan ställa krav på att plogbilarna drivs med el och att laddningen ordnas vid depån.
Kravet ska hänga samman med det som köps och vara proportionerligt.
"""
QUESTION = "Får kommunen kräva att plogbilarna drivs med el och laddas vid depån?"
TITLE = "Snöröjning med eldrivna plogar"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _environment(data_dir: Path, database: str, chroma: str, llm: LLMStub) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(DROPPED)}
    env.update(
        {
            "ADVISOR_DATA_DIR": str(data_dir),
            "ADVISOR_DATABASE_URL": database,
            "ADVISOR_CHROMA_URL": chroma,
            "ADVISOR_EMBEDDING_PROVIDER": "openai",
            "ADVISOR_EMBEDDING_MODEL": "stub-embed",
            "ADVISOR_LLM_PROVIDER": "none",  # cited excerpts: the answer shows what was retrieved
            "OPENAI_BASE_URL": llm.base_url,
            "OPENAI_API_KEY": "test",
        }
    )
    return env


def _serve(stack: ExitStack, env: dict[str, str], cwd: Path, name: str) -> str:
    port = _free_port()
    log = cwd / f"{name}.log"
    out = stack.enter_context(log.open("wb"))
    proc = subprocess.Popen(
        [str(ADVISOR), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=cwd,  # no developer's .env is read from here
        stdout=out,
        stderr=subprocess.STDOUT,
    )

    def stop() -> None:
        proc.terminate()
        proc.wait(timeout=30)

    stack.callback(stop)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                return url
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"advisor serve ({name}) did not start:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.2)


@pytest.fixture
def two_servers(
    tmp_path: Path,
    postgres_url: str,  # noqa: F811
    chroma_server: str,  # noqa: F811
) -> Iterator[tuple[str, str, dict[str, str], dict[str, str]]]:
    database = _fresh_database(postgres_url, "two_servers")
    with LLMStub() as llm, ExitStack() as stack:
        first_env = _environment(tmp_path / "machine-a", database, chroma_server, llm)
        second_env = _environment(tmp_path / "machine-b", database, chroma_server, llm)
        added = subprocess.run(
            [str(ADVISOR), "users", "add", "rådgivare", "--role", "advisor", "--password-stdin"],
            input="ett långt och hemligt lösenord\n",
            env=first_env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
        )
        assert added.returncode == 0, added.stderr
        token = subprocess.run(
            [str(ADVISOR), "tokens", "create", "rådgivare"],
            env=first_env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
        )
        assert token.returncode == 0, token.stderr
        headers = {"Authorization": f"Bearer {token.stdout.strip()}"}
        first = _serve(stack, first_env, tmp_path, "machine-a")
        second = _serve(stack, second_env, tmp_path, "machine-b")
        yield first, second, headers, second_env


def _ask(url: str, question: str = QUESTION) -> dict[str, Any]:
    response = httpx.post(f"{url}/api/chat", json={"message": question}, timeout=120)
    assert response.status_code == 200, response.text
    events = parse_sse(response.text)
    sources = [data for name, data in events if name == "sources"]
    done = [data for name, data in events if name == "done"]
    assert done, events
    return {"titles": [c["title"] for s in sources for c in s], "done": done[-1]}


def test_a_document_uploaded_through_one_server_is_cited_by_the_other_until_deleted(
    two_servers: tuple[str, str, dict[str, str], dict[str, str]], docs: Path
) -> None:
    first, second, headers, second_env = two_servers
    # Ingest from the second machine's command line, while both servers run: the first answers from it.
    ingested = subprocess.run(
        [str(ADVISOR), "ingest", str(docs)], env=second_env, cwd=docs.parent, capture_output=True, text=True
    )
    assert ingested.returncode == 0, ingested.stderr
    dialog = _ask(first, "Varför ska man föra en tidig dialog med marknaden före upphandlingen?")
    assert not dialog["done"]["refused"] and "Tidig dialog med marknaden" in dialog["titles"]
    assert TITLE not in _ask(second)["titles"]

    response = httpx.post(
        f"{first}/api/documents",
        files=[("files", ("plogar.md", NOTE.encode(), "text/markdown"))],
        headers=headers,
        timeout=60,
    )
    assert response.status_code == 202, response.text
    (upload,) = response.json()["files"]
    deadline = time.monotonic() + 120
    while True:
        status = httpx.get(f"{first}/api/documents/{upload['id']}", headers=headers, timeout=30).json()
        if status["status"] in {"indexed", "unchanged", "failed"} or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert status["status"] == "indexed", status

    # The other server lists it and answers from it, citing it.
    listed = httpx.get(f"{second}/api/documents", headers=headers, timeout=30).json()
    assert TITLE in [d["title"] for d in listed["documents"]]
    answered = _ask(second)
    assert not answered["done"]["refused"]
    assert TITLE in answered["titles"]

    doc_id = status["document_id"]
    deleted = httpx.delete(f"{first}/api/documents/{doc_id}", headers=headers, timeout=60)
    assert deleted.status_code == 204, deleted.text
    assert TITLE not in _ask(second)["titles"]
    assert httpx.get(f"{second}/api/documents/{doc_id}", headers=headers, timeout=30).status_code == 404
