"""The xmlsec1 binary, as pysaml2 drives it, shared by every SAML signature, verification and
decryption either app performs."""

from functools import cache, cached_property

from saml2.sigver import CryptoBackendXmlSec1, get_xmlsec_binary


class XmlSec1(CryptoBackendXmlSec1):
    """pysaml2's xmlsec1 backend, asking the binary its version once rather than per run."""

    @cached_property
    def version(self) -> str:  # type: ignore[override]
        """xmlsec1's version, asked once."""
        return super().version


@cache
def xmlsec1() -> XmlSec1:
    """The process's backend (found on PATH, as pysaml2 finds it)."""
    return XmlSec1(get_xmlsec_binary())
