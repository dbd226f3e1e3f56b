"""The Settings API client on its own, against HTTPS servers on loopback that answer in every
way HTTP allows: kept-alive or closing, sized or chunked, dropping idle connections, too long,
trickling. The whole-turn behaviour (hangs, trickles, failures) is in test_hazards."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from ask_sdk_core.exceptions import ApiClientException
from ask_sdk_model.services import ApiClientRequest

from laser_recovery import alexa_api, budget
from laser_recovery.alexa_api import MAX_BODY_BYTES, MAX_IDLE_PER_HOST, DeadlineApiClient, _ca_bundle
from tests.support.loopback import QuietHandler, serving, use_tls
from tests.support.pki import TlsFiles, new_root, write_tls_files

ZONE = json.dumps("Europe/London").encode()


class Server:
    """How the server answers (`mode`), and how many connections and requests it has seen."""

    def __init__(self) -> None:
        self.mode = "sized"
        self.connections = 0
        self.requests = 0
        self.seen_headers: list[dict[str, str]] = []
        self.lock = threading.Lock()


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return write_tls_files(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def server(tls: TlsFiles, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Server, str]]:
    state = Server()

    class Handler(QuietHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            with state.lock:
                state.connections += 1

        def do_GET(self) -> None:  # noqa: N802 (the http.server interface)
            with state.lock:
                state.requests += 1
                state.seen_headers.append(dict(self.headers))
            mode = state.mode
            if mode == "sized":
                self.send_bytes(200, ZONE, "application/json")
            elif mode == "drops idle":  # answers, then closes without saying so
                self.send_bytes(200, ZONE, "application/json")
                self.close_connection = True
            elif mode == "closes":
                self.send_response(200)
                self.send_header("Connection", "close")
                self.send_header("Content-Length", str(len(ZONE)))
                self.end_headers()
                self.wfile.write(ZONE)
            elif mode == "chunked":
                self.send_response(200)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for part in (ZONE[:5], ZONE[5:]):
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                self.wfile.write(b"0\r\n\r\n")
            elif mode == "unsized":  # HTTP/1.0 style: the body ends when the connection does
                self.wfile.write(b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n" + ZONE)
                self.close_connection = True
            elif mode == "too long":
                self.send_bytes(200, b"x" * (MAX_BODY_BYTES + 1))
            elif mode == "trickle":
                self.send_response(200)
                self.send_header("Content-Length", "1000")
                self.end_headers()
                try:
                    for _ in range(1000):
                        self.wfile.write(b" ")
                        self.wfile.flush()
                        threading.Event().wait(0.05)
                except OSError:  # the client gave up, as it should
                    pass
            elif mode == "not found":
                self.send_bytes(404, b'{"type": "NOT_FOUND"}', "application/json")

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    use_tls(httpd, tls.cert, tls.key)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls.ca_bundle))
    with serving(httpd) as url:
        yield state, url


def call(client: DeadlineApiClient, url: str, path: str = "/v2/devices/d/settings/System.timeZone"):  # type: ignore[no-untyped-def]
    request = ApiClientRequest(url=url + path, method="GET", headers=[("Authorization", "Bearer token")], body=None)
    return client.invoke(request)


@pytest.fixture
def client() -> Iterator[DeadlineApiClient]:
    api = DeadlineApiClient(hosts=("127.0.0.1",))
    yield api
    api.close()


def test_calls_share_one_kept_alive_connection(server, client) -> None:
    state, url = server
    answers = [call(client, url) for _ in range(5)]
    assert [a.status_code for a in answers] == [200] * 5
    assert {a.body for a in answers} == {'"Europe/London"'}
    assert state.connections == 1 and state.requests == 5
    assert state.seen_headers[0]["Authorization"] == "Bearer token"
    assert state.seen_headers[0]["Host"] == url.removeprefix("https://")


def test_an_idle_connection_the_server_dropped_is_replaced_without_failing_the_call(server, client) -> None:
    state, url = server
    state.mode = "drops idle"
    assert [call(client, url).status_code for _ in range(3)] == [200] * 3
    assert state.connections == 3 and state.requests == 3


def test_a_connection_idle_too_long_is_not_reused(server, client, monkeypatch) -> None:
    # A network path may forget an idle connection without a word: the call would hang.
    state, url = server
    monkeypatch.setattr(alexa_api, "MAX_IDLE_SECONDS", 0.0)
    assert [call(client, url).status_code for _ in range(2)] == [200] * 2
    assert state.connections == 2


@pytest.mark.parametrize("mode", ["closes", "unsized"])
def test_a_connection_the_server_closes_is_never_reused(server, client, mode: str) -> None:
    state, url = server
    state.mode = mode
    answers = [call(client, url) for _ in range(2)]
    assert [a.body for a in answers] == ['"Europe/London"'] * 2
    assert state.connections == 2


def test_a_chunked_answer_is_read_whole_and_the_connection_kept(server, client) -> None:
    state, url = server
    state.mode = "chunked"
    assert [call(client, url).body for _ in range(2)] == ['"Europe/London"'] * 2
    assert state.connections == 1


def test_an_error_status_is_an_answer_not_a_failure(server, client) -> None:
    state, url = server
    state.mode = "not found"
    assert call(client, url).status_code == 404


def test_an_answer_longer_than_any_settings_answer_is_refused(server, client) -> None:
    state, url = server
    state.mode = "too long"
    with pytest.raises(ApiClientException, match="too long"):
        call(client, url)
    state.mode = "sized"
    assert call(client, url).status_code == 200
    assert state.connections == 2  # the connection of the refused answer was dropped


def test_a_trickling_answer_ends_at_the_deadline(server) -> None:
    state, url = server
    state.mode = "trickle"
    impatient = DeadlineApiClient(hosts=("127.0.0.1",), deadline=0.3)
    with pytest.raises(ApiClientException, match="deadline"):
        call(impatient, url)
    state.mode = "sized"
    assert call(impatient, url).status_code == 200 and state.connections == 2
    impatient.close()


def test_a_call_gets_no_more_than_what_is_left_of_the_turn(server, client) -> None:
    state, url = server
    state.mode = "trickle"
    with budget.turn(lambda_remaining_ms=800):  # 0.3 s left once the margin to answer is kept
        started = time.monotonic()
        with pytest.raises(ApiClientException, match="deadline"):
            call(client, url)  # the client's own deadline is 1.5 s
        assert time.monotonic() - started < 1.0
    state.mode = "sized"


@pytest.mark.parametrize(
    "endpoint",
    ["http://127.0.0.1:{port}", "https://user:pw@127.0.0.1:{port}", "https://localhost:{port}", "https://127.0.0.1:x"],
)
def test_only_the_allowed_hosts_over_https_are_called(server, client, endpoint: str) -> None:
    state, url = server
    port = url.rsplit(":", 1)[1]
    with pytest.raises(ApiClientException, match="not an Alexa API endpoint"):
        call(client, endpoint.format(port=port))
    assert state.connections == 0


def test_threads_calling_at_once_each_get_their_answer(server, client) -> None:
    state, url = server
    answers: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(10):
            body = call(client, url).body
            with lock:
                answers.append(body)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == ['"Europe/London"'] * 80
    assert state.requests == 80 and state.connections <= 8
    assert sum(len(idle) for idle in client._idle.values()) <= MAX_IDLE_PER_HOST


def test_an_untrusted_server_certificate_fails_the_call(server, client, tmp_path: Path, monkeypatch) -> None:
    _, url = server
    other = tmp_path / "other.pem"
    other.write_bytes(new_root("another root").pem())  # a CA that did not sign the server's certificate
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(other))
    with pytest.raises(ApiClientException, match="request failed"):
        call(client, url)


def test_without_a_bundle_setting_certifis_bundle_is_trusted(monkeypatch) -> None:
    import certifi

    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    assert Path(_ca_bundle()).samefile(certifi.where())
