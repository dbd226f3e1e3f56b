"""Check that a request really comes from Alexa, as Amazon documents for skills hosted as web
services ("Host a Custom Skill as a Web Service", verifying the request was sent by Alexa).

Built on `cryptography` alone: the ASK SDK's own verifier pulls in oscrypto, which cannot read
the version string of OpenSSL 3.0.10 and later and so breaks on import.

Checks, in order (cheap ones first, so a junk request never causes a download):
1. the `SignatureCertChainUrl` header: https, host s3.amazonaws.com, port 443 if given, and a
   path under /echo.api/ once `..` is resolved;
2. the `Signature-256` header is present and is base64;
3. request.timestamp in the body is within 150 s of now, in either direction (replay guard);
   a skill event (SkillDisabled and the like) may also be up to an hour old, as Alexa may
   deliver one that late and retries with the original timestamp;
4. the PEM chain at that URL leads to a trusted root, the signing certificate names
   echo-api.amazon.com and every certificate is within its validity dates;
5. the signature is RSA PKCS#1 v1.5 with SHA-256 over the raw body bytes.
"""

from __future__ import annotations

import base64
import binascii
import http.client
import json
import posixpath
import re
import ssl
import threading
import urllib.error
import urllib.request
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, unquote, urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509 import verification as x509v

CERT_URL_HEADER = "SignatureCertChainUrl"
SIGNATURE_HEADER = "Signature-256"
SIGNING_NAME = "echo-api.amazon.com"
TOLERANCE = timedelta(seconds=150)
# Amazon: skill events may arrive up to an hour after they happened ("Use Skill Events",
# delivery of events to the skill); refusing them older than 150 s would mean a disabled
# patient's records are never deleted. Only lateness is allowed for; the future keeps 150 s.
SKILL_EVENT_AGE = timedelta(hours=1)
SKILL_EVENTS = frozenset(
    {
        "AlexaSkillEvent.SkillEnabled",
        "AlexaSkillEvent.SkillDisabled",
        "AlexaSkillEvent.SkillPermissionAccepted",
        "AlexaSkillEvent.SkillPermissionChanged",
        "AlexaSkillEvent.SkillAccountLinked",
    }
)

_CERT_HOST = "s3.amazonaws.com"
_CERT_PATH_PREFIX = "/echo.api/"
_MAX_CHAIN_BYTES = 64 * 1024  # Amazon's chain is a few KiB; anything far bigger is not it.
_DOWNLOAD_TIMEOUT = 5.0  # seconds; Alexa itself gives the skill about 8 s to answer.
_MAX_CACHED_CHAINS = 16  # only chains that verified are cached, so this is a formality.
_PEM_BLOCK = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.DOTALL)

Downloader = Callable[[str], bytes]
Clock = Callable[[], datetime]


class VerificationError(Exception):
    """The request is not provably from Alexa; the message is one short line, no ids."""


def check_cert_url(url: str) -> str:
    """The URL to download the chain from, or VerificationError if Amazon would never send it.

    The path is compared after percent-decoding and resolving `..`, so
    /echo.api/../echo.api/x is fine and /echo.api/../x is not; the returned URL is the
    normalised one, so what is downloaded is what was checked.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port  # raises ValueError for a port that is not a number
    except ValueError:
        raise VerificationError("certificate URL is malformed") from None
    if parts.scheme.lower() != "https":
        raise VerificationError("certificate URL must use https")
    if (parts.hostname or "").lower() != _CERT_HOST:
        raise VerificationError("certificate URL host must be s3.amazonaws.com")
    if port is not None and port != 443:
        raise VerificationError("certificate URL port must be 443")
    if parts.username is not None or parts.password is not None:
        raise VerificationError("certificate URL must not carry credentials")
    if parts.query:
        raise VerificationError("certificate URL must not have a query")
    path = posixpath.normpath(unquote(parts.path)) if parts.path else ""
    if not path.startswith(_CERT_PATH_PREFIX):
        raise VerificationError("certificate URL path must start with /echo.api/")
    return f"https://{_CERT_HOST}{quote(path)}"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect would fetch from somewhere the URL check never saw.
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def download(url: str, timeout: float = _DOWNLOAD_TIMEOUT, max_bytes: int = _MAX_CHAIN_BYTES) -> bytes:
    """GET the chain with the stdlib: TLS checked, no redirects, short timeout, size cap."""
    handlers: list[urllib.request.BaseHandler] = [_NoRedirects()]
    if url.lower().startswith("https:"):
        handlers.append(urllib.request.HTTPSHandler(context=ssl.create_default_context()))
    opener = urllib.request.build_opener(*handlers)
    try:
        with opener.open(url, timeout=timeout) as response:
            if response.status != 200:
                raise VerificationError("certificate chain download failed")
            data = response.read(max_bytes + 1)
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError):
        raise VerificationError("certificate chain download failed") from None
    if len(data) > max_bytes:
        raise VerificationError("certificate chain is too large")
    return data


def load_roots(pem: bytes) -> list[x509.Certificate]:
    """Every certificate in a PEM bundle that parses; one odd entry must not void the rest.

    certifi still ships a root with a non-positive serial, which current `cryptography`
    warns about and a later release will refuse.
    """
    roots: list[x509.Certificate] = []
    for block in _PEM_BLOCK.findall(pem):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                roots.append(x509.load_pem_x509_certificate(block))
            except ValueError:
                continue
    return roots


def default_roots() -> list[x509.Certificate]:
    """certifi's bundle when installed (it comes with requests), else the system's."""
    paths: list[str] = []
    try:
        import certifi

        paths.append(certifi.where())
    except ImportError:
        pass
    system = ssl.get_default_verify_paths()
    paths += [p for p in (system.cafile, system.openssl_cafile) if p]
    for path in paths:
        try:
            with open(path, "rb") as bundle:
                roots = load_roots(bundle.read())
        except OSError:
            continue
        if roots:
            return roots
    raise VerificationError("no trusted root certificates found (install certifi)")


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class _Chain:
    leaf: x509.Certificate
    expires: datetime  # earliest not_valid_after in the verified path


def _header(headers: Mapping[str, str], name: str) -> str | None:
    # Flask's headers are case-insensitive; a plain dict (tests, other callers) may not be.
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return value


def request_timestamp(body: bytes) -> tuple[datetime, str | None]:
    """request.timestamp from the raw body, timezone-aware, and request.type if it is a string."""
    try:
        inner = json.loads(body)["request"]
        parsed = datetime.fromisoformat(inner["timestamp"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, RecursionError):
        # RecursionError: JSON nested deeper than the parser goes is no Alexa request either.
        raise VerificationError("request timestamp is missing or malformed") from None
    if parsed.tzinfo is None:
        raise VerificationError("request timestamp has no time zone")
    kind = inner.get("type")
    return parsed, kind if isinstance(kind, str) else None


def check_timestamp(stamp: datetime, kind: str | None, now: datetime) -> None:
    """Raise VerificationError unless the request is fresh enough for its kind."""
    if stamp - now > TOLERANCE:
        raise VerificationError("request timestamp is more than 150 seconds from now")
    if kind in SKILL_EVENTS:
        if now - stamp > SKILL_EVENT_AGE:
            raise VerificationError("skill event timestamp is more than an hour old")
    elif now - stamp > TOLERANCE:
        raise VerificationError("request timestamp is more than 150 seconds from now")


class RequestVerifier:
    """Verifies one request at a time; safe to share between threads.

    `roots`, `downloader` and `clock` are there so tests can trust a local CA, serve its chain
    under a valid s3.amazonaws.com URL without the network, and pin the time.
    """

    def __init__(
        self,
        roots: Iterable[x509.Certificate] | None = None,
        downloader: Downloader = download,
        clock: Clock = _utc_now,
    ) -> None:
        roots = list(roots) if roots is not None else default_roots()
        if not roots:
            raise VerificationError("no trusted root certificates given")
        self._store = x509v.Store(roots)
        self._download = downloader
        self._clock = clock
        self._cache: dict[str, _Chain] = {}
        self._lock = threading.Lock()

    def verify(self, headers: Mapping[str, str], body: bytes) -> None:
        """Return quietly if the request is from Alexa; raise VerificationError otherwise."""
        cert_url = _header(headers, CERT_URL_HEADER)
        if not cert_url:
            raise VerificationError(f"missing {CERT_URL_HEADER} header")
        url = check_cert_url(cert_url)
        encoded = _header(headers, SIGNATURE_HEADER)
        if not encoded:
            raise VerificationError(f"missing {SIGNATURE_HEADER} header")
        try:
            signature = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise VerificationError(f"{SIGNATURE_HEADER} header is not base64") from None

        now = self._clock()
        check_timestamp(*request_timestamp(body), now)

        key = self._chain(url, now).leaf.public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise VerificationError("signing certificate does not hold an RSA key")
        try:
            key.verify(signature, body, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            raise VerificationError("signature does not match the request body") from None

    def _chain(self, url: str, now: datetime) -> _Chain:
        with self._lock:
            cached = self._cache.get(url)
        if cached is not None and now < cached.expires:
            return cached
        chain = self._verified_chain(self._download(url), now)
        with self._lock:
            self._cache = {u: c for u, c in self._cache.items() if now < c.expires}
            if len(self._cache) < _MAX_CACHED_CHAINS:
                self._cache[url] = chain
        return chain

    def _verified_chain(self, pem: bytes, now: datetime) -> _Chain:
        # Amazon serves the signing certificate first, then the certificates up to a root.
        try:
            certs = x509.load_pem_x509_certificates(pem)
        except ValueError:
            raise VerificationError("certificate chain is not valid PEM") from None
        leaf, intermediates = certs[0], certs[1:]
        verifier = x509v.PolicyBuilder().store(self._store).time(now).build_server_verifier(x509.DNSName(SIGNING_NAME))
        # One call covers the path to a trusted root, the SAN and every certificate's dates.
        try:
            path = verifier.verify(leaf, intermediates)
        except x509v.VerificationError:
            raise VerificationError(f"certificate chain is not valid for {SIGNING_NAME} at this time") from None
        return _Chain(leaf=leaf, expires=min(c.not_valid_after_utc for c in path))
