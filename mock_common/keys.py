"""Key pairs kept as PEM files under $DEVENV_HOME/keys (generated on first use, never committed).

Both apps read the same file when they must agree on a key: mock_okta signs SAML responses
with the IdP key of its SonarQube app, and mock_sonar's fixture takes that certificate as
`sonar.auth.saml.certificate.secured`, exactly as an admin copies it from Okta's Sign On tab.
One file holds the private key and its certificate, so the pair can never get out of step.
"""

import functools
import os
import tempfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa

_CERT_BEGIN = "-----BEGIN CERTIFICATE-----"


def new_self_signed_pair(
    subject: x509.Name, not_before: datetime, validity: timedelta
) -> tuple[str, str]:
    """(PKCS#8 private key PEM, certificate PEM): a new RSA-2048 key, self-signed (SHA-256)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    not_before = not_before.replace(microsecond=0)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_before + validity)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return key_pem, cert.public_bytes(serialization.Encoding.PEM).decode()


def _refuse_unset_variables(path: Path) -> None:
    # A fixture seeded without DEVENV_KEYS would otherwise write keys under "./${DEVENV_KEYS}".
    if "${" in str(path):
        raise ValueError(f"{path}: a ${{...}} variable of the fixture was not given")


def load_key_pair(path: Path) -> tuple[str, str]:
    """(private key PEM, certificate PEM) from a key file; errors name the file."""
    _refuse_unset_variables(path)
    try:
        text = path.read_text()
    except OSError as error:
        raise FileNotFoundError(f"{path}: no key file ({error.strerror})") from error
    start = text.find(_CERT_BEGIN)
    if start < 0:
        raise ValueError(f"{path}: no certificate in the key file")
    key_pem, cert_pem = text[:start].strip() + "\n", text[start:].strip() + "\n"
    try:
        _check_pair(key_pem, cert_pem)
    except (ValueError, TypeError) as error:
        raise ValueError(f"{path}: not a PEM private key and certificate ({error})") from error
    return key_pem, cert_pem


@functools.lru_cache(maxsize=32)
def _check_pair(key_pem: str, cert_pem: str) -> None:
    """Both parts must parse, so a damaged file fails here, not in the middle of a sign-in.

    Remembered by content: loading an RSA key checks it (~35 ms), and every seed and reset
    reads the same few files again. A failed check is not remembered (it raises)."""
    serialization.load_pem_private_key(key_pem.encode(), password=None)
    x509.load_pem_x509_certificate(cert_pem.encode())


def load_or_create_key_pair(path: Path, make: Callable[[], tuple[str, str]]) -> tuple[str, str]:
    """The pair in `path`, made with `make()` and written atomically when the file is missing."""
    _refuse_unset_variables(path)
    if not path.exists():
        key_pem, cert_pem = make()
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".key-")
        with os.fdopen(handle, "w") as stream:
            stream.write(key_pem.strip() + "\n" + cert_pem.strip() + "\n")
        try:
            # link() fails if another process created the file first: then theirs wins.
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
    return load_key_pair(path)
