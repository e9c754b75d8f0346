"""The issue's "done when", against ``advisor serve`` itself: a real uvicorn process configured only
by environment variables, the real core (over the LLM stub), and the fake Slack Web API."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant.settings import Settings
from assistant.store import ChunkStore
from ingest.pipeline import sync
from tests.slack.conftest import SECRET
from tests.slack.fake_slack import BOT_USER, FakeSlack, SlackUser
from tests.slack.helpers import block_text
from tests.support.llm_stub import LLMStub
from tests.web.helpers import stubbed_settings

pytestmark = pytest.mark.slow

QUESTION = "Hur går en förfrågan om information till?"
# Nothing of the developer's environment may leak in: secrets, proxies, another data dir.
DROPPED = (
    "OPENAI_",
    "ADVISOR_",
    "SLACK_",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(
    settings: Settings, docs: Path, tmp_path: Path, slack: FakeSlack
) -> Iterator[tuple[str, LLMStub, Path]]:
    with LLMStub() as llm:
        configured = stubbed_settings(settings, llm)
        report = sync([docs], ChunkStore(configured))
        assert report.ok, report.failed
        env = {k: v for k, v in os.environ.items() if not k.startswith(DROPPED)}
        env.update(
            {
                "ADVISOR_DATA_DIR": str(configured.data_dir),
                "ADVISOR_CONCEPTS_PATH": str(configured.concepts_path),
                "ADVISOR_EMBEDDING_PROVIDER": "openai",
                "ADVISOR_EMBEDDING_MODEL": "stub-embed",
                "ADVISOR_LLM_PROVIDER": "openai",
                "ADVISOR_LLM_MODEL": "stub-chat",
                "OPENAI_BASE_URL": llm.base_url,
                "OPENAI_API_KEY": "test",
                "SLACK_BOT_TOKEN": "xoxb-served",
                "SLACK_SIGNING_SECRET": SECRET,
                "ADVISOR_SLACK_API_URL": slack.url,
            }
        )
        port = _free_port()
        log = tmp_path / "serve.log"
        advisor = Path(sys.executable).parent / "advisor"
        with log.open("wb") as out:
            # From tmp_path, so no .env of the developer's is read.
            proc = subprocess.Popen(
                [str(advisor), "serve", "--host", "127.0.0.1", "--port", str(port)],
                env=env,
                cwd=tmp_path,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
            url = f"http://127.0.0.1:{port}"
            try:
                deadline = time.monotonic() + 90
                while True:
                    try:
                        if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    if proc.poll() is not None or time.monotonic() > deadline:
                        pytest.fail(
                            f"advisor serve did not start:\n{log.read_text(errors='replace')[-3000:]}"
                        )
                    time.sleep(0.2)
                yield url, llm, log
            finally:
                proc.terminate()
                proc.wait(timeout=30)


def test_advisor_serve_answers_a_signed_mention_once_in_its_thread(
    served: tuple[str, LLMStub, Path], slack: FakeSlack
) -> None:
    url, llm, log = served
    with httpx.Client(timeout=20) as http:
        assert http.get(f"{url}/api/health").json()["slack"] is True
        user = SlackUser(http, slack, SECRET, base_url=url)
        llm.enqueue("Publicera en förfrågan om information och ge alla samma information [1].")
        message = slack.add_message("C0PUBLIC", f"<@{BOT_USER}> {QUESTION}")
        body = user.event_body({**message, "type": "app_mention"}, event_id="Ev0SERVED")

        assert user.send(body, "application/json").status_code == 200
        assert slack.wait_for(lambda: slack.posts(), timeout=30), slack.methods()
        (post,) = slack.posts()
        assert post["channel"] == "C0PUBLIC" and post["thread_ts"] == message["ts"]
        text = block_text(post["blocks"])
        assert "ge alla samma information [1]." in text
        assert "[1] Tidig dialog med marknaden" in text, "the answer cites its source"
        assert slack.calls[0].headers["authorization"] == "Bearer xoxb-served"

        # Slack did not see the ack in time and sends the same event again: no second answer.
        assert user.send(body, "application/json", retry=1).status_code == 200
        # Bad and stale signatures: 401, and nothing is done.
        assert user.send(body, "application/json", signature="v0=" + "0" * 64).status_code == 401
        assert user.send(body, "application/json", timestamp=int(time.time()) - 600).status_code == 401
        slack.wait_quiet(quiet=1.0)
        assert len(slack.posts()) == 1
        assert len(llm.chat_requests) == 1, "the core answered once"
    assert QUESTION not in log.read_text(errors="replace"), "message text in the server's log"
