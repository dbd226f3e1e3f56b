"""Small HTTP(S) servers on 127.0.0.1 for tests, run on a thread and always shut down."""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that does not print request lines into the test output."""

    # Headers and body go out as separate writes; without this, Nagle's algorithm and the
    # client's delayed ACK hold every keep-alive answer for tens of milliseconds.
    disable_nagle_algorithm = True

    def send_bytes(self, status: int, data: bytes, content_type: str = "application/octet-stream") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


def use_tls(server: HTTPServer, cert: Path, key: Path) -> None:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)


@contextmanager
def serving(server: HTTPServer) -> Iterator[str]:
    """Serve on a thread; yield the base URL; shut down and join when the block ends."""
    scheme = "https" if isinstance(server.socket, ssl.SSLSocket) else "http"
    # A short poll interval makes shutdown() quick at teardown.
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
