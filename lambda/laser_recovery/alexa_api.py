"""Calls to Alexa's service APIs (the Settings API's time zone), each with a hard deadline.

The SDK's DefaultApiClient calls `requests` with no timeout at all, so one hanging API
would hold the turn past Alexa's 8 seconds and the patient would hear Alexa's own error.
This client gives every call one total deadline, connect to last byte: a server that
trickles its answer a byte at a time is cut off like one that never answers.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import requests
import urllib3
from ask_sdk_core.exceptions import ApiClientException
from ask_sdk_model.services import ApiClient, ApiClientRequest, ApiClientResponse

# The time-zone lookup is the only call made before the store; it has to leave the store
# its own budget inside the function's 7 seconds. No single wait on the socket lasts longer
# than WAIT_SECONDS, and the clock is checked after each, so a call ends by
# DEADLINE_SECONDS + WAIT_SECONDS at the latest.
DEADLINE_SECONDS = 1.5
WAIT_SECONDS = 0.5
MAX_BODY_BYTES = 64 * 1024


class DeadlineApiClient(ApiClient):
    """An ApiClient whose every call ends within `deadline` seconds, or raises."""

    def __init__(self, deadline: float = DEADLINE_SECONDS, wait: float = WAIT_SECONDS) -> None:
        self.deadline = deadline
        self.wait = min(wait, deadline)
        self._local = threading.local()  # a pooled session per thread: the web service has many

    @property
    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def invoke(self, request: ApiClientRequest) -> ApiClientResponse:
        url = request.url or ""
        if not url.startswith("https://"):
            raise ApiClientException("only HTTPS endpoints are called")
        started = time.monotonic()
        headers = dict(request.headers or [])
        try:
            with self._session.request(
                (request.method or "GET").upper(),
                url,
                headers=headers,
                data=_body(request.body),
                timeout=(self.wait, self.wait),
                stream=True,
                allow_redirects=False,
            ) as response:
                body = bytearray()
                while True:
                    if time.monotonic() - started > self.deadline:
                        raise ApiClientException("no complete answer before the deadline")
                    # read1: whatever one wait on the socket brings, so a trickle is noticed.
                    chunk = response.raw.read1(MAX_BODY_BYTES)
                    if not chunk:
                        break
                    body += chunk
                    if len(body) > MAX_BODY_BYTES:
                        raise ApiClientException("the answer was too long")
                return ApiClientResponse(
                    headers=list(response.headers.items()),
                    status_code=response.status_code,
                    body=body.decode(response.encoding or "utf-8", errors="replace"),
                )
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as error:
            # The kind only: the message can quote the URL, which holds the device id.
            raise ApiClientException(f"request failed: {type(error).__name__}") from None


def _body(body: Any) -> str | None:
    if body is None or isinstance(body, str):
        return body
    return json.dumps(body)
