"""A stand-in for a notice webhook (Teams Workflows) and readers of the Teams card.

``WebhookDouble`` is a local HTTP server in a background thread, usable from
agent tests (one asyncio loop in the test thread) and from integration tests
(a worker subprocess). It answers from a script of (status, headers), then
``success`` (202, as a Workflows webhook does), and records every request.
It only accepts the exact configured path and query, as the signed Workflows
URL is checked by Microsoft: anything else gets 401.

``card()``, ``facts()``, ``texts()`` and ``links()`` read the Adaptive Card
out of a posted Teams body without caring about its layout elements.
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson

SIGNED_PATH = (
    "/workflows/4a7c1d0e9b8f/triggers/manual/paths/invoke"
    "?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=Zk3y-S1gn4tur3_s3cr3t"
)
"""The path and query of a Workflows URL; ``sig`` is the secret the logs must never show."""
SIGNATURE = "Zk3y-S1gn4tur3_s3cr3t"


class WebhookDouble:
    """A local webhook: scripted answers first, then ``success``; records every request."""

    def __init__(
        self,
        answers: list[tuple[int, dict[str, str]]] | None = None,
        *,
        path: str = SIGNED_PATH,
        success: int = 202,
    ) -> None:
        self.answers = list(answers or [])
        self.path = path
        self.success = success
        self.requests: list[tuple[float, int]] = []  # (monotonic time, status answered)
        self.bodies: list[dict[str, Any]] = []  # the bodies answered with success
        self.lock = threading.Lock()
        double = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with double.lock:
                    if self.path != double.path:
                        status, headers = 401, {}
                    elif double.answers:
                        status, headers = double.answers.pop(0)
                    else:
                        status, headers = double.success, {}
                    double.requests.append((time.monotonic(), status))
                    if status == double.success:
                        assert self.headers["Content-Type"] == "application/json"
                        double.bodies.append(orjson.loads(body))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{path}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> WebhookDouble:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def statuses(self) -> list[int]:
        """Return the statuses answered so far, in order."""
        with self.lock:
            return [status for _, status in self.requests]

    def wait_bodies(self, count: int, timeout: float = 90) -> list[dict[str, Any]]:
        """Wait until ``count`` bodies were taken; return them (TimeoutError otherwise)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.bodies) >= count:
                    return list(self.bodies)
            time.sleep(0.05)
        raise TimeoutError(f"{len(self.bodies)} of {count} notices arrived: {self.bodies}")


def card(body: dict[str, Any]) -> dict[str, Any]:
    """Return the Adaptive Card of a Teams body, checking the envelope on the way."""
    assert body["type"] == "message"
    (attachment,) = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    content: dict[str, Any] = attachment["content"]
    assert content["type"] == "AdaptiveCard"
    return content


def _text(element: dict[str, Any]) -> str:
    if element["type"] == "RichTextBlock":
        return "".join(inline["text"] for inline in element["inlines"])
    return str(element["text"])


def facts(content: dict[str, Any]) -> list[tuple[str, str]]:
    """Return the card's (label, value) rows, in order."""
    rows = []
    for element in content["body"]:
        if element["type"] == "ColumnSet":
            label, value = (column["items"][0] for column in element["columns"])
            rows.append((_text(label), _text(value)))
    return rows


def texts(content: dict[str, Any]) -> list[str]:
    """Return the texts of the card's top-level text elements (headline, title, footer)."""
    return [_text(e) for e in content["body"] if e["type"] in ("TextBlock", "RichTextBlock")]


def links(content: dict[str, Any]) -> list[str]:
    """Return the URLs of the card's open-URL actions."""
    return [a["url"] for a in content.get("actions", []) if a["type"] == "Action.OpenUrl"]
