"""A fake Slack for the tests: its Web API on 127.0.0.1 (port 0), and signed requests to the app.

Modelled on slack-bolt's own ``tests/mock_web_api_server``: a small HTTP server in a thread that
answers the methods the bot calls the way Slack does, records every call (method, arguments,
headers), and fails on demand (a status, a ``Retry-After``, an error key). It also keeps the
channels' messages, so ``conversations.replies`` returns a real thread: the ones tests say users
wrote and the ones the bot posted. ``/response/<id>`` stands for an interaction's ``response_url``.

``SlackUser`` plays Slack's side of the other direction: events, button clicks, modal submissions and
slash commands sent to ``/slack/events``, signed with ``slack_sdk.signature.SignatureVerifier``.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

from slack_sdk.signature import SignatureVerifier

TEAM = "T0TEAM"
BOT_USER = "U0BOT"
BOT_ID = "B0BOT"
APP_ID = "A0APP"
# Fields Slack sends JSON-encoded inside a form body.
JSON_FIELDS = ("blocks", "attachments", "view", "metadata")


@dataclass
class ApiCall:
    method: str  # "chat.postMessage", or "response_url" for a post to an interaction's response URL
    args: dict[str, Any]
    headers: dict[str, str]


@dataclass
class Failure:
    status: int
    error: str | None = None
    retry_after: int | None = None


@dataclass
class FakeSlack:
    """The Web API the bot talks to (``url``), with Slack's state as far as the bot can see it."""

    calls: list[ApiCall] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    failures: dict[str, deque[Failure]] = field(default_factory=dict)
    socket_url: str | None = None  # what apps.connections.open hands out (Socket Mode)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._ts = itertools.count(1)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
                fake._handle(self)

            do_GET = do_POST

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # --- lifecycle -------------------------------------------------------------------------------

    def __enter__(self) -> FakeSlack:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    @property
    def url(self) -> str:
        """The Web API's base URL (``ADVISOR_SLACK_API_URL``)."""
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str = "1") -> str:
        return f"http://127.0.0.1:{self.port}/response/{name}"

    # --- what tests arrange and read -------------------------------------------------------------------

    def next_ts(self) -> str:
        return f"1790000000.{next(self._ts):06d}"

    def add_message(
        self, channel: str, text: str, *, user: str = "U0ASKER", thread_ts: str | None = None, **extra: Any
    ) -> dict[str, Any]:
        """A message someone wrote in Slack; returns it as Slack stores it (with its ``ts``)."""
        message = {
            "type": "message",
            "channel": channel,
            "user": user,
            "text": text,
            "ts": self.next_ts(),
            **extra,
        }
        if thread_ts:
            message["thread_ts"] = thread_ts
        with self._lock:
            self.messages.append(message)
        return message

    def fail(
        self,
        method: str,
        status: int = 500,
        *,
        times: int = 1,
        error: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        """The next ``times`` calls of ``method`` fail this way."""
        queue = self.failures.setdefault(method, deque())
        queue.extend(Failure(status, error, retry_after) for _ in range(times))

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        with self._lock:
            return [c.args for c in self.calls if c.method == method]

    def methods(self) -> list[str]:
        """Every method called, in order (``auth.test`` left out: Bolt's own bookkeeping)."""
        with self._lock:
            return [c.method for c in self.calls if c.method != "auth.test"]

    def posts(self, channel: str | None = None) -> list[dict[str, Any]]:
        return [
            c for c in self.calls_to("chat.postMessage") if channel is None or c.get("channel") == channel
        ]

    def wait_for(self, condition: Callable[[], object], timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return True
            time.sleep(0.02)
        return bool(condition())

    def wait_quiet(self, quiet: float = 0.4, timeout: float = 10.0) -> None:
        """Wait until no call has arrived for ``quiet`` seconds: the bot has done what it will do."""
        deadline = time.monotonic() + timeout
        seen, since = -1, time.monotonic()
        while time.monotonic() < deadline:
            with self._lock:
                count = len(self.calls)
            if count != seen:
                seen, since = count, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return
            time.sleep(0.02)

    # --- the server --------------------------------------------------------------------------------------

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        parsed = urlparse(request.path)
        path = parsed.path
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length).decode("utf-8") if length else ""
        # Arguments come in the query string, a form body or a JSON body, depending on the method.
        args = {**_parse(parsed.query, ""), **_parse(raw, request.headers.get("Content-Type") or "")}
        headers = {k.lower(): v for k, v in request.headers.items()}
        if path.startswith("/response/"):
            with self._lock:
                self.calls.append(ApiCall("response_url", args, headers))
            self._send(request, 200, "ok", content_type="text/plain")
            return
        method = path.removeprefix("/api/")
        with self._lock:
            self.calls.append(ApiCall(method, args, headers))
            queue = self.failures.get(method)
            failure = queue.popleft() if queue else None
        if failure is not None:
            extra = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
            self._send(request, failure.status, {"ok": False, "error": failure.error or "fatal_error"}, extra)
            return
        token = "Bearer xapp-" if method == "apps.connections.open" else "Bearer xoxb-"
        if not headers.get("authorization", "").startswith(token):
            self._send(request, 200, {"ok": False, "error": "invalid_auth"})
            return
        self._send(request, 200, self._answer(method, args))

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://test.slack.com/",
                "team": "Test",
                "user": "advisor",
                "team_id": TEAM,
                "user_id": BOT_USER,
                "bot_id": BOT_ID,
            }
        if method == "chat.postMessage":
            message = {
                "type": "message",
                "user": BOT_USER,
                "bot_id": BOT_ID,
                "app_id": APP_ID,
                "text": args.get("text", ""),
                "blocks": args.get("blocks") or [],
                "ts": self.next_ts(),
                "channel": args.get("channel"),
            }
            if args.get("thread_ts"):
                message["thread_ts"] = args["thread_ts"]
            with self._lock:
                self.messages.append(message)
            return {"ok": True, "channel": args.get("channel"), "ts": message["ts"], "message": message}
        if method == "chat.update":
            with self._lock:
                for message in self.messages:
                    if message["channel"] == args.get("channel") and message["ts"] == args.get("ts"):
                        message.update(text=args.get("text", ""), blocks=args.get("blocks") or [])
            return {"ok": True, "channel": args.get("channel"), "ts": args.get("ts")}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self.next_ts()}
        if method == "conversations.replies":
            root = args.get("ts")
            with self._lock:
                thread = [
                    dict(m)
                    for m in self.messages
                    if m["channel"] == args.get("channel") and root in (m["ts"], m.get("thread_ts"))
                ]
            if not thread:
                return {"ok": False, "error": "thread_not_found"}
            return {"ok": True, "messages": sorted(thread, key=lambda m: m["ts"]), "has_more": False}
        if method == "chat.getPermalink":
            ts = str(args.get("message_ts", "")).replace(".", "")
            return {
                "ok": True,
                "channel": args.get("channel"),
                "permalink": f"https://test.slack.com/archives/{args.get('channel')}/p{ts}",
            }
        if method in ("reactions.add", "reactions.remove"):
            return {"ok": True}
        if method == "apps.connections.open" and self.socket_url:
            return {"ok": True, "url": self.socket_url}
        if method == "views.open":
            return {"ok": True, "view": {"id": "V0MODAL", **(args.get("view") or {})}}
        return {"ok": False, "error": "unknown_method"}

    @staticmethod
    def _send(
        request: BaseHTTPRequestHandler,
        status: int,
        body: Any,
        headers: dict[str, str] | None = None,
        content_type: str = "application/json; charset=utf-8",
    ) -> None:
        data = (body if isinstance(body, str) else json.dumps(body)).encode("utf-8")
        request.send_response(status)
        request.send_header("Content-Type", content_type)
        request.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            request.send_header(name, value)
        request.end_headers()
        request.wfile.write(data)


def _parse(raw: str, content_type: str) -> dict[str, Any]:
    if not raw:
        return {}
    if "json" in content_type or raw.lstrip().startswith("{"):
        return dict(json.loads(raw))
    args: dict[str, Any] = {k: v[0] for k, v in parse_qs(raw).items()}
    for name in JSON_FIELDS:
        if isinstance(args.get(name), str):
            args[name] = json.loads(args[name])
    return args


# --- Slack's requests to the app ------------------------------------------------------------------------


class SlackUser:
    """Sends what Slack sends to ``/slack/events``, signed with the app's signing secret.

    ``http`` is anything with httpx's ``post`` (a FastAPI ``TestClient`` or an ``httpx.Client``).
    """

    def __init__(self, http: Any, slack: FakeSlack, secret: str, base_url: str = "") -> None:
        self.http = http
        self.slack = slack
        self.verifier = SignatureVerifier(secret)
        self.url = base_url.rstrip("/") + "/slack/events"
        self._ids = itertools.count(1)

    def send(
        self,
        body: str,
        content_type: str,
        *,
        retry: int | None = None,
        timestamp: int | None = None,
        signature: str | None = None,
    ) -> Any:
        stamp = str(timestamp if timestamp is not None else int(time.time()))
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature or self.verifier.generate_signature(timestamp=stamp, body=body),
        }
        if retry is not None:
            headers["X-Slack-Retry-Num"] = str(retry)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        return self.http.post(self.url, content=body.encode("utf-8"), headers=headers)

    def event_body(self, event: dict[str, Any], event_id: str | None = None) -> str:
        return json.dumps(
            {
                "token": "legacy",
                "team_id": TEAM,
                "api_app_id": APP_ID,
                "type": "event_callback",
                "event": {"event_ts": event.get("ts"), **event},
                "event_id": event_id or f"Ev{next(self._ids):08d}",
                "event_time": int(time.time()),
                "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
            }
        )

    def event(self, event: dict[str, Any], *, event_id: str | None = None, **kwargs: Any) -> Any:
        return self.send(self.event_body(event, event_id), "application/json", **kwargs)

    def mention(
        self,
        text: str,
        channel: str = "C0PUBLIC",
        *,
        thread_ts: str | None = None,
        user: str = "U0ASKER",
        **kwargs: Any,
    ) -> tuple[dict[str, Any], Any]:
        """A user writes ``@bot text`` in a channel (kept in the fake), and Slack sends app_mention."""
        message = self.slack.add_message(channel, f"<@{BOT_USER}> {text}", user=user, thread_ts=thread_ts)
        event = {k: v for k, v in message.items() if k != "type"}
        return message, self.event({"type": "app_mention", **event}, **kwargs)

    def message_event(self, message: dict[str, Any], channel_type: str = "channel", **kwargs: Any) -> Any:
        return self.event({**message, "type": "message", "channel_type": channel_type}, **kwargs)

    def interact(self, payload: dict[str, Any]) -> Any:
        return self.send(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")

    def click(
        self, message: dict[str, Any], action_id: str, *, user: str = "U0ASKER", ephemeral: bool = False
    ) -> Any:
        """Click the button ``action_id`` on ``message`` (as the fake stored or was given it)."""
        button, block_id = _find_button(message.get("blocks") or [], action_id)
        channel = message.get("channel") or "C0PUBLIC"
        payload = {
            "type": "block_actions",
            "team": {"id": TEAM},
            "user": {"id": user},
            "api_app_id": APP_ID,
            "token": "legacy",
            "trigger_id": f"trigger-{next(self._ids)}",
            "container": {
                "type": "message",
                "message_ts": message.get("ts"),
                "channel_id": channel,
                "is_ephemeral": ephemeral,
            },
            "channel": {"id": channel},
            "response_url": self.slack.response_url(action_id),
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": block_id,
                    "value": button.get("value"),
                    "action_ts": str(time.time()),
                }
            ],
        }
        if not ephemeral:
            payload["message"] = message
        return self.interact(payload)

    def submit_view(self, view: dict[str, Any], values: dict[str, Any], user: str = "U0ASKER") -> Any:
        payload = {
            "type": "view_submission",
            "team": {"id": TEAM},
            "user": {"id": user},
            "api_app_id": APP_ID,
            "token": "legacy",
            "trigger_id": f"trigger-{next(self._ids)}",
            "view": {**view, "id": "V0MODAL", "state": {"values": values}},
        }
        return self.interact(payload)

    def command(self, text: str, *, channel: str = "C0PUBLIC", user: str = "U0ASKER") -> Any:
        body = urlencode(
            {
                "token": "legacy",
                "team_id": TEAM,
                "channel_id": channel,
                "user_id": user,
                "command": "/fraga",
                "text": text,
                "api_app_id": APP_ID,
                "response_url": self.slack.response_url("command"),
                "trigger_id": f"trigger-{next(self._ids)}",
            }
        )
        return self.send(body, "application/x-www-form-urlencoded")


def _find_button(blocks: list[dict[str, Any]], action_id: str) -> tuple[dict[str, Any], str]:
    for block in blocks:
        for element in block.get("elements") or []:
            if element.get("action_id") == action_id:
                return element, str(block.get("block_id") or "")
    raise AssertionError(f"no button {action_id!r} on the message")
