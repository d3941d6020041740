"""pysaml2 set up as one app's IdP, in memory, for signing, encrypting and checking messages.

pysaml2 signs and encrypts by running the `xmlsec1` binary, which reads keys from files: the
app's key and certificate are written to a private temporary folder (mode 0700) while
operations use them and removed afterwards. A set-up (pysaml2 configuration, parsed metadata
and keys) is built once for each distinct configuration and reused: a new signing key, new
settings or another base URL make a new one. Signatures of the SP's messages are checked by
pysaml2 too: enveloped XML signatures through xmlsec1, HTTP-Redirect query signatures with
pysaml2's signers, always against the SP certificates the app holds and never against a
certificate the message brings along.
"""

import base64
import binascii
import shutil
import tempfile
import threading
import warnings
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from xml.etree import ElementTree  # serialization only; parsing goes through defusedxml

from cryptography.utils import CryptographyDeprecationWarning
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, SamlBase, md, samlp
from saml2 import xmldsig as ds
from saml2.config import IdPConfig
from saml2.sigver import (
    RSA_1_5,
    RSA_OAEP_MGF1P,
    SIGNER_ALGS,
    extract_rsa_key_from_x509_cert,
    pem_format,
    pre_encryption_part,
)

with warnings.catch_warnings():
    # pysaml2 7.5.5 names cryptography's CFB mode when saml2.server is imported; cryptography
    # flags that as deprecated. The IdP never uses CFB.
    warnings.simplefilter("ignore", CryptographyDeprecationWarning)
    from saml2.server import Server

from mock_common.xmlsec import xmlsec1

_XMLENC, _XMLENC11 = "http://www.w3.org/2001/04/xmlenc#", "http://www.w3.org/2009/xmlenc11#"

#: settings.signOn.signatureAlgorithm / digestAlgorithm -> XML-DSig algorithm URIs.
SIGNATURE_ALGORITHMS = {"RSA_SHA256": ds.SIG_RSA_SHA256, "RSA_SHA1": ds.SIG_RSA_SHA1}
DIGEST_ALGORITHMS = {"SHA256": ds.DIGEST_SHA256, "SHA1": ds.DIGEST_SHA1}
#: Assertion encryption: block cipher -> (XML-Enc URI, xmlsec1 session key type).
BLOCK_ALGORITHMS = {
    "AES128_CBC": (f"{_XMLENC}aes128-cbc", "aes-128"),
    "AES256_CBC": (f"{_XMLENC}aes256-cbc", "aes-256"),
    "AES128_GCM": (f"{_XMLENC11}aes128-gcm", "aes-128"),
    "AES256_GCM": (f"{_XMLENC11}aes256-gcm", "aes-256"),
}
KEY_TRANSPORT_ALGORITHMS = {"RSA_OAEP": RSA_OAEP_MGF1P, "RSA_15": RSA_1_5}


#: How many distinct IdP set-ups are kept (apps x keys x base URLs in use at once).
CACHED_SERVERS = 64
_BUILDING = threading.Lock()


@contextmanager
def idp_server(
    *,
    entity_id: str,
    signing: dict,
    sso_url: str,
    slo_url: str | None = None,
    sp_metadata: str | None = None,
    want_signed_requests: bool = False,
) -> Iterator[Server]:
    """A pysaml2 Server for one app: its entityID, endpoints, signing key and the SP's metadata.

    Built once per distinct set of these values and shared: requests only sign, encrypt and
    check with it (its security context and metadata), which keeps no per-request state.
    """
    with _BUILDING:  # concurrent first requests build one set-up, not one each
        setup = _idp_setup(
            entity_id,
            signing["keyPem"],
            signing["certPem"],
            sso_url,
            slo_url,
            sp_metadata,
            want_signed_requests,
        )
    with setup.key_files:
        yield setup.server


class _KeyFiles:
    """The key and certificate xmlsec1 reads, in a private folder (0700, files 0600).

    The files are written when a first operation starts and removed when the last one running
    ends, so a process stopped between operations leaves no key behind; the (then empty)
    folder goes with this object, or at exit.
    """

    def __init__(self, key_pem: str, cert_pem: str) -> None:
        folder = Path(tempfile.mkdtemp(prefix="mock-okta-saml-"))
        self.key_file, self.cert_file = folder / "key.pem", folder / "cert.pem"
        self._contents = {self.key_file: key_pem, self.cert_file: cert_pem}
        self._lock = threading.Lock()
        self._users = 0
        weakref.finalize(self, shutil.rmtree, folder, ignore_errors=True)

    def __enter__(self) -> "_KeyFiles":
        with self._lock:
            if self._users == 0:
                for path, content in self._contents.items():
                    path.touch(mode=0o600)
                    path.write_text(content)
            self._users += 1
        return self

    def __exit__(self, *exc_info: object) -> None:
        with self._lock:
            self._users -= 1
            if self._users == 0:
                for path in self._contents:
                    path.unlink(missing_ok=True)


@dataclass(frozen=True)
class _IdpSetup:
    server: Server
    key_files: _KeyFiles


@lru_cache(maxsize=CACHED_SERVERS)
def _idp_setup(
    entity_id: str,
    key_pem: str,
    cert_pem: str,
    sso_url: str,
    slo_url: str | None,
    sp_metadata: str | None,
    want_signed_requests: bool,
) -> _IdpSetup:
    endpoints: dict = {
        "single_sign_on_service": [(sso_url, BINDING_HTTP_POST), (sso_url, BINDING_HTTP_REDIRECT)]
    }
    if slo_url:
        endpoints["single_logout_service"] = [
            (slo_url, BINDING_HTTP_POST),
            (slo_url, BINDING_HTTP_REDIRECT),
        ]
    key_files = _KeyFiles(key_pem, cert_pem)
    config = IdPConfig()
    with key_files:
        config.load(
            {
                "entityid": entity_id,
                "key_file": str(key_files.key_file),
                "cert_file": str(key_files.cert_file),
                "metadata": {"inline": [sp_metadata]} if sp_metadata else {},
                "service": {
                    "idp": {
                        "endpoints": endpoints,
                        "want_authn_requests_signed": want_signed_requests,
                    }
                },
            }
        )
        server = Server(config=config)
    server.sec.crypto = xmlsec1()
    return _IdpSetup(server, key_files)


def encrypt_assertion(
    server: Server, response_xml: str, *, cert_pem: str, block: str, key_transport: str
) -> str:
    """The response with its (only) Assertion, inside EncryptedAssertion, encrypted for the SP."""
    algorithm, session_key = BLOCK_ALGORITHMS[block]
    template = pre_encryption_part(
        msg_enc=algorithm, key_enc=KEY_TRANSPORT_ALGORITHMS[key_transport]
    )
    with tempfile.TemporaryDirectory(prefix="mock-okta-saml-") as folder:
        cert_file = Path(folder, "sp-cert.pem")
        cert_file.write_text(cert_pem)
        return server.sec.encrypt_assertion(
            response_xml, str(cert_file), str(template), key_type=session_key
        )


def assertion_encryption(sign_on: dict) -> dict | None:
    """encrypt_assertion()'s arguments when the app encrypts assertions, else None.

    Okta's public Apps API has no field for assertion encryption (the Admin Console sets it:
    terraform-provider-okta issue #1874); `assertionEncryption` is this simulator's own.
    """
    # Guess: the shape mirrors the console's fields: {"enabled", "encryptionAlgorithm",
    # "keyTransportAlgorithm", "x5c": [base64 DER of the SP's encryption certificate]}.
    setting = sign_on.get("assertionEncryption") or {}
    if not setting.get("enabled"):
        return None
    return {
        "cert_pem": certificate_pem(setting["x5c"][0]),
        "block": setting.get("encryptionAlgorithm", "AES256_CBC"),
        "key_transport": setting.get("keyTransportAlgorithm", "RSA_OAEP"),
    }


def certificate_pem(der_base64: str) -> str:
    """A certificate of an `x5c` list (base64 DER) as PEM."""
    der = "".join(der_base64.split())
    body = "\n".join(der[i : i + 64] for i in range(0, len(der), 64))
    return f"-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n"


def sp_certificates(sign_on: dict) -> list[str]:
    """The SP's signature certificates (settings.signOn.spCertificate.x5c), whitespace removed.

    Okta's own examples end the value with "\\r\\n" (Okta guide "Configure Single Logout").
    """
    x5c = (sign_on.get("spCertificate") or {}).get("x5c") or []
    return ["".join(cert.split()) for cert in x5c if isinstance(cert, str) and cert.strip()]


def sp_metadata(
    entity_id: str, certificates: list[str], *, acs_url: str, slo_url: str | None = None
) -> str:
    """An SP as pysaml2 needs to know it: its entity ID, signing certificates and endpoints."""
    keys = [
        md.KeyDescriptor(
            use="signing",
            key_info=ds.KeyInfo(
                x509_data=[ds.X509Data(x509_certificate=ds.X509Certificate(text=cert))]
            ),
        )
        for cert in certificates
    ]
    descriptor = md.SPSSODescriptor(
        protocol_support_enumeration=samlp.NAMESPACE,
        key_descriptor=keys,
        single_logout_service=[
            md.SingleLogoutService(binding=binding, location=slo_url)
            for binding in (BINDING_HTTP_POST, BINDING_HTTP_REDIRECT)
            if slo_url
        ],
        assertion_consumer_service=[
            md.AssertionConsumerService(binding=BINDING_HTTP_POST, location=acs_url, index="0")
        ],
    )
    entity = md.EntityDescriptor(entity_id=entity_id, spsso_descriptor=[descriptor])
    return entity.to_string().decode()


def verify_query_signature(
    signed_octets: bytes, sig_alg: str, signature: str, certificates: list[str]
) -> bool:
    """Whether an HTTP-Redirect message's Signature is valid for one of the certificates.

    SAML Bindings §3.4.4.1: the signature covers `SAMLRequest=…&RelayState=…&SigAlg=…` exactly
    as the query string carried them (the caller passes those octets, not a re-encoding).
    """
    signer = SIGNER_ALGS.get(sig_alg)
    try:
        raw = base64.b64decode(signature.encode("ascii"), validate=False)
    except (binascii.Error, UnicodeError):
        return False
    if signer is None or not raw:
        return False
    for certificate in certificates:
        try:
            key = extract_rsa_key_from_x509_cert(pem_format(certificate))
        except ValueError:
            continue
        if signer.verify(signed_octets, raw, key):
            return True
    return False


def verify_enveloped_signature(server: Server, xml: str, message_type: str) -> bool:
    """Whether the message carries a valid enveloped signature of the SP in `server`'s metadata.

    pysaml2 checks the SAML XML Signature profile (one Reference to the root's ID, allowed
    transforms) and runs xmlsec1 with the certificates of the message's Issuer in the metadata
    (`only_use_keys_in_metadata`: a certificate inside the message is never trusted).
    """
    try:
        return bool(server.sec.correctly_signed_message(xml, message_type, must=True))
    except Exception:  # pysaml2 raises many unrelated types for unsigned or badly signed XML
        return False


def serialize(message: SamlBase, prefixes: dict[str, str]) -> str:
    """The message's XML with the given prefixes (`saml2p:`, `saml2:` ... as Okta writes them).

    Every Assertion declares the namespaces itself, so that it stays well-formed once it is
    encrypted on its own (and decrypted by the SP).
    """
    tree = message._to_element_tree()
    message.set_prefixes(tree, prefixes)
    assertion_tag = f"{_prefix_of(prefixes, 'urn:oasis:names:tc:SAML:2.0:assertion')}:Assertion"
    for element in tree.iter():
        if element is not tree and element.tag == assertion_tag:
            for prefix, uri in prefixes.items():
                element.set(f"xmlns:{prefix}", uri)
    return ElementTree.tostring(tree, encoding="unicode")


def base64_text(xml: str) -> str:
    """A message as the HTTP-POST binding carries it."""
    return base64.b64encode(xml.encode("utf-8")).decode("ascii")


def _prefix_of(prefixes: dict[str, str], uri: str) -> str:
    return next(prefix for prefix, value in prefixes.items() if value == uri)
