"""With the shared database on PostgreSQL, writers on different data dirs (machines) take turns."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.settings import Settings
from ingest.lock import writer_lock
from tests.web.test_postgres import postgres_url  # noqa: F401  (the throwaway cluster)

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def test_a_writer_on_another_data_dir_waits_for_the_advisory_lock(
    postgres_url: str,  # noqa: F811
    settings: Settings,
    tmp_path: Path,
) -> None:
    other = tmp_path / "other-machine"
    holder = subprocess.Popen(
        [sys.executable, "-m", "tests.ingest.child", "hold", str(other)],
        cwd=ROOT,
        text=True,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env={**os.environ, "ADVISOR_DATABASE_URL": postgres_url},
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        heard: list[str] = []

        def on_wait(who: str) -> None:
            heard.append(who)
            assert holder.stdin is not None
            holder.stdin.close()

        here = settings.model_copy(update={"database_url": postgres_url})
        with writer_lock(here, on_wait=on_wait, timeout_s=60):
            assert holder.wait(timeout=30) == 0
        assert heard == ["PostgreSQL advisory lock"]
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(timeout=30)
