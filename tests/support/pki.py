"""A throw-away PKI for tests, made with `cryptography`: no network, no files unless asked.

`alexa_pki()` gives a root CA, an intermediate and an Alexa-like signing certificate (RSA,
SAN echo-api.amazon.com) that pass the same web-PKI checks Amazon's real chain passes;
`AlexaPki.sign(body)` makes the Signature-256 header. The `new_*` functions make the bad
variants (wrong SAN, expired, self-signed, another root). `write_tls_files()` writes a CA
bundle and a server certificate/key for 127.0.0.1/localhost, for local HTTPS stand-ins.

Keys are generated once per label and reused: RSA generation is the slow part.
"""

from __future__ import annotations

import base64
import functools
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ALEXA_NAME = "echo-api.amazon.com"
PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@functools.cache
def _ca_key(label: str) -> ec.EllipticCurvePrivateKey:
    # P-256 for CAs keeps the helper fast; the policy accepts ECDSA-SHA256 issuers.
    return ec.generate_private_key(ec.SECP256R1())


@functools.cache
def _rsa_key(label: str) -> rsa.RSAPrivateKey:
    # Alexa signs with RSA; 2048 bits is the web-PKI minimum.
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass(frozen=True)
class Issued:
    cert: x509.Certificate
    key: PrivateKey

    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def key_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _window(now: datetime | None, not_before: datetime | None, not_after: datetime | None, days: int):
    now = now or datetime.now(UTC)
    return not_before or now - timedelta(days=1), not_after or now + timedelta(days=days)


def _ski(key: PrivateKey) -> x509.SubjectKeyIdentifier:
    return x509.SubjectKeyIdentifier.from_public_key(key.public_key())


def _aki(issuer: Issued) -> x509.AuthorityKeyIdentifier:
    return x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key())


def _ca_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )


def _leaf_usage(rsa_key: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=rsa_key,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


def _ca(label: str, issuer: Issued | None, path_length: int | None, start: datetime, end: datetime) -> Issued:
    """A CA certificate: self-signed when `issuer` is None (a root), else issued by it."""
    key = _ca_key(label)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(f"Laser Recovery Test {label}"))
        .issuer_name(issuer.cert.subject if issuer else _name(f"Laser Recovery Test {label}"))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(_ca_usage(), critical=True)
        .add_extension(_ski(key), critical=False)
    )
    if issuer:
        builder = builder.add_extension(_aki(issuer), critical=False)
    return Issued(builder.sign(issuer.key if issuer else key, hashes.SHA256()), key)


def new_root(
    label: str = "root",
    *,
    now: datetime | None = None,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
) -> Issued:
    """A self-signed root CA; a different `label` gives a different key."""
    return _ca(label, None, None, *_window(now, not_before, not_after, 3650))


def new_intermediate(
    issuer: Issued,
    label: str = "intermediate",
    *,
    now: datetime | None = None,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
) -> Issued:
    return _ca(label, issuer, 0, *_window(now, not_before, not_after, 1825))


def new_leaf(
    issuer: Issued | None,
    names: Sequence[str] = (ALEXA_NAME,),
    *,
    label: str = "leaf",
    now: datetime | None = None,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
) -> Issued:
    """A server certificate for `names` (DNS names or IP addresses), RSA key.

    `issuer=None` makes it self-signed: a lone certificate no store trusts.
    """
    key = _rsa_key(label)
    start, end = _window(now, not_before, not_after, 90)
    sans: list[x509.GeneralName] = []
    for name in names:
        try:
            sans.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            sans.append(x509.DNSName(name))
    subject = _name(names[0])
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_leaf_usage(True), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=False,
        )
        .add_extension(_ski(key), critical=False)
    )
    if issuer is not None:
        builder = builder.add_extension(_aki(issuer), critical=False)
    return Issued(builder.sign(issuer.key if issuer else key, hashes.SHA256()), key)


def sign_body(key: rsa.RSAPrivateKey, body: bytes) -> str:
    """The Signature-256 header value Alexa would send: base64 RSA PKCS#1 v1.5 SHA-256."""
    return base64.b64encode(key.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode("ascii")


@dataclass(frozen=True)
class AlexaPki:
    root: Issued
    intermediate: Issued
    leaf: Issued

    def chain_pem(self, *, include_root: bool = False) -> bytes:
        """What Amazon serves at SignatureCertChainUrl: signing certificate first."""
        parts = [self.leaf.pem(), self.intermediate.pem()]
        if include_root:
            parts.append(self.root.pem())
        return b"".join(parts)

    def sign(self, body: bytes) -> str:
        assert isinstance(self.leaf.key, rsa.RSAPrivateKey)
        return sign_body(self.leaf.key, body)

    def with_leaf(self, leaf: Issued) -> AlexaPki:
        return AlexaPki(self.root, self.intermediate, leaf)


def alexa_pki(now: datetime | None = None, *, label: str = "alexa") -> AlexaPki:
    """root -> intermediate -> signing certificate for echo-api.amazon.com, valid around `now`."""
    root = new_root(f"{label} root", now=now)
    intermediate = new_intermediate(root, f"{label} intermediate", now=now)
    leaf = new_leaf(intermediate, (ALEXA_NAME,), label=f"{label} leaf", now=now)
    return AlexaPki(root, intermediate, leaf)


@dataclass(frozen=True)
class TlsFiles:
    ca_bundle: Path  # trust this (e.g. ssl.create_default_context(cafile=...), requests verify=...)
    cert: Path  # server certificate then intermediate, PEM
    key: Path  # server private key, PKCS#8 PEM, unencrypted


def write_tls_files(directory: Path, names: Sequence[str] = ("localhost", "127.0.0.1")) -> TlsFiles:
    """Files for a local HTTPS server: ssl_context.load_cert_chain(files.cert, files.key)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    root = new_root("tls root")
    intermediate = new_intermediate(root, "tls intermediate")
    server = new_leaf(intermediate, names, label="tls server")
    files = TlsFiles(directory / "ca.pem", directory / "server.pem", directory / "server-key.pem")
    files.ca_bundle.write_bytes(root.pem())
    files.cert.write_bytes(server.pem() + intermediate.pem())
    files.key.write_bytes(server.key_pem())
    files.key.chmod(0o600)
    return files
