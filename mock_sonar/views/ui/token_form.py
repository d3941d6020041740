"""The tokens form shared by My Account > Security and the Users page's "Tokens of …" dialog
(sonarqube-webapp `TokensForm.tsx`, `TokensFormItem.tsx`, `TokensFormNewToken.tsx`)."""

from datetime import datetime

from flask import request
from sqlite_utils import Database

from mock_sonar.accounts import permissions, tokens
from mock_sonar.accounts.tokens import TokenType
from mock_sonar.errors import BadRequest, Forbidden
from mock_sonar.views.ui import webapp

BAD_EXPIRATION = "Expires in: choose one of the listed durations."
#: users.tokens.<TYPE> and users.tokens.<TYPE>.short.
TYPE_LABELS = {
    TokenType.USER_TOKEN: ("User Token", "User"),
    TokenType.GLOBAL_ANALYSIS_TOKEN: ("Global Analysis Token", "Global"),
    TokenType.PROJECT_ANALYSIS_TOKEN: ("Project Analysis Token", "Project"),
}


def creatable_types(db: Database, user: dict) -> list[tuple[str, str]]:
    """The "Type" options: Global Analysis Token with 'Execute Analysis', then User Token.

    Project Analysis Token is offered only for scannable projects, which the simulator has none of.
    """
    options = [(TokenType.USER_TOKEN, TYPE_LABELS[TokenType.USER_TOKEN][0])]
    if permissions.Permission.SCAN in permissions.user_permissions(db, user["uuid"]):
        options.insert(
            0,
            (
                TokenType.GLOBAL_ANALYSIS_TOKEN,
                TYPE_LABELS[TokenType.GLOBAL_ANALYSIS_TOKEN][0],
            ),
        )
    return options


def token_rows(db: Database, user: dict, now: datetime) -> list[dict]:
    """The user's tokens as the table lists them."""
    return [
        {
            **token,
            "expired": tokens.is_expired(token, now),
            "type_label": TYPE_LABELS[token["type"]][0],
            "type_short": TYPE_LABELS[token["type"]][1],
        }
        for token in tokens.user_tokens(db, user["uuid"])
    ]


def generate_from_form(
    db: Database, now: datetime, user: dict, *, with_type: bool
) -> tuple[dict, str]:
    """Generate a token from the posted Name, Type and "Expires in"; (row, clear value)."""
    name = request.form.get("name", "").strip()
    token_type = (
        (request.form.get("type") or TokenType.USER_TOKEN) if with_type else TokenType.USER_TOKEN
    )
    if token_type not in dict(creatable_types(db, user)):
        raise Forbidden()
    days = request.form.get("expiration", str(webapp.DEFAULT_TOKEN_EXPIRATION))
    if days not in {str(value) for value, _ in webapp.TOKEN_EXPIRATIONS}:
        # Guess: the select offers only valid durations; a forged value gets this message.
        raise BadRequest(BAD_EXPIRATION)
    if len(name) > tokens.NAME_MAX:
        raise BadRequest(
            f"'name' length ({len(name)}) is longer than the maximum authorized ({tokens.NAME_MAX})"
        )
    return tokens.generate_token(
        db,
        now,
        user,
        name=name,
        token_type=token_type,
        expiration_date=webapp.token_expiration(now, int(days)),
    )
