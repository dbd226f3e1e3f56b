"""Calls to Alexa's service APIs (the Settings API's time zone): one hard deadline per call,
only to Alexa's own hosts, over a kept-alive connection.

The SDK's DefaultApiClient calls `requests` with no timeout at all, so one hanging API
would hold the turn past Alexa's 8 seconds and the patient would hear Alexa's own error.
A socket timeout alone is not enough either: it bounds each wait, not the call, so a
server that trickles its headers or body a byte at a time holds the turn for as long as it
likes. Here every socket operation (connect, TLS handshake, send, each read) is given only
what is left of the call's deadline, so the call as a whole ends by it, whatever the server
does, and no watchdog thread is needed.

HTTP/1.1 is spoken here directly over `ssl`: a GET with a JSON answer is all the Settings API
needs, and `http.client` would add its header parser (the `email` package) to every cold
start. A connection that answered completely is kept for the next call to the same host
(a new TLS handshake and certificate check cost about 20 ms of CPU each); a connection that
failed in any way, or that the server asked to close, is never reused.

The request's apiEndpoint comes from the envelope: with verification off (a laptop), anyone
could name any host and have the skill call it with the request's token. Only the hosts in
`hosts` (Alexa's, unless the ALEXA_API_HOSTS setting names a test stand-in) are called.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import ssl
import threading
import time
from collections.abc import Collection
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ask_sdk_core.exceptions import ApiClientException
from ask_sdk_model.services import ApiClient, ApiClientRequest, ApiClientResponse

from . import budget
from .config import ALEXA_API_HOSTS

# The time-zone lookup is the only call made before the store; it has to leave the store
# its own budget inside the function's 7 seconds.
DEADLINE_SECONDS = 1.5
MAX_BODY_BYTES = 64 * 1024
MAX_HEAD_BYTES = 16 * 1024
# Idle connections kept per host: the Lambda uses one; the threaded web service may call from
# a few threads at once, and each extra connection is only a handshake saved.
MAX_IDLE_PER_HOST = 4
# A connection left idle longer is not reused. A server that closed it says so and the call
# simply opens another, but a network path that forgot it (Lambda's NAT after about 350 s of
# silence, a frozen container) says nothing, and the call would wait out its deadline.
MAX_IDLE_SECONDS = 30.0
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS"})
_CHUNK = 16 * 1024

# Nothing here logs a URL (Alexa's API paths hold the device id); urllib3, if anything else
# in the process uses it, logs request lines at DEBUG.
logging.getLogger("urllib3").setLevel(logging.INFO)


class _Late(Exception):
    """The deadline passed before the call was complete."""


class _Stale(Exception):
    """A kept-alive connection turned out closed before any of the answer arrived."""


class _Answer:
    __slots__ = ("body", "headers", "reusable", "status")

    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes, reusable: bool) -> None:
        self.status, self.headers, self.body, self.reusable = status, headers, body, reusable


class _Connection:
    """One TLS connection; every operation is bounded by the call's deadline (`ends`)."""

    def __init__(self, host: str, port: int, context: ssl.SSLContext, ends: float) -> None:
        # An ASCII name goes as bytes: as a str, the socket and ssl modules would each pass it
        # through the "idna" codec, whose import (stringprep, unicodedata) is a cold start's.
        name: str | bytes = host.encode("ascii") if host.isascii() else host
        raw = socket.create_connection((name, port), timeout=_left(ends))  # type: ignore[arg-type]  # bytes work
        try:
            raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock = context.wrap_socket(raw, server_hostname=name, do_handshake_on_connect=False)
        except BaseException:
            raw.close()
            raise
        try:  # from here the TLS socket owns the file descriptor
            # ssl applies a socket timeout to the whole handshake, not to each read within it.
            sock.settimeout(_left(ends))
            sock.do_handshake()
        except BaseException:
            sock.close()
            raise
        self.sock = sock
        self.host = host if port == 443 else f"{host}:{port}"
        self.buffer = b""
        self.idle_since = 0.0

    def close(self) -> None:
        with contextlib.suppress(OSError):  # already gone: nothing more to release
            self.sock.close()

    def exchange(self, method: str, target: str, headers: dict[str, str], body: bytes | None, ends: float) -> _Answer:
        head = [f"{method} {target} HTTP/1.1", f"Host: {self.host}"]
        sent = {name.lower() for name in headers}
        head += [f"{name}: {value}" for name, value in headers.items()]
        if "accept-encoding" not in sent:
            head.append("Accept-Encoding: identity")
        if body is not None or method in ("POST", "PUT", "PATCH"):
            head.append(f"Content-Length: {len(body or b'')}")
        message = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + (body or b"")
        try:
            self._send(message, ends)
            if not self.buffer and not self._fill(ends):
                raise _Stale()
        except (ConnectionResetError, BrokenPipeError):
            # Refused before any of the answer: the server had dropped this idle connection.
            raise _Stale() from None
        while True:
            status, version, fields = self._head(ends)
            if status >= 200:
                break  # 1xx: informational, the answer follows on the same connection
        names = {name.lower(): value for name, value in fields}
        if method == "HEAD" or status in (204, 304):
            payload, framed = b"", True
        elif "chunked" in names.get("transfer-encoding", "").lower():
            payload, framed = self._chunked(ends), True
        elif "content-length" in names:
            payload, framed = self._exactly(_length(names["content-length"]), ends), True
        else:
            payload, framed = self._to_close(ends), False
        tokens = {token.strip().lower() for token in names.get("connection", "").split(",")}
        reusable = framed and "close" not in tokens and (version == "HTTP/1.1" or "keep-alive" in tokens)
        return _Answer(status, fields, payload, reusable)

    # -- the wire ------------------------------------------------------------------------

    def _send(self, data: bytes, ends: float) -> None:
        view = memoryview(data)
        while view:
            self.sock.settimeout(_left(ends))
            view = view[self.sock.send(view) :]

    def _fill(self, ends: float) -> bool:
        """Read what has arrived into the buffer; False at the end of the stream."""
        self.sock.settimeout(_left(ends))
        data = self.sock.recv(_CHUNK)
        self.buffer += data
        return bool(data)

    def _head(self, ends: float) -> tuple[int, str, list[tuple[str, str]]]:
        while b"\r\n\r\n" not in self.buffer:
            if len(self.buffer) > MAX_HEAD_BYTES:
                raise ValueError("headers too long")
            if not self._fill(ends):
                raise ConnectionError("closed mid-answer")
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        if len(head) > MAX_HEAD_BYTES:
            raise ValueError("headers too long")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        version, code, *_ = [*status_line.split(" ", 2), ""]
        if not version.startswith("HTTP/1.") or not (len(code) == 3 and code.isdigit()):
            raise ValueError("not an HTTP/1.x answer")
        fields = []
        for line in lines:
            name, colon, value = line.partition(":")
            if not colon or not name or name != name.strip():
                raise ValueError("malformed header")
            fields.append((name, value.strip()))
        return int(code), version, fields

    def _exactly(self, size: int, ends: float) -> bytes:
        if size > MAX_BODY_BYTES:
            raise _TooLong()
        while len(self.buffer) < size:
            if not self._fill(ends):
                raise ConnectionError("closed mid-answer")
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def _line(self, ends: float) -> bytes:
        while b"\r\n" not in self.buffer:
            if len(self.buffer) > MAX_HEAD_BYTES:
                raise ValueError("chunk line too long")
            if not self._fill(ends):
                raise ConnectionError("closed mid-answer")
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line

    def _chunked(self, ends: float) -> bytes:
        body = b""
        while True:
            size = _length(self._line(ends).split(b";", 1)[0].decode("latin-1"), base=16)
            if size == 0:
                while self._line(ends):  # trailers, up to the empty line
                    pass
                return body
            if len(body) + size > MAX_BODY_BYTES:
                raise _TooLong()
            body += self._exactly(size, ends)
            if self._line(ends):
                raise ValueError("malformed chunk")

    def _to_close(self, ends: float) -> bytes:
        while self._fill(ends):
            if len(self.buffer) > MAX_BODY_BYTES:
                raise _TooLong()
        data, self.buffer = self.buffer, b""
        return data


class _TooLong(Exception):
    """The answer is longer than anything the Settings API sends."""


class DeadlineApiClient(ApiClient):
    """An ApiClient whose every call ends within `deadline` seconds, or raises.

    Safe to share between threads: a connection is used by one call at a time, taken from
    and given back to the idle list under a lock.
    """

    def __init__(self, hosts: Collection[str] = ALEXA_API_HOSTS, deadline: float = DEADLINE_SECONDS) -> None:
        self.hosts = frozenset(host.lower() for host in hosts)
        self.deadline = deadline
        self._idle: dict[tuple[str, int, str], list[_Connection]] = {}
        self._lock = threading.Lock()

    def invoke(self, request: ApiClientRequest) -> ApiClientResponse:
        # Its own deadline, or what is left of the turn's budget if that is less.
        ends = time.monotonic() + min(self.deadline, budget.left())
        url = urlsplit(request.url or "")
        try:
            port = url.port or 443
        except ValueError:  # a port that is not a number
            raise ApiClientException("not an Alexa API endpoint") from None
        host = url.hostname or ""
        if url.scheme != "https" or url.username or url.password or host not in self.hosts:
            raise ApiClientException("not an Alexa API endpoint")
        method = (request.method or "GET").upper()
        target = (url.path or "/") + (f"?{url.query}" if url.query else "")
        headers = dict(request.headers or [])
        body = _body(request.body)
        bundle = _ca_bundle()
        key = (host, port, bundle)
        connection = self._take(key)
        try:
            if connection is not None:
                try:
                    answer = connection.exchange(method, target, headers, body, ends)
                except _Stale:
                    # The server closed the idle connection before our request reached it,
                    # so nothing was done: once more, on a new connection, same deadline.
                    connection.close()
                    if method not in _IDEMPOTENT:
                        raise
                    connection = None
            if connection is None:
                connection = _Connection(host, port, _tls(bundle), ends)
                answer = connection.exchange(method, target, headers, body, ends)
        except (_Late, TimeoutError):
            _close(connection)
            raise ApiClientException("no complete answer before the deadline") from None
        except _TooLong:
            _close(connection)
            raise ApiClientException("the answer was too long") from None
        except (OSError, ValueError, UnicodeError, _Stale) as error:
            _close(connection)
            # The kind only: a message could quote the URL, which holds the device id.
            raise ApiClientException(f"request failed: {type(error).__name__}") from None
        if answer.reusable:
            self._give_back(key, connection)
        else:
            connection.close()
        return ApiClientResponse(
            headers=answer.headers, status_code=answer.status, body=answer.body.decode("utf-8", "replace")
        )

    def close(self) -> None:
        """Close every idle connection (a test, or a service shutting down)."""
        with self._lock:
            idle, self._idle = self._idle, {}
        for connections in idle.values():
            for connection in connections:
                connection.close()

    def _take(self, key: tuple[str, int, str]) -> _Connection | None:
        stale = []
        with self._lock:
            connections = self._idle.get(key) or []
            fresh = time.monotonic() - MAX_IDLE_SECONDS
            while connections and connections[-1].idle_since < fresh:
                stale.append(connections.pop())
            taken = connections.pop() if connections else None
        for connection in stale:
            connection.close()
        return taken

    def _give_back(self, key: tuple[str, int, str], connection: _Connection) -> None:
        if connection.buffer:  # bytes beyond the answer: the stream is out of step
            connection.close()
            return
        connection.idle_since = time.monotonic()
        with self._lock:
            connections = self._idle.setdefault(key, [])
            if len(connections) < MAX_IDLE_PER_HOST:
                connections.append(connection)
                return
        connection.close()


def _left(ends: float) -> float:
    left = ends - time.monotonic()
    if left <= 0:
        raise _Late()
    return left


def _length(text: str, base: int = 10) -> int:
    text = text.strip()
    digits = "0123456789abcdefABCDEF" if base == 16 else "0123456789"
    if not text or len(text) > 16 or any(c not in digits for c in text):
        raise ValueError("malformed length")
    return int(text, base)


def _close(connection: _Connection | None) -> None:
    if connection is not None:
        connection.close()


def _ca_bundle() -> str:
    # The same variables requests honours, so a test or a proxy's CA is trusted the same way.
    return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("SSL_CERT_FILE") or _certifi_bundle()


@cache
def _certifi_bundle() -> str:
    # certifi's bundle is the file beside its module. Finding it through the import system,
    # without importing certifi, keeps importlib.resources (~8 ms) out of the cold start.
    spec = find_spec("certifi")
    if spec is not None and spec.origin:
        candidate = Path(spec.origin).with_name("cacert.pem")
        if candidate.is_file():
            return str(candidate)
    import certifi

    return str(certifi.where())


@cache
def _tls(ca_bundle: str) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=ca_bundle)


def _body(body: Any) -> bytes | None:
    if body is None:
        return None
    return (body if isinstance(body, str) else json.dumps(body)).encode("utf-8")
