"""Both apps refuse an overlong request target with a plain 414 before reading it, as the
real services' front ends do, and serve one just under the limit."""

import pytest

from mock_common.web import MAX_REQUEST_TARGET
from tests.okta.conftest import okta, okta_app, okta_template  # noqa: F401  (fixtures)


@pytest.mark.parametrize(
    ("client", "path"), [("sonar", "/api/users/search?q="), ("okta", "/api/v1/users?q=")]
)
def test_an_overlong_request_target_is_414(client, path, request):
    http = request.getfixturevalue(client)
    fitting = MAX_REQUEST_TARGET - len(path) + 1  # the "?" is not part of path or query
    too_long = http.get(path + "a" * (fitting + 1))
    assert too_long.status_code == 414
    assert too_long.mimetype == "text/plain"
    assert "Request-URI Too Long" in too_long.get_data(as_text=True)
    just_fits = http.get(path + "a" * fitting)
    assert just_fits.status_code != 414
