"""HTTPS for the sandbox: a certificate authority and a leaf certificate for the loopback names.

Clients trust the CA file (`ca.pem`); the leaf (`cert.pem`, `key.pem`) is issued at every start for
`127.0.0.1`, `localhost` and the bound host. A directory that already holds a CA keeps it, so a
browser or a system store told to trust it once keeps trusting later runs.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_NAME = "Bitrix24 sandbox local CA"
CA_DAYS = 3650
LEAF_DAYS = 397  # browsers refuse leaves valid for longer than 398 days


@dataclass(frozen=True)
class TlsFiles:
    ca_file: str  # the certificate clients trust
    cert_file: str
    key_file: str

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(self.cert_file, self.key_file)
        return ctx


def prepare(host: str, directory: str | None = None) -> TlsFiles:
    """Write (or reuse) the CA and issue a fresh leaf for `host`; a temporary directory unless given."""
    root = Path(directory) if directory else Path(tempfile.mkdtemp(prefix="sandbox-tls-"))
    root.mkdir(parents=True, exist_ok=True)
    ca_cert, ca_key = _authority(root)
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf = _leaf(host, leaf_key, ca_cert, ca_key)
    cert_file, key_file = root / "cert.pem", root / "key.pem"
    cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM) + ca_cert.public_bytes(serialization.Encoding.PEM))
    _write_key(key_file, leaf_key)
    return TlsFiles(str(root / "ca.pem"), str(cert_file), str(key_file))


def _authority(root: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    ca_file, ca_key_file = root / "ca.pem", root / "ca-key.pem"
    if ca_file.exists() and ca_key_file.exists():
        cert = x509.load_pem_x509_certificate(ca_file.read_bytes())
        key = serialization.load_pem_private_key(ca_key_file.read_bytes(), password=None)
        if isinstance(key, ec.EllipticCurvePrivateKey) and cert.not_valid_after_utc > _now() + dt.timedelta(days=LEAF_DAYS):
            return cert, key
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CA_NAME)])
    cert = (
        _builder(name, name, key.public_key(), CA_DAYS)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                                     key_encipherment=False, data_encipherment=False, key_agreement=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_key(ca_key_file, key)
    ca_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert, key


def _leaf(host: str, key, ca_cert: x509.Certificate, ca_key) -> x509.Certificate:
    names: list[x509.GeneralName] = [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
    if host not in ("127.0.0.1", "localhost", "0.0.0.0", "", "::"):
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host or "localhost")])
    return (
        _builder(subject, ca_cert.subject, key.public_key(), LEAF_DAYS)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )


def _builder(subject: x509.Name, issuer: x509.Name, public_key, days: int) -> x509.CertificateBuilder:
    now = _now()
    return (
        x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=days))
    )


def _write_key(path: Path, key) -> None:
    path.touch(mode=0o600, exist_ok=True)
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)
