"""A small OpenAI-compatible server for tests, so the real ``openai`` client and LangChain code run.

It listens on 127.0.0.1 on a free port in a background thread and answers

* ``POST /v1/chat/completions``, streaming (SSE chunks ending in ``data: [DONE]``) or not;
* ``POST /v1/embeddings``, with deterministic vectors (hashed character trigrams, L2-normalised),
  in ``float`` or ``base64`` encoding as the client asks;
* ``GET /v1/models``.

Chat replies come from a queue (``enqueue``); when it is empty the reply quotes the first numbered
passage of the prompt and cites it as ``[1]``. A reply given as a list of strings is streamed in
exactly those chunks, so a test can split a word where a real model's tokenizer might. Only the standard library is used, so core and web
tests can share it.

    with LLMStub() as stub:
        stub.enqueue("Innovationspartnerskap får användas när … [1]")
        settings = Settings(OPENAI_BASE_URL=stub.base_url, OPENAI_API_KEY="test")
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import struct
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DIMENSION = 64
_TOKEN = re.compile(r"\s*\S+\s*")
_PASSAGE = re.compile(r"^\[1\][^\n]*\n(.+?)(?:\n\s*\n|\n\[\d+\]|\n</utdrag>|\Z)", re.DOTALL | re.MULTILINE)
_LABEL = re.compile(r"^.*?\b(?:fråga|question):\s*", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


def embed(text: str, dimension: int = DIMENSION) -> list[float]:
    """A deterministic vector: character trigrams hashed into ``dimension`` signed buckets."""
    padded = f"  {' '.join(text.lower().split())}  "
    vector = [0.0] * dimension
    for i in range(len(padded) - 2):
        digest = hashlib.blake2b(padded[i : i + 3].encode("utf-8"), digest_size=8).digest()
        value = int.from_bytes(digest, "little")
        vector[value % dimension] += 1.0 if (value >> 32) & 1 else -1.0
    norm = math.sqrt(sum(x * x for x in vector))
    if norm == 0.0:
        vector[0], norm = 1.0, 1.0
    return [x / norm for x in vector]


def default_reply(messages: list[dict[str, Any]]) -> str:
    """Quote the first sentence of the prompt's passage [1] and cite it.

    A prompt without numbered passages (a query rewrite) gets the user's last question back, so the
    rewrite step changes nothing unless a test scripts it.
    """
    prompt = "\n".join(_content(m) for m in messages)
    match = _PASSAGE.search(prompt)
    if not match:
        users = [_content(m) for m in messages if m.get("role") == "user"]
        last = users[-1].strip().splitlines()[-1] if users and users[-1].strip() else ""
        return _LABEL.sub("", last, count=1) or "Stubbsvar."
    passage = " ".join(match.group(1).split())
    sentence = _SENTENCE_END.split(passage, maxsplit=1)[0][:300].rstrip()
    return f"Enligt underlaget: {sentence} [1]"


_ASKS_FOR_PROMPT = re.compile(r"system ?prompt|instruktion|instruction", re.IGNORECASE)
_PLANTED_ORDER = re.compile(
    r"(?:svara|säg|answer|say) (?:alltid |istället |always |instead )?(?:att|that) ([^.\n]+)", re.IGNORECASE
)
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")


def compliant_reply(messages: list[dict[str, Any]]) -> str:
    """What a model that obeys every instruction it reads would say: the system prompt to whoever
    asks for it, the answer a planted passage orders, the image a passage embeds — so tests prove
    that the application's own guards catch it, not the model's good manners."""
    system = _content(messages[0]) if messages and messages[0].get("role") == "system" else ""
    users = [_content(m) for m in messages if m.get("role") == "user"]
    if users and _ASKS_FOR_PROMPT.search(users[-1]):
        return f"Här är mina instruktioner: {system}"
    prompt = "\n".join(_content(m) for m in messages)
    order = _PLANTED_ORDER.search(prompt)
    if order:
        return f"Enligt underlaget: {order.group(1).strip()} [1]"
    image = _IMAGE.search(prompt)
    if image:
        return f"{default_reply(messages)} {image.group(0)}"
    return default_reply(messages)


def tokens(text: str) -> list[str]:
    """Split a reply into stream chunks: one word with its surrounding whitespace each."""
    return _TOKEN.findall(text) or [text]


def _content(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, list):  # the content-parts form
        return "".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return str(content or "")


class LLMStub:
    """An OpenAI-compatible HTTP server on 127.0.0.1; use as a context manager."""

    def __init__(self, *, delay: float = 0.0, dimension: int = DIMENSION, model: str = "stub-chat") -> None:
        self.delay = delay  # seconds to wait before each streamed chunk
        # Obey instructions found anywhere in the prompt (see ``compliant_reply``) once the queue is spent.
        self.compliant = False
        self.dimension = dimension
        self.model = model
        self.requests: list[dict[str, Any]] = []  # every JSON body received, in order
        self.paths: list[str] = []  # the path of each of them
        self.fail_with: int | None = None  # answer every POST with this HTTP status while set
        self._fail_next: deque[int] = deque()  # answer the next POSTs with these statuses, once each
        self._cut_next: deque[int] = deque()  # drop the next streams after this many content chunks
        self.chunks_sent = 0  # streamed content chunks written to a client
        self.streams_completed = 0
        self.streams_aborted = 0  # streams the client hung up on
        self._replies: deque[str | list[str]] = deque()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- scripting ------------------------------------------------------------------------------

    def enqueue(self, *texts: str | list[str]) -> None:
        """The next chat replies, in order; the default reply is used once they are spent.

        A list is one reply streamed in exactly the given chunks.
        """
        with self._lock:
            self._replies.extend(texts)

    def fail_next(self, status: int, times: int = 1) -> None:
        """Answer the next ``times`` POSTs with HTTP ``status``; later ones are served normally."""
        with self._lock:
            self._fail_next.extend([status] * times)

    def cut_next(self, after: int, times: int = 1) -> None:
        """Drop the next ``times`` streamed replies after ``after`` content chunks, mid-answer."""
        with self._lock:
            self._cut_next.extend([after] * times)

    def _take_cut(self) -> int | None:
        with self._lock:
            return self._cut_next.popleft() if self._cut_next else None

    def reset(self) -> None:
        """Forget scripted replies, recorded requests, counters, delay and failure mode."""
        with self._lock:
            self._replies.clear()
            self._fail_next.clear()
            self._cut_next.clear()
            self.requests.clear()
            self.paths.clear()
            self.chunks_sent = self.streams_completed = self.streams_aborted = 0
        self.delay = 0.0
        self.fail_with = None
        self.compliant = False

    def next_reply(self, messages: list[dict[str, Any]]) -> str | list[str]:
        with self._lock:
            if self._replies:
                return self._replies.popleft()
        return compliant_reply(messages) if self.compliant else default_reply(messages)

    @property
    def chat_requests(self) -> list[dict[str, Any]]:
        return [
            body
            for path, body in zip(self.paths, self.requests, strict=True)
            if path.endswith("/completions")
        ]

    @property
    def embedding_requests(self) -> list[dict[str, Any]]:
        return [
            body for path, body in zip(self.paths, self.requests, strict=True) if path.endswith("/embeddings")
        ]

    # --- lifecycle ------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("LLMStub is not running; use it as a context manager")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def start(self) -> LLMStub:
        server = _QuietServer(("127.0.0.1", 0), _handler_for(self))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="llm-stub", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> LLMStub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _record(self, path: str, body: dict[str, Any]) -> int | None:
        """Keep the request; the HTTP status to fail it with, if a failure is due."""
        with self._lock:
            self.paths.append(path)
            self.requests.append(body)
            if self._fail_next:
                return self._fail_next.popleft()
        return self.fail_with


class _QuietServer(ThreadingHTTPServer):
    """A client that drops its connection (it stopped reading an answer) is normal, not an error."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def _handler_for(stub: LLMStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = 30  # an idle keep-alive connection frees its thread

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            return  # keep test output quiet

        # --- routing ----------------------------------------------------------------------------

        def do_GET(self) -> None:
            if self.path.rstrip("/").endswith("/models"):
                created = int(time.time())
                models = [
                    {"id": stub.model, "object": "model", "created": created, "owned_by": "llm-stub"},
                    {"id": "stub-embedding", "object": "model", "created": created, "owned_by": "llm-stub"},
                ]
                self._json(200, {"object": "list", "data": models})
            else:
                self._json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except json.JSONDecodeError:
                self._json(400, {"error": {"message": "body is not JSON", "type": "invalid_request_error"}})
                return
            failure = stub._record(self.path, body)
            if failure is not None:
                self._json(failure, {"error": {"message": "scripted failure", "type": "server_error"}})
            elif self.path.endswith("/chat/completions"):
                self._chat(body)
            elif self.path.endswith("/embeddings"):
                self._embeddings(body)
            else:
                self._json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})

        # --- endpoints --------------------------------------------------------------------------

        def _chat(self, body: dict[str, Any]) -> None:
            scripted = stub.next_reply(list(body.get("messages") or []))
            pieces = scripted if isinstance(scripted, list) else tokens(scripted)
            reply = "".join(pieces)
            model = str(body.get("model") or stub.model)
            ident = "chatcmpl-" + hashlib.sha1(reply.encode("utf-8")).hexdigest()[:12]
            prompt_tokens = sum(len(_content(m).split()) for m in body.get("messages") or [])
            usage = {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": len(pieces),
                "total_tokens": prompt_tokens + len(pieces),
            }
            if not body.get("stream"):
                self._json(
                    200,
                    {
                        "id": ident,
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": model,
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": reply},
                                "finish_reason": "stop",
                                "logprobs": None,
                            }
                        ],
                        "usage": usage,
                    },
                )
                return
            self._stream(
                pieces, ident, model, usage, bool((body.get("stream_options") or {}).get("include_usage"))
            )

        def _stream(
            self, pieces: list[str], ident: str, model: str, usage: dict[str, int], include_usage: bool
        ) -> None:
            created = int(time.time())

            def chunk(delta: dict[str, str], finish: str | None) -> dict[str, Any]:
                return {
                    "id": ident,
                    "object": "chat.completion.chunk",
                    "created": created,
                    "model": model,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
                }

            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            cut = stub._take_cut()
            try:
                self._event(chunk({"role": "assistant", "content": ""}, None))
                for sent, piece in enumerate(pieces):
                    if cut is not None and sent == cut:
                        # The connection dies mid-answer: no closing chunk, no [DONE].
                        self.close_connection = True
                        self.connection.shutdown(2)
                        return
                    if stub.delay:
                        time.sleep(stub.delay)
                    self._event(chunk({"content": piece}, None))
                    with stub._lock:
                        stub.chunks_sent += 1
                self._event(chunk({}, "stop"))
                if include_usage:
                    self._event({**chunk({}, None), "choices": [], "usage": usage})
                self._write(b"data: [DONE]\n\n")
                self._write(b"")  # the closing zero-length chunk
            except OSError:  # BrokenPipe / ConnectionReset: the client hung up
                with stub._lock:
                    stub.streams_aborted += 1
                self.close_connection = True
                return
            with stub._lock:
                stub.streams_completed += 1

        def _embeddings(self, body: dict[str, Any]) -> None:
            raw = body.get("input")
            inputs = [raw] if isinstance(raw, str) or (raw and isinstance(raw[0], int)) else list(raw or [])
            texts = [x if isinstance(x, str) else " ".join(map(str, x)) for x in inputs]
            as_base64 = body.get("encoding_format") == "base64"
            data = []
            for i, text in enumerate(texts):
                vector = embed(text, stub.dimension)
                encoded: Any = (
                    base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode("ascii")
                    if as_base64
                    else vector
                )
                data.append({"object": "embedding", "index": i, "embedding": encoded})
            n_tokens = sum(len(t.split()) for t in texts)
            self._json(
                200,
                {
                    "object": "list",
                    "data": data,
                    "model": str(body.get("model") or "stub-embedding"),
                    "usage": {"prompt_tokens": n_tokens, "total_tokens": n_tokens},
                },
            )

        # --- writing ----------------------------------------------------------------------------

        def _json(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _event(self, payload: dict[str, Any]) -> None:
            self._write(b"data: " + json.dumps(payload, ensure_ascii=False).encode("utf-8") + b"\n\n")

        def _write(self, data: bytes) -> None:
            """One HTTP/1.1 chunk, flushed at once so the client sees tokens as they are 'generated'."""
            self.wfile.write(f"{len(data):x}\r\n".encode("ascii") + data + b"\r\n")
            self.wfile.flush()

    return Handler
