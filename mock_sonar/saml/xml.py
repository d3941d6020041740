"""The XML side of the SAML SP: safe parsing, XML Signature checks and decryption.

Signatures are verified and assertions decrypted by xmlsec1 through pysaml2's crypto backend;
the structure checks around it are those of OpenSAML's SAMLSignatureProfileValidator
(saml-core §5.4: one enveloped signature whose single Reference points at its parent's ID).
"""

import logging
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from saml2.sigver import DecryptError, SignatureError

from mock_common.xmlsec import xmlsec1
from mock_sonar.errors import DecryptionFailed, MalformedXml

log = logging.getLogger(__name__)

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DS = "http://www.w3.org/2000/09/xmldsig#"
XENC = "http://www.w3.org/2001/04/xmlenc#"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NS = {"samlp": SAMLP, "saml": SAML, "ds": DS, "xenc": XENC}
RESPONSE_NODE = f"{SAMLP}:Response"
ASSERTION_NODE = f"{SAML}:Assertion"
#: Transforms the SAML signature profile allows.
_TRANSFORMS = {
    "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
    "http://www.w3.org/2001/10/xml-exc-c14n#",
    "http://www.w3.org/2001/10/xml-exc-c14n#WithComments",
}
# Guess: OpenSAML's parser pool refuses a DOCTYPE and wraps the parser's error in this message.
UNPARSABLE = "Unable to parse inputstream, it contained invalid XML"
# Guess: the text of Spring's DECRYPTION_ERROR (OpenSAML's DecryptionException, wrapped).
UNDECRYPTABLE = "org.opensaml.xmlsec.encryption.support.DecryptionException: " + (
    "Failed to decrypt EncryptedData"
)


def tag(namespace: str, name: str) -> str:
    """ElementTree's `{namespace}name`."""
    return f"{{{namespace}}}{name}"


def parse(xml: str) -> ET.Element:
    """Parse with DTDs, entities and external references all refused (no XXE, no bombs)."""
    try:
        root = SafeET.fromstring(xml, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ET.ParseError, DefusedXmlException, ValueError) as error:
        log.info("refused SAML XML: %s", error)
        raise MalformedXml(UNPARSABLE) from error
    ids = [e.get("ID") for e in root.iter() if e.get("ID") is not None]
    if len(ids) != len(set(ids)):
        # Guess: a simulator safeguard against signature wrapping; OpenSAML relies on its
        # ID registration instead.
        raise MalformedXml("Duplicate ID attribute in the SAML message")
    return root


def signature_of(element: ET.Element) -> ET.Element | None:
    """The element's own (enveloped) signature: a direct ds:Signature child."""
    return element.find("ds:Signature", NS)


def verify(document: str, element: ET.Element, cert_pem: str, node: str) -> list[str]:
    """Spring's signature errors for a signed element: [] when its signature verifies."""
    ident = element.get("ID", "")
    if not _follows_profile(element):
        return [f"Invalid signature for object [{ident}]: "]
    with _temporary_file(cert_pem, ".pem") as cert_file:
        try:
            valid = xmlsec1().validate_signature(document, cert_file, "pem", node, ident)
        except SignatureError as error:
            log.info("signature of %s does not verify: %s", ident, str(error).splitlines()[0])
            valid = False
    return [] if valid else [f"Invalid signature for object [{ident}]"]


def _follows_profile(element: ET.Element) -> bool:
    """SAMLSignatureProfileValidator, and xmlsec1 must find this very signature first."""
    signature = signature_of(element)
    ident = element.get("ID")
    if signature is None or not ident:
        return False
    first = next(element.iter(tag(DS, "Signature")), None)
    references = signature.findall("ds:SignedInfo/ds:Reference", NS)
    if first is not signature or len(references) != 1:
        return False
    if references[0].get("URI") not in ("", f"#{ident}"):
        return False
    transforms = references[0].findall("ds:Transforms/ds:Transform", NS)
    return all(t.get("Algorithm") in _TRANSFORMS for t in transforms)


def decrypt(document: str, key_pem: str) -> str:
    """The document with its (first) EncryptedData replaced by the plaintext element."""
    with _temporary_file(key_pem, ".pem") as key_file:
        try:
            return xmlsec1().decrypt(document, key_file)
        except DecryptError as error:
            log.info("SAML decryption failed: %s", str(error).splitlines()[0])
            raise DecryptionFailed(UNDECRYPTABLE) from error


def text_of(element: ET.Element | None) -> str | None:
    """The element's text, stripped; None when absent."""
    if element is None or element.text is None:
        return None
    return element.text.strip()


@contextmanager
def _temporary_file(content: str, suffix: str) -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="saml-") as folder:
        path = Path(folder) / f"key{suffix}"
        path.write_text(content)
        path.chmod(0o600)
        yield str(path)
