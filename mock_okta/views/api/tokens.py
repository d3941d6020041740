"""API tokens: /api/v1/api-tokens (list, get, rename, revoke) and Security > API > Create Token."""

from flask import Blueprint, Response, g, request

from mock_okta.security import api_tokens
from mock_okta.storage.pagination import parse_limit
from mock_okta.timestamps import okta_datetime
from mock_okta.views.common import (
    get_db,
    json_body,
    json_response,
    no_content,
    now,
    org_url,
    paged_response,
)

bp = Blueprint("api_tokens", __name__)


def token_json(row: dict) -> dict:
    """The ApiToken object (the value itself is never returned after creation)."""
    return {
        "id": row["id"],
        "name": row["name"],
        "userId": row["user_id"],
        "tokenWindow": api_tokens.DEFAULT_TOKEN_WINDOW,
        "clientName": "Okta API",
        "created": okta_datetime(row["created"]),
        "lastUpdated": okta_datetime(row["created"]),
        "network": {"connection": "ANYWHERE"},
        "_link": {"self": {"href": f"{org_url()}/api/v1/api-tokens/{row['id']}"}},
    }


@bp.get("/api/v1/api-tokens")
def list_api_tokens() -> Response:
    """Every token's metadata, Link paging (default 20, maximum 200: guessed limits)."""
    limit = parse_limit(request.args.get("limit"), default=20, maximum=200)
    rows, cursor = api_tokens.list_tokens(get_db(), after=request.args.get("after"), limit=limit)
    return paged_response([token_json(row) for row in rows], cursor, limit)


@bp.get("/api/v1/api-tokens/<token_id>")
def get_api_token(token_id: str) -> Response:
    """One token's metadata."""
    return json_response(token_json(api_tokens.require_token(get_db(), token_id)))


@bp.put("/api/v1/api-tokens/<token_id>")
def upsert_api_token(token_id: str) -> Response:
    """Rename a token."""
    row = api_tokens.rename_token(get_db(), now(), token_id, json_body())
    return json_response(token_json(row))


@bp.delete("/api/v1/api-tokens/current")
def revoke_current_api_token() -> Response:
    """Revoke the token this request used."""
    api_tokens.revoke_token(get_db(), g.api_token["id"])
    return no_content()


@bp.delete("/api/v1/api-tokens/<token_id>")
def revoke_api_token(token_id: str) -> Response:
    """Revoke a token."""
    api_tokens.revoke_token(get_db(), token_id)
    return no_content()


@bp.post("/_mock/api-tokens")
def create_api_token() -> Response:
    """Security > API > Tokens > Create Token (console only): the value is shown once."""
    owner = g.api_token["user_id"]
    row, value = api_tokens.create_named_token(get_db(), now(), json_body(), user_id=owner)
    return json_response({**token_json(row), "token": value}, 201)
