"""Load test: concurrent chat streams against the real app on loopback, the LLM behind the test server.

Not part of the test run (run it by hand; the figures go to BENCHMARKS.md):

    .venv/bin/python -m tests.load.chat_load [--streams 50] [--leavers 10] [--seconds 60] [--corpus corpus/]

It starts ``tests.load.server`` in its own process, then for ``--seconds`` keeps ``--streams``
clients each asking one question after another (reading every stream to its ``done``), and
``--leavers`` clients that hang up mid-stream after their first token. A probe asks ``/api/health``
twice a second, to see whether the event loop ever stalls. It reports streams completed, p50/p95
time to first token and to done, statuses (429, 503, errors), the probe's worst latency, and the
server's resident memory before and after (``/proc/<pid>/status``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import socket
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

QUESTIONS_FILE = Path(__file__).resolve().parents[1] / "data" / "corpus_questions.jsonl"
FALLBACK_QUESTIONS = [
    "När får man använda innovationspartnerskap?",
    "Hur går en förfrågan om information till?",
    "Vad är tröskelvärdet för direktupphandling?",
]


@dataclass
class Figures:
    completed: int = 0
    left_mid_stream: int = 0
    first_token_s: list[float] = field(default_factory=list)
    done_s: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    error_events: Counter[str] = field(default_factory=Counter)
    probe_s: list[float] = field(default_factory=list)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def ask(client: httpx.AsyncClient, question: str, figures: Figures, *, leave: bool) -> None:
    started = time.perf_counter()
    first: float | None = None
    try:
        async with client.stream("POST", "/api/chat", json={"message": question}) as response:
            if response.status_code != 200:
                await response.aread()
                figures.statuses[str(response.status_code)] += 1
                if response.status_code in (429, 503):
                    await asyncio.sleep(float(response.headers.get("retry-after", "1")))
                return
            figures.statuses["200"] += 1
            event = ""
            async for line in response.aiter_lines():
                if line.startswith("event: "):
                    event = line[7:]
                    if event == "token" and first is None:
                        first = time.perf_counter() - started
                        figures.first_token_s.append(first)
                        if leave:
                            figures.left_mid_stream += 1
                            return  # closing the stream hangs up mid-answer
                elif line.startswith("data: ") and event == "error":
                    figures.error_events[json.loads(line[6:]).get("key", "?")] += 1
                elif line.startswith("data: ") and event == "done":
                    figures.completed += 1
                    figures.done_s.append(time.perf_counter() - started)
    except httpx.HTTPError as exc:
        figures.statuses[type(exc).__name__] += 1


async def client_loop(url: str, questions: list[str], until: float, figures: Figures, *, leave: bool) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        while time.monotonic() < until:
            await ask(client, random.choice(questions), figures, leave=leave)


async def probe(url: str, until: float, figures: Figures) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        while time.monotonic() < until:
            started = time.perf_counter()
            await client.get("/api/health")
            figures.probe_s.append(time.perf_counter() - started)
            await asyncio.sleep(0.5)


async def run(url: str, streams: int, leavers: int, seconds: float, questions: list[str]) -> Figures:
    figures = Figures()
    until = time.monotonic() + seconds
    await asyncio.gather(
        *(client_loop(url, questions, until, figures, leave=False) for _ in range(streams)),
        *(client_loop(url, questions, until, figures, leave=True) for _ in range(leavers)),
        probe(url, until, figures),
    )
    return figures


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=50)
    parser.add_argument("--leavers", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--corpus", type=Path, action="append")
    parser.add_argument("--slots", type=int, default=8)
    parser.add_argument("--rate-limit", type=int, default=0, help="Per client and minute (0 = off).")
    parser.add_argument("--token-delay", type=float, default=0.01)
    parser.add_argument("--json", action="store_true", help="Print the figures as one JSON object.")
    args = parser.parse_args(argv)

    questions = [
        json.loads(line)["q"]
        for line in QUESTIONS_FILE.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ] or FALLBACK_QUESTIONS
    port = free_port()
    command = [sys.executable, "-m", "tests.load.server", "--port", str(port), "--slots", str(args.slots)]
    command += ["--rate-limit", str(args.rate_limit), "--token-delay", str(args.token_delay)]
    for folder in args.corpus or []:
        command += ["--corpus", str(folder)]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        if not server.stdout.readline().startswith("ready"):
            raise SystemExit("the server did not start")
        url = f"http://127.0.0.1:{port}"
        # Warm up (first answers load what is loaded lazily), then measure from there.
        asyncio.run(run(url, 4, 0, 5.0, questions))
        before = rss_kb(server.pid)
        started = time.perf_counter()
        figures = asyncio.run(run(url, args.streams, args.leavers, args.seconds, questions))
        elapsed = time.perf_counter() - started
        time.sleep(2.0)
        after = rss_kb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)

    report = {
        "streams": args.streams,
        "leavers": args.leavers,
        "seconds": round(elapsed, 1),
        "slots": args.slots,
        "completed": figures.completed,
        "left_mid_stream": figures.left_mid_stream,
        "statuses": dict(figures.statuses),
        "error_events": dict(figures.error_events),
        "first_token_p50_s": round(percentile(figures.first_token_s, 50), 3),
        "first_token_p95_s": round(percentile(figures.first_token_s, 95), 3),
        "done_p50_s": round(percentile(figures.done_s, 50), 3),
        "done_p95_s": round(percentile(figures.done_s, 95), 3),
        "health_probe_max_s": round(max(figures.probe_s, default=float("nan")), 3),
        "health_probe_p95_s": round(percentile(figures.probe_s, 95), 3),
        "rss_before_mb": round(before / 1024, 1),
        "rss_after_mb": round(after / 1024, 1),
    }
    sys.stdout.write(json.dumps(report, indent=None if args.json else 2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
