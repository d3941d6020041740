"""System Log queries through the official okta SDK (GET /api/v1/logs)."""

from datetime import UTC, datetime, timedelta

from okta.models import CreateUserRequest
from okta.pagination import paginate_all

from tests.okta.api_helpers import SSWS


def make_users(sdk, count: int) -> list[str]:
    ids = []
    for i in range(count):
        body = CreateUserRequest.from_dict(
            {
                "profile": {
                    "login": f"u{i}@example.com",
                    "email": f"u{i}@example.com",
                    "firstName": "U",
                    "lastName": str(i),
                },
                "credentials": {"password": {"value": "Passw0rd!x"}},
            }
        )
        user, _, err = sdk(lambda c, b=body: c.create_user(b))
        assert err is None
        ids.append(user.id)
    return ids


def test_filter_by_event_type(sdk):
    ids = make_users(sdk, 2)
    events, _, err = sdk(lambda c: c.list_log_events(filter='eventType eq "user.lifecycle.create"'))
    assert err is None
    assert [e.event_type for e in events] == ["user.lifecycle.create"] * 2
    assert [e.target[0].id for e in events] == ids
    assert events[0].outcome.result == "SUCCESS"
    assert events[0].actor.alternate_id == "admin@example.com"


def test_since_until_and_descending_order(sdk, okta_url):
    make_users(sdk, 1)
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    events, _, _ = sdk(lambda c: c.list_log_events(since=future))
    assert events == []
    events, _, _ = sdk(lambda c: c.list_log_events(sort_order="DESCENDING"))
    assert [e.event_type for e in events[:2]] == [
        "user.lifecycle.activate",
        "user.lifecycle.create",
    ]


def test_paging_through_events(sdk):
    make_users(sdk, 3)

    async def collect(client):
        return [e.uuid async for e in paginate_all(client.list_log_events, limit=2)]

    uuids = sdk(collect)
    assert len(uuids) == len(set(uuids)) == 6


def test_keyword_search(sdk):
    make_users(sdk, 2)
    events, _, _ = sdk(lambda c: c.list_log_events(q="u1@example.com"))
    assert {e.event_type for e in events} == {"user.lifecycle.create", "user.lifecycle.activate"}


def test_bad_parameters(okta):
    assert okta.get("/api/v1/logs?since=yesterday", headers=SSWS).status_code == 400
    assert okta.get("/api/v1/logs?sortOrder=UP", headers=SSWS).status_code == 400
    response = okta.get("/api/v1/logs", headers=SSWS, query_string={"filter": "eventType eq"})
    assert response.get_json()["errorCode"] == "E0000031"
