"""pysaml2 set up as one app's IdP, in memory, for signing, encrypting and checking messages.

pysaml2 signs and encrypts by running the `xmlsec1` binary, which reads keys from files: the
app's key and certificate are written to a private temporary folder (mode 0700) for the
duration of one operation and removed afterwards.
"""

import base64
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from xml.etree import ElementTree  # serialization only; parsing goes through defusedxml

from cryptography.utils import CryptographyDeprecationWarning
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, SamlBase
from saml2 import xmldsig as ds
from saml2.config import IdPConfig
from saml2.sigver import RSA_1_5, RSA_OAEP_MGF1P, pre_encryption_part

with warnings.catch_warnings():
    # pysaml2 7.5.5 names cryptography's CFB mode when saml2.server is imported; cryptography
    # flags that as deprecated. The IdP never uses CFB.
    warnings.simplefilter("ignore", CryptographyDeprecationWarning)
    from saml2.server import Server

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
    """A pysaml2 Server for one app: its entityID, endpoints, signing key and the SP's metadata."""
    with tempfile.TemporaryDirectory(prefix="mock-okta-saml-") as folder:
        key_file, cert_file = Path(folder, "key.pem"), Path(folder, "cert.pem")
        key_file.touch(mode=0o600)
        key_file.write_text(signing["keyPem"])
        cert_file.write_text(signing["certPem"])
        endpoints: dict = {
            "single_sign_on_service": [
                (sso_url, BINDING_HTTP_POST),
                (sso_url, BINDING_HTTP_REDIRECT),
            ]
        }
        if slo_url:
            endpoints["single_logout_service"] = [
                (slo_url, BINDING_HTTP_POST),
                (slo_url, BINDING_HTTP_REDIRECT),
            ]
        config = IdPConfig()
        config.load(
            {
                "entityid": entity_id,
                "key_file": str(key_file),
                "cert_file": str(cert_file),
                "metadata": {"inline": [sp_metadata]} if sp_metadata else {},
                "service": {
                    "idp": {
                        "endpoints": endpoints,
                        "want_authn_requests_signed": want_signed_requests,
                    }
                },
            }
        )
        yield Server(config=config)


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
    der = setting["x5c"][0]
    body = "\n".join(der[i : i + 64] for i in range(0, len(der), 64))
    return {
        "cert_pem": f"-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n",
        "block": setting.get("encryptionAlgorithm", "AES256_CBC"),
        "key_transport": setting.get("keyTransportAlgorithm", "RSA_OAEP"),
    }


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
