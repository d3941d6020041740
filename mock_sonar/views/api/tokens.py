"""api/user_tokens/* (Web API v1, reference §6.4).

Behaviour follows SonarQube's `usertoken/ws/*Action` classes.
"""

from datetime import date, timedelta

from flask import Blueprint, Response
from sqlite_utils import Database

from mock_sonar.accounts import permissions, tokens
from mock_sonar.accounts.tokens import TokenType
from mock_sonar.auth.principal import Principal
from mock_sonar.errors import BadRequest, Forbidden
from mock_sonar.views.api import representations as rep
from mock_sonar.views.api.params import GET_OR_POST, WsParams
from mock_sonar.views.common import get_db, is_admin, json_response, no_content, now, require_login

bp = Blueprint("user_tokens_api", __name__)


def token_owner(caller: Principal, login: str | None) -> str:
    """UserTokenSupport.getUser's permission: oneself, or anyone for an administrator."""
    login = login or caller.login
    if login != caller.login and not is_admin():
        raise Forbidden()
    return login


def expiration_param(params: WsParams) -> date | None:
    """`expirationDate` as YYYY-MM-DD, at least tomorrow (GenerateAction)."""
    value = params.optional("expirationDate")
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError as error:
        raise BadRequest(
            "Supplied date format for parameter expirationDate is wrong. Please "
            "supply date in the ISO 8601 date format (YYYY-MM-DD)"
        ) from error
    tomorrow = now().date() + timedelta(days=1)
    if day < tomorrow:
        raise BadRequest(
            f"The minimum value for parameter expirationDate is {tomorrow.isoformat()}."
        )
    return day


def check_analysis_token(
    db: Database, caller: Principal, params: WsParams, token_type: str
) -> None:
    """GenerateAction.validateParametersCombination: analysis tokens are for oneself."""
    if token_type == TokenType.USER_TOKEN:
        return
    kind = "Project" if token_type == TokenType.PROJECT_ANALYSIS_TOKEN else "Global"
    login = params.optional("login")
    if login is not None and login != caller.login:
        raise BadRequest(f"A {kind} Analysis Token cannot be generated for another user.")
    if token_type == TokenType.PROJECT_ANALYSIS_TOKEN and params.optional("projectKey") is None:
        raise BadRequest("A projectKey is needed when creating Project Analysis Token")
    # No projects are simulated: a project token only needs the global 'scan' permission.
    if permissions.Permission.SCAN not in permissions.user_permissions(db, caller.user["uuid"]):
        raise Forbidden()


@bp.post("/api/user_tokens/generate")
def generate_token() -> Response:
    """A token shown once; allowed for every user, managed or not (§4.2, §6.4)."""
    caller, params, db = require_login(), WsParams(), get_db()
    name = params.required("name", max_length=tokens.NAME_MAX).strip()
    token_type = params.choice("type", tuple(tokens.PREFIXES), default=TokenType.USER_TOKEN)
    check_analysis_token(db, caller, params, token_type)
    expiration = expiration_param(params)
    login = token_owner(caller, params.optional("login"))
    project_key = params.optional("projectKey")
    owner, row, value = tokens.generate_token_for(
        db,
        now(),
        login,
        name=name,
        token_type=token_type,
        expiration_date=expiration,
        project_key=project_key.strip() if token_type == TokenType.PROJECT_ANALYSIS_TOKEN else None,
    )
    return json_response(rep.v1_generated_token(owner, row, value))


@bp.route("/api/user_tokens/search", methods=GET_OR_POST)
def search_tokens() -> Response:
    """The tokens of oneself, or of anyone for an administrator."""
    login = token_owner(require_login(), WsParams().optional("login"))
    user_tokens = tokens.tokens_of(get_db(), login)
    return json_response(
        {"login": login, "userTokens": [rep.v1_token(token, now()) for token in user_tokens]}
    )


@bp.post("/api/user_tokens/revoke")
def revoke_token() -> Response:
    """204, also for an unknown name."""
    caller, params = require_login(), WsParams()
    name = params.required("name")
    tokens.revoke_token_for(get_db(), token_owner(caller, params.optional("login")), name)
    return no_content()
