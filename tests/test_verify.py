"""The Alexa request verifier on its own: URL rules, chain checks, signature, timestamp,
caching and the download guard, all against a locally generated CA (no network)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import ThreadingHTTPServer

import pytest

from laser_recovery.web.verify import (
    SKILL_EVENTS,
    RequestVerifier,
    VerificationError,
    check_cert_url,
    default_roots,
    download,
    load_roots,
)
from tests.support.loopback import QuietHandler, serving
from tests.support.pki import ALEXA_NAME, AlexaPki, alexa_pki, new_leaf, sign_body

NOW = datetime(2031, 5, 1, 12, 0, 0, tzinfo=UTC)
CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-12.pem"


def body_at(when: datetime) -> bytes:
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    return json.dumps({"version": "1.0", "request": {"type": "LaunchRequest", "timestamp": stamp}}).encode()


@pytest.fixture(scope="module")
def pki() -> AlexaPki:
    return alexa_pki(NOW)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Served:
    """Stands in for S3: serves PEM by URL and counts downloads."""

    def __init__(self, chains: dict[str, bytes]) -> None:
        self.chains = chains
        self.fetched: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.fetched.append(url)
        if url not in self.chains:
            raise VerificationError("certificate chain download failed")
        return self.chains[url]


def make_verifier(pki: AlexaPki, chain: bytes | None = None, clock: Clock | None = None):
    served = Served({CERT_URL: pki.chain_pem() if chain is None else chain})
    verifier = RequestVerifier(roots=[pki.root.cert], downloader=served, clock=clock or Clock(NOW))
    return verifier, served


def headers(signature: str, url: str = CERT_URL) -> dict[str, str]:
    return {"SignatureCertChainUrl": url, "Signature-256": signature}


# -- accepted --------------------------------------------------------------------------------


def test_signed_request_is_accepted(pki: AlexaPki) -> None:
    verifier, _ = make_verifier(pki)
    body = body_at(NOW)
    verifier.verify(headers(pki.sign(body)), body)


def test_chain_that_includes_the_root_is_accepted(pki: AlexaPki) -> None:
    verifier, _ = make_verifier(pki, pki.chain_pem(include_root=True))
    body = body_at(NOW)
    verifier.verify(headers(pki.sign(body)), body)


def test_header_names_are_matched_case_insensitively(pki: AlexaPki) -> None:
    verifier, _ = make_verifier(pki)
    body = body_at(NOW)
    verifier.verify({"signaturecertchainurl": CERT_URL, "SIGNATURE-256": pki.sign(body)}, body)


@pytest.mark.parametrize("offset", [-150, 150])
def test_timestamp_exactly_150_seconds_away_is_accepted(pki: AlexaPki, offset: int) -> None:
    verifier, _ = make_verifier(pki)
    body = body_at(NOW + timedelta(seconds=offset))
    verifier.verify(headers(pki.sign(body)), body)


# -- rejected ----------------------------------------------------------------------------------


def rejected(verifier: RequestVerifier, hdrs: dict[str, str], body: bytes) -> str:
    with pytest.raises(VerificationError) as caught:
        verifier.verify(hdrs, body)
    message = str(caught.value)
    assert message and "\n" not in message
    return message


def test_body_changed_after_signing_is_rejected(pki: AlexaPki) -> None:
    verifier, _ = make_verifier(pki)
    body = body_at(NOW)
    tampered = body.replace(b"LaunchRequest", b"IntentRequest")
    assert "signature" in rejected(verifier, headers(pki.sign(body)), tampered)


def test_signature_by_another_key_is_rejected(pki: AlexaPki) -> None:
    verifier, _ = make_verifier(pki)
    body = body_at(NOW)
    stranger = new_leaf(None, label="stranger")
    assert "signature" in rejected(verifier, headers(sign_body(stranger.key, body)), body)


def test_legacy_sha1_signature_header_alone_is_rejected(pki: AlexaPki) -> None:
    verifier, _ = make_verifier(pki)
    body = body_at(NOW)
    hdrs = {"SignatureCertChainUrl": CERT_URL, "Signature": pki.sign(body)}
    assert "Signature-256" in rejected(verifier, hdrs, body)


@pytest.mark.parametrize("signature", ["", "not base64!", "YWJj*"])
def test_signature_that_is_not_base64_is_rejected(pki: AlexaPki, signature: str) -> None:
    verifier, _ = make_verifier(pki)
    rejected(verifier, headers(signature), body_at(NOW))


def test_missing_cert_url_is_rejected(pki: AlexaPki) -> None:
    verifier, served = make_verifier(pki)
    body = body_at(NOW)
    assert "SignatureCertChainUrl" in rejected(verifier, {"Signature-256": pki.sign(body)}, body)
    assert served.fetched == []


@pytest.mark.parametrize("offset", [-151, 151])
def test_timestamp_more_than_150_seconds_away_is_rejected(pki: AlexaPki, offset: int) -> None:
    verifier, served = make_verifier(pki)
    body = body_at(NOW + timedelta(seconds=offset))
    assert "timestamp" in rejected(verifier, headers(pki.sign(body)), body)
    assert served.fetched == []  # a replay costs no download


def event_at(when: datetime, kind: str = "AlexaSkillEvent.SkillDisabled") -> bytes:
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    return json.dumps({"version": "1.0", "request": {"type": kind, "timestamp": stamp}}).encode()


@pytest.mark.parametrize("minutes", [3, 50, 60])
@pytest.mark.parametrize("kind", sorted(SKILL_EVENTS))
def test_a_skill_event_up_to_an_hour_late_is_accepted(pki: AlexaPki, kind: str, minutes: int) -> None:
    # Alexa may deliver skill events an hour late, with the timestamp of the first attempt.
    verifier, _ = make_verifier(pki)
    body = event_at(NOW - timedelta(minutes=minutes), kind)
    verifier.verify(headers(pki.sign(body)), body)


@pytest.mark.parametrize("late", [timedelta(minutes=60, seconds=1), timedelta(minutes=61), timedelta(days=1)])
def test_a_skill_event_more_than_an_hour_late_is_rejected(pki: AlexaPki, late: timedelta) -> None:
    verifier, served = make_verifier(pki)
    body = event_at(NOW - late)
    assert "more than an hour old" in rejected(verifier, headers(pki.sign(body)), body)
    assert served.fetched == []


def test_a_skill_event_from_the_future_keeps_the_150_second_rule(pki: AlexaPki) -> None:
    verifier, _ = make_verifier(pki)
    body = event_at(NOW + timedelta(seconds=151))
    assert "150 seconds" in rejected(verifier, headers(pki.sign(body)), body)


@pytest.mark.parametrize(
    "kind", ["IntentRequest", "LaunchRequest", "SessionEndedRequest", "AlexaSkillEvent.NoSuchEvent", "Messaging"]
)
def test_any_other_request_three_minutes_old_is_rejected(pki: AlexaPki, kind: str) -> None:
    verifier, _ = make_verifier(pki)
    body = event_at(NOW - timedelta(minutes=3), kind)
    assert "150 seconds" in rejected(verifier, headers(pki.sign(body)), body)


def test_a_request_with_no_type_three_minutes_old_is_rejected(pki: AlexaPki) -> None:
    verifier, _ = make_verifier(pki)
    stamp = (NOW - timedelta(minutes=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = json.dumps({"request": {"type": ["AlexaSkillEvent.SkillDisabled"], "timestamp": stamp}}).encode()
    assert "150 seconds" in rejected(verifier, headers(pki.sign(body)), body)


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"request": {}}',
        b'{"request": "LaunchRequest"}',
        b'{"request": [{"timestamp": "2031-05-01T12:00:00Z"}]}',
        b'{"request": {"timestamp": 5}}',
        b'{"request": {"timestamp": "yesterday"}}',
        b'{"request": {"timestamp": "2031-05-01T12:00:00"}}',  # no zone: ambiguous
    ],
)
def test_missing_or_malformed_timestamp_is_rejected(pki: AlexaPki, body: bytes) -> None:
    verifier, _ = make_verifier(pki)
    assert "timestamp" in rejected(verifier, headers(pki.sign(body)), body)


def test_expired_signing_certificate_is_rejected(pki: AlexaPki) -> None:
    leaf = new_leaf(
        pki.intermediate,
        label="expired",
        not_before=NOW - timedelta(days=400),
        not_after=NOW - timedelta(seconds=1),
    )
    expired = pki.with_leaf(leaf)
    verifier, _ = make_verifier(expired)
    body = body_at(NOW)
    assert "certificate chain" in rejected(verifier, headers(expired.sign(body)), body)


def test_not_yet_valid_signing_certificate_is_rejected(pki: AlexaPki) -> None:
    leaf = new_leaf(
        pki.intermediate,
        label="future",
        not_before=NOW + timedelta(days=1),
        not_after=NOW + timedelta(days=90),
    )
    future = pki.with_leaf(leaf)
    verifier, _ = make_verifier(future)
    body = body_at(NOW)
    rejected(verifier, headers(future.sign(body)), body)


def test_signing_certificate_for_another_name_is_rejected(pki: AlexaPki) -> None:
    wrong = pki.with_leaf(new_leaf(pki.intermediate, ("echo-api.example.com",), label="wrong-san", now=NOW))
    verifier, _ = make_verifier(wrong)
    body = body_at(NOW)
    assert ALEXA_NAME in rejected(verifier, headers(wrong.sign(body)), body)


def test_chain_to_an_untrusted_root_is_rejected(pki: AlexaPki) -> None:
    other = alexa_pki(NOW, label="impostor")
    served = Served({CERT_URL: other.chain_pem(include_root=True)})
    verifier = RequestVerifier(roots=[pki.root.cert], downloader=served, clock=Clock(NOW))
    body = body_at(NOW)
    rejected(verifier, headers(other.sign(body)), body)


def test_self_signed_signing_certificate_is_rejected(pki: AlexaPki) -> None:
    lone = new_leaf(None, label="self-signed", now=NOW)
    verifier, _ = make_verifier(pki, lone.pem())
    body = body_at(NOW)
    rejected(verifier, headers(sign_body(lone.key, body)), body)


def test_chain_missing_its_intermediate_is_rejected(pki: AlexaPki) -> None:
    verifier, _ = make_verifier(pki, pki.leaf.pem())
    body = body_at(NOW)
    rejected(verifier, headers(pki.sign(body)), body)


@pytest.mark.parametrize("chain", [b"", b"garbage", b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"])
def test_chain_that_is_not_pem_is_rejected(pki: AlexaPki, chain: bytes) -> None:
    verifier, _ = make_verifier(pki, chain)
    body = body_at(NOW)
    rejected(verifier, headers(pki.sign(body)), body)


def test_failed_download_is_rejected(pki: AlexaPki) -> None:
    verifier = RequestVerifier(roots=[pki.root.cert], downloader=Served({}), clock=Clock(NOW))
    body = body_at(NOW)
    assert "download" in rejected(verifier, headers(pki.sign(body)), body)


# -- certificate URL rules (Amazon's documented examples and the edges around them) ----------


@pytest.mark.parametrize(
    ("url", "normalised"),
    [
        (
            "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
            "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
        ),
        (
            "HTTPS://s3.amazonaws.com/echo.api/echo-api-cert.pem",
            "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
        ),
        (
            "https://S3.AMAZONAWS.COM/echo.api/echo-api-cert.pem",
            "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
        ),
        (
            "https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem",
            "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
        ),
        (
            "https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem",
            "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
        ),
    ],
)
def test_valid_cert_urls(url: str, normalised: str) -> None:
    assert check_cert_url(url) == normalised


@pytest.mark.parametrize(
    "url",
    [
        "http://s3.amazonaws.com/echo.api/echo-api-cert.pem",
        "https://notamazon.com/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com.evil.example/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem",
        "https://s3.amazonaws.com/invalid.path/echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api/../invalid.path/echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api/%2e%2e/invalid.path/echo-api-cert.pem",
        "https://s3.amazonaws.com:8443/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com:notaport/echo.api/echo-api-cert.pem",
        "https://user@s3.amazonaws.com/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api/echo-api-cert.pem?x=1",
        "https://s3.amazonaws.com",
        "https://s3.amazonaws.com/echo.api",
        "",
        "not a url",
    ],
)
def test_invalid_cert_urls_are_rejected_before_any_download(pki: AlexaPki, url: str) -> None:
    with pytest.raises(VerificationError):
        check_cert_url(url)
    verifier, served = make_verifier(pki)
    body = body_at(NOW)
    rejected(verifier, headers(pki.sign(body), url), body)
    assert served.fetched == []


def test_the_normalised_url_is_what_gets_downloaded(pki: AlexaPki) -> None:
    verifier, served = make_verifier(pki)
    body = body_at(NOW)
    verifier.verify(headers(pki.sign(body), "HTTPS://S3.amazonaws.com:443/echo.api/x/../echo-api-cert-12.pem"), body)
    assert served.fetched == [CERT_URL]


# -- caching -----------------------------------------------------------------------------------


def test_chain_is_downloaded_once_and_reused_until_it_expires(pki: AlexaPki) -> None:
    clock = Clock(NOW)
    verifier, served = make_verifier(pki, clock=clock)
    for _ in range(3):
        body = body_at(clock.now)
        verifier.verify(headers(pki.sign(body)), body)
    assert served.fetched == [CERT_URL]

    clock.now = pki.leaf.cert.not_valid_after_utc + timedelta(seconds=1)
    body = body_at(clock.now)
    rejected(verifier, headers(pki.sign(body)), body)  # fetched again and found expired
    assert served.fetched == [CERT_URL, CERT_URL]


def test_a_chain_that_failed_is_not_cached(pki: AlexaPki) -> None:
    verifier, served = make_verifier(pki, b"garbage")
    body = body_at(NOW)
    rejected(verifier, headers(pki.sign(body)), body)
    served.chains[CERT_URL] = pki.chain_pem()
    verifier.verify(headers(pki.sign(body)), body)
    assert len(served.fetched) == 2


# -- trusted roots -----------------------------------------------------------------------------


def test_default_roots_come_from_an_installed_bundle() -> None:
    roots = default_roots()
    assert len(roots) > 50
    assert any("Amazon Root CA 1" in r.subject.rfc4514_string() for r in roots)


def test_load_roots_skips_what_does_not_parse(pki: AlexaPki) -> None:
    bundle = pki.root.pem() + b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n" + pki.intermediate.pem()
    assert [c.subject for c in load_roots(bundle)] == [pki.root.cert.subject, pki.intermediate.cert.subject]


def test_empty_root_list_is_refused() -> None:
    with pytest.raises(VerificationError):
        RequestVerifier(roots=[])


# -- the real downloader, against a loopback HTTP server ---------------------------------------


@pytest.fixture(scope="module")
def loopback() -> Iterator[str]:
    class Handler(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802 (the http.server interface)
            if self.path == "/big":
                self.send_bytes(200, b"x" * 70_000)
            elif self.path == "/chain":
                self.send_bytes(200, b"pem bytes")
            elif self.path == "/moved":
                self.send_response(302)
                self.send_header("Location", "/chain")
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                self.send_bytes(404, b"no")

    with serving(ThreadingHTTPServer(("127.0.0.1", 0), Handler)) as url:
        yield url


def test_download_returns_the_body(loopback: str) -> None:
    assert download(f"{loopback}/chain") == b"pem bytes"


@pytest.mark.parametrize("path", ["/big", "/missing", "/moved"])
def test_download_refuses_oversized_missing_and_redirected(loopback: str, path: str) -> None:
    with pytest.raises(VerificationError):
        download(f"{loopback}{path}")


def test_download_of_a_closed_port_fails_cleanly() -> None:
    with pytest.raises(VerificationError):
        download("http://127.0.0.1:9/echo.api/x.pem", timeout=2)
