"""Key files under $DEVENV_HOME/keys: made once, shared, refused when damaged or misnamed."""

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from mock_common import keys

SUBJECT = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test")])


def make() -> tuple[str, str]:
    return keys.new_self_signed_pair(SUBJECT, datetime.now(UTC), timedelta(days=1))


def test_a_key_file_is_made_once_and_then_read_back(tmp_path):
    path = tmp_path / "keys" / "idp.pem"

    first = keys.load_or_create_key_pair(path, make)
    again = keys.load_or_create_key_pair(path, lambda: pytest.fail("must not make a new key"))

    assert first == again
    assert first[0].startswith("-----BEGIN PRIVATE KEY-----")  # PKCS#8
    assert x509.load_pem_x509_certificate(first[1].encode()).subject == SUBJECT
    assert [p.name for p in path.parent.iterdir()] == ["idp.pem"]  # no temporary file left


def test_a_damaged_key_file_is_refused_with_its_name(tmp_path):
    path = tmp_path / "idp.pem"
    path.write_text("not a key\n-----BEGIN CERTIFICATE-----\nxx\n-----END CERTIFICATE-----\n")

    with pytest.raises(ValueError, match=r"idp\.pem"):
        keys.load_key_pair(path)


def test_a_path_with_an_unset_fixture_variable_is_refused(tmp_path):
    with pytest.raises(ValueError, match="was not given"):
        keys.load_or_create_key_pair(tmp_path / "${DEVENV_KEYS}" / "idp.pem", make)
    assert not (tmp_path / "${DEVENV_KEYS}").exists()


def test_a_key_file_damaged_after_a_good_read_is_refused(tmp_path):
    # Good contents are remembered once checked; a file whose contents change is checked anew.
    path = tmp_path / "idp.pem"
    key_pem, cert_pem = keys.load_or_create_key_pair(path, make)
    assert keys.load_key_pair(path) == (key_pem, cert_pem)

    path.write_text(key_pem.replace(key_pem.splitlines()[3], "A" * 64) + cert_pem)

    with pytest.raises(ValueError, match=r"idp\.pem"):
        keys.load_key_pair(path)
