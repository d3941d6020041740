"""Who may use the Admin Console."""

from mock_okta.config import ORG_ADMIN_LOGIN
from mock_okta.directory.users import User


def is_org_admin(user: User | None) -> bool:
    """The org's super administrator (the bootstrap user), signed in while ACTIVE.

    Guess: the simulator has no admin roles; only the super admin reaches the console.
    """
    return bool(
        user and user["status"] == "ACTIVE" and user["login"].lower() == ORG_ADMIN_LOGIN.lower()
    )
