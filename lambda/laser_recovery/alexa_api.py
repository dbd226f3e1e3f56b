"""Calls to Alexa's service APIs (the Settings API's time zone): one hard deadline per call,
and only to Alexa's own hosts.

The SDK's DefaultApiClient calls `requests` with no timeout at all, so one hanging API
would hold the turn past Alexa's 8 seconds and the patient would hear Alexa's own error.
A socket timeout alone is not enough either: it bounds each wait, not the call, so a
server that trickles its headers or body a byte at a time holds the turn for as long as it
likes. Here a watchdog shuts the connection down when the deadline passes, whatever the
call was doing: connecting, the TLS handshake, sending, headers or body.

The request's apiEndpoint comes from the envelope: with verification off (a laptop), anyone
could name any host and have the skill call it with the request's token. Only the hosts in
`hosts` (Alexa's, unless the ALEXA_API_HOSTS setting names a test stand-in) are called.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import os
import socket
import ssl
import threading
import time
from collections.abc import Collection
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import certifi
from ask_sdk_core.exceptions import ApiClientException
from ask_sdk_model.services import ApiClient, ApiClientRequest, ApiClientResponse

from .config import ALEXA_API_HOSTS

# The time-zone lookup is the only call made before the store; it has to leave the store
# its own budget inside the function's 7 seconds.
DEADLINE_SECONDS = 1.5
MAX_BODY_BYTES = 64 * 1024

# urllib3 logs request lines at DEBUG, and Alexa's API paths hold the device id.
logging.getLogger("urllib3").setLevel(logging.INFO)


class DeadlineApiClient(ApiClient):
    """An ApiClient whose every call ends within `deadline` seconds, or raises."""

    def __init__(self, hosts: Collection[str] = ALEXA_API_HOSTS, deadline: float = DEADLINE_SECONDS) -> None:
        self.hosts = frozenset(host.lower() for host in hosts)
        self.deadline = deadline

    def invoke(self, request: ApiClientRequest) -> ApiClientResponse:
        url = urlsplit(request.url or "")
        if url.scheme != "https" or url.username or url.password or (url.hostname or "") not in self.hosts:
            raise ApiClientException("not an Alexa API endpoint")
        connection = http.client.HTTPSConnection(
            url.hostname or "", url.port or 443, timeout=self.deadline, context=_tls(_ca_bundle())
        )
        cut = threading.Event()
        watchdog = threading.Timer(self.deadline, _cut, args=(connection, cut))
        watchdog.daemon = True
        started = time.monotonic()
        watchdog.start()
        try:
            path = url.path + (f"?{url.query}" if url.query else "")
            connection.request(
                (request.method or "GET").upper(), path, body=_body(request.body), headers=dict(request.headers or [])
            )
            response = connection.getresponse()
            body = response.read(MAX_BODY_BYTES + 1)
            if cut.is_set() or time.monotonic() - started > self.deadline:
                raise ApiClientException("no complete answer before the deadline")
            if len(body) > MAX_BODY_BYTES:
                raise ApiClientException("the answer was too long")
            return ApiClientResponse(
                headers=response.getheaders(), status_code=response.status, body=body.decode("utf-8", "replace")
            )
        except (OSError, http.client.HTTPException, ValueError) as error:
            if cut.is_set():
                raise ApiClientException("no complete answer before the deadline") from None
            # The kind only: the message can quote the URL, which holds the device id.
            raise ApiClientException(f"request failed: {type(error).__name__}") from None
        finally:
            watchdog.cancel()
            connection.close()


def _cut(connection: http.client.HTTPSConnection, cut: threading.Event) -> None:
    """The deadline has passed: wake whatever the call is waiting for, with an error."""
    cut.set()
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed: nothing left to wake
            sock.shutdown(socket.SHUT_RDWR)


def _ca_bundle() -> str:
    # The same variable requests honours, so a test or a proxy's CA is trusted the same way.
    return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("SSL_CERT_FILE") or certifi.where()


@cache
def _tls(ca_bundle: str) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=ca_bundle)


def _body(body: Any) -> str | None:
    if body is None or isinstance(body, str):
        return body
    return json.dumps(body)
