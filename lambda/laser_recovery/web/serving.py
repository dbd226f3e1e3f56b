"""The HTTP server under the Flask app: werkzeug's threaded server, with two changes.

- What http.server refuses itself, before the app sees a request (a request line or header
  line too long, too many headers, bad syntax, an HTTP version it does not speak), is
  answered in the app's own shape, one line of JSON with a 4xx status, not an HTML page.
- A connection has `read_timeout` seconds from when it opens to send its whole request, and
  is closed when it has not. A socket timeout alone bounds each wait, not the request, so a
  client sending a byte every few seconds could hold its thread for days. Once the answer is
  sent, whatever the client still sends is read for a moment only, then it is cut off.
"""

from __future__ import annotations

import io
import json
import logging
import socket
import time
from http import HTTPStatus
from typing import Any

from flask import Flask
from werkzeug.serving import (
    LISTEN_QUEUE,
    BaseWSGIServer,
    WSGIRequestHandler,
    get_sockaddr,
    make_server,
    select_address_family,
)

log = logging.getLogger(__name__)

# After the answer, how long the rest of a refused body is read before the connection is cut.
# Reading it lets the client see the answer rather than a reset.
_DRAIN_SECONDS = 0.2


class _RequestReader(io.RawIOBase):
    """The connection's incoming bytes, until a deadline; after it, reads raise TimeoutError."""

    def __init__(self, connection: socket.socket, seconds: float) -> None:
        super().__init__()
        self._connection = connection
        self._deadline = time.monotonic() + seconds

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request did not arrive in time")
        self._connection.settimeout(left)
        return self._connection.recv_into(buffer)

    def hurry(self, seconds: float) -> None:
        self._deadline = min(self._deadline, time.monotonic() + seconds)


class JsonRequestHandler(WSGIRequestHandler):
    """werkzeug's handler, with JSON refusals and a deadline for the whole request."""

    read_timeout = 10.0  # set per server by `handler_for`

    def setup(self) -> None:
        super().setup()
        self._reader = _RequestReader(self.connection, self.read_timeout)
        self.rfile = io.BufferedReader(self._reader)

    def end_headers(self) -> None:
        # The answer goes out now, with the whole timeout for each write whatever the reads
        # left; the request needs no more reading.
        self.connection.settimeout(self.read_timeout)
        self._reader.hurry(_DRAIN_SECONDS)
        super().end_headers()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # Only http.server calls this, for requests it cannot parse. Its message quotes what the
        # client sent, so neither the answer nor the log carries it.
        status = code if 400 <= code < 500 else HTTPStatus.BAD_REQUEST
        try:
            reason = HTTPStatus(code).phrase
        except ValueError:
            reason = HTTPStatus.BAD_REQUEST.phrase
        log.warning("refused request: %s", reason)
        body = json.dumps({"error": reason}).encode()
        self.close_connection = True
        # A request line too broken to name its version still gets a status line.
        self.request_version = self.protocol_version
        self.send_response_only(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_error(self, format: str, *args: Any) -> None:
        # http.server's messages quote what the client sent (a timed-out or broken request):
        # only their kind is logged.
        log.info("connection closed: %s", format.split("%", 1)[0].rstrip(" :,"))


def handler_for(read_timeout: float) -> type[JsonRequestHandler]:
    return type("ConfiguredRequestHandler", (JsonRequestHandler,), {"read_timeout": read_timeout})


def listen(host: str, port: int) -> socket.socket:
    """A socket listening on host and port, before anything else starts (so a taken port
    stops start-up before a store file is made or a warning is printed).

    Raises OSError when it cannot listen there. (Left to bind the socket itself, werkzeug
    prints two lines and exits the process.)
    """
    family = select_address_family(host, port)
    listener = socket.socket(family, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(get_sockaddr(host, port, family))
        listener.listen(LISTEN_QUEUE)
    except OSError:
        listener.close()
        raise
    return listener


def server(app: Flask, listener: socket.socket, read_timeout: float) -> BaseWSGIServer:
    """The threaded server for `app` on the listening socket; `serve_forever()` runs it."""
    host, port = listener.getsockname()[:2]
    with listener:  # werkzeug serves a duplicate of this socket; this one is closed on the way out
        return make_server(
            host, port, app, threaded=True, request_handler=handler_for(read_timeout), fd=listener.fileno()
        )
