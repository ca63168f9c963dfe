"""The gateway's access log: one line per request, without the query string.

aiohttp's default access log prints the request line (``%r``), query string
included, so a sender passing the gateway token as ``?token=`` would leave it
in the logs. ``AccessLogger`` logs the method and the path only, never the
query, nor any header but the user agent.
"""

from __future__ import annotations

from aiohttp.abc import AbstractAccessLogger
from aiohttp.web import BaseRequest, StreamResponse


class AccessLogger(AbstractAccessLogger):
    """``remote "METHOD /path" status bytes seconds "user agent"``; pass as ``access_log_class``."""

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        """Log one answered request (called by aiohttp after the response is sent)."""
        self.logger.info(
            '%s "%s %s" %d %d %.3fs "%s"',
            request.remote,
            request.method,
            request.path,
            response.status,
            response.body_length,
            time,
            request.headers.get("User-Agent", "-"),
        )
