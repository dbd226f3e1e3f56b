"""A loopback HTTP proxy in front of DynamoDB Local that can fail chosen operations for real:
answer 400 ThrottlingException, answer 503, never answer (the client's read timeout fires),
apply the call and then never answer (a "phantom" write), or answer slowly.
Requests it does not fail are forwarded unchanged, so the record behind it is the real one."""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import ThreadingHTTPServer
from urllib.parse import urlsplit

from tests.support.loopback import QuietHandler, serving

THROTTLE = "throttle"
UNAVAILABLE = "unavailable"
TIMEOUT = "timeout"
APPLIED_TIMEOUT = "applied-timeout"
SLOW = "slow"
SLOW_SECONDS = 0.8

_ERRORS = {
    THROTTLE: (400, "ThrottlingException", "Rate of requests exceeds the allowed throughput."),
    UNAVAILABLE: (503, "ServiceUnavailable", "Service unavailable."),
}


class FaultProxy(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, upstream: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.upstream = urlsplit(upstream)
        self.faults: dict[str, str] = {}  # operation name -> fault
        self.before_forward: dict[str, Callable[[], None]] = {}  # one-shot, per operation
        self.calls: Counter[str] = Counter()
        self.release = threading.Event()  # lets a "timeout" request go at teardown
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(QuietHandler):
    server: FaultProxy

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        operation = self.headers.get("X-Amz-Target", "").rpartition(".")[2]
        with self.server._lock:
            self.server.calls[operation] += 1
            fault = self.server.faults.get(operation)
            hook = self.server.before_forward.pop(operation, None)
        if hook is not None:
            hook()
        if fault == TIMEOUT:
            # Hold the request unanswered and never forward it: the client times out first.
            self.server.release.wait(timeout=10)
            self.close_connection = True
            return
        if fault == APPLIED_TIMEOUT:
            # DynamoDB did the work, but its answer is lost: the client cannot tell.
            self._forward(body, reply=False)
            self.server.release.wait(timeout=10)
            self.close_connection = True
            return
        if fault == SLOW:
            time.sleep(SLOW_SECONDS)
            fault = None
        if fault is not None:
            status, code, message = _ERRORS[fault]
            payload = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": message}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/x-amz-json-1.0")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        self._forward(body)

    def _forward(self, body: bytes, *, reply: bool = True) -> None:
        upstream = http.client.HTTPConnection(self.server.upstream.hostname, self.server.upstream.port, timeout=10)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
            upstream.request("POST", "/", body=body, headers=headers)
            answer = upstream.getresponse()
            payload = answer.read()
        finally:
            upstream.close()
        if not reply:
            return
        self.send_response(answer.status)
        for name, value in answer.getheaders():
            if name.lower() not in {"transfer-encoding", "connection", "content-length"}:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@contextmanager
def fault_proxy(upstream: str) -> Iterator[FaultProxy]:
    proxy = FaultProxy(upstream)
    with serving(proxy):
        try:
            yield proxy
        finally:
            proxy.release.set()  # a request held to simulate a timeout must not block shutdown
