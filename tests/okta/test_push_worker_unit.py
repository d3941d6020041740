"""The delivery lanes' building blocks, without a network: `outbox.next_due` (an app's events
in order, apps held by other lanes skipped) and `worker.AppClaims` (one lane per app)."""

from datetime import UTC, datetime, timedelta

import pytest

from mock_common.db import connect, migrate
from mock_okta import outbox
from mock_okta.outbox import EventKind, EventStatus
from mock_okta.provisioning.worker import AppClaims, ProvisioningWorker
from mock_okta.storage.migrations import MIGRATIONS

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
WIKI, CRM = "0oawiki0000000000001", "0oacrm00000000000001"


@pytest.fixture
def db():
    database = connect(":memory:")
    migrate(database, MIGRATIONS)
    yield database
    database.conn.close()


def assigned(db, app_id: str, user_id: str) -> int:
    return outbox.enqueue(db, NOW, app_id, EventKind.USER_ASSIGNED, userId=user_id)


# --- outbox.next_due ------------------------------------------------------------------------------


def test_next_due_is_the_oldest_head_and_skips_the_apps_held_by_other_lanes(db):
    wiki_1 = assigned(db, WIKI, "00u1")
    crm_1 = assigned(db, CRM, "00u2")
    assigned(db, WIKI, "00u3")
    assert outbox.next_due(db, NOW)["id"] == wiki_1
    assert outbox.next_due(db, NOW, skip_apps={WIKI})["id"] == crm_1
    assert outbox.next_due(db, NOW, skip_apps={WIKI, CRM}) is None


def test_a_waiting_head_holds_back_its_app_only(db):
    wiki_1 = assigned(db, WIKI, "00u1")
    assigned(db, WIKI, "00u3")
    crm_1 = assigned(db, CRM, "00u2")
    outbox.retry_at(db, wiki_1, 1, "Too Many Requests", NOW + timedelta(seconds=60))
    assert outbox.next_due(db, NOW)["id"] == crm_1
    assert outbox.next_due(db, NOW + timedelta(seconds=60))["id"] == wiki_1


def test_a_failed_event_does_not_hold_back_its_app(db):
    wiki_1 = assigned(db, WIKI, "00u1")
    wiki_2 = assigned(db, WIKI, "00u3")
    outbox.finish(db, NOW, wiki_1, EventStatus.FAILED, "Conflict")
    assert outbox.next_due(db, NOW)["id"] == wiki_2


def test_next_due_takes_each_apps_head_whatever_the_backlog_and_the_order_of_app_ids(db):
    apps = ["0oaz0000000000000001", WIKI, "0oaa0000000000000001"]
    first = {app_id: assigned(db, app_id, "00u1") for app_id in apps}
    for n in range(50):  # a backlog behind every head
        for app_id in apps:
            assigned(db, app_id, f"00u{n + 2}")
    outbox.finish(db, NOW, first[apps[0]], EventStatus.DONE)
    outbox.retry_at(db, first[apps[1]], 1, "Too Many Requests", NOW + timedelta(seconds=60))
    second_of_first_app = first[apps[0]] + len(apps)  # the first of its backlog
    assert outbox.next_due(db, NOW)["id"] == first[apps[2]]
    assert outbox.next_due(db, NOW, skip_apps={apps[2]})["id"] == second_of_first_app
    assert outbox.next_due(db, NOW, skip_apps={apps[0], apps[2]}) is None
    assert outbox.next_due(db, NOW + timedelta(seconds=60))["id"] == first[apps[1]]


# --- the delivery state of an event --------------------------------------------------------------


def test_an_outcome_is_written_to_its_event_only(db):
    wiki_1 = assigned(db, WIKI, "00u1")
    wiki_2 = assigned(db, WIKI, "00u3")
    outbox.finish(db, NOW, wiki_1, EventStatus.FAILED, "Conflict")
    rows = {row["id"]: row for row in db.query("select * from provisioning_events")}
    assert (rows[wiki_1]["status"], rows[wiki_1]["last_error"]) == ("FAILED", "Conflict")
    assert rows[wiki_1]["finished"] == NOW.isoformat()
    assert (rows[wiki_2]["status"], rows[wiki_2]["finished"]) == ("PENDING", None)


def test_writing_the_same_outcome_again_is_not_a_reset(db):
    wiki_1 = assigned(db, WIKI, "00u1")
    outbox.finish(db, NOW, wiki_1, EventStatus.DONE)
    outbox.finish(db, NOW, wiki_1, EventStatus.DONE)  # no change, but the event is there
    assert outbox.is_idle(db)


@pytest.mark.parametrize(
    "write",
    [
        lambda db, event_id: outbox.finish(db, NOW, event_id, EventStatus.DONE),
        lambda db, event_id: outbox.retry_at(db, event_id, 1, "Too Many Requests", NOW),
        lambda db, event_id: outbox.count_attempt(db, event_id, 2),
    ],
    ids=["finish", "retry_at", "count_attempt"],
)
def test_an_outcome_for_an_event_a_reset_took_away_is_refused(db, write):
    assigned(db, WIKI, "00u1")
    with pytest.raises(outbox.EventGone):
        write(db, 99)
    assert [row["status"] for row in db.query("select status from provisioning_events")] == [
        "PENDING"
    ]


# --- claims ---------------------------------------------------------------------------------------


def test_each_app_is_held_by_one_lane_at_a_time(db):
    claims = AppClaims()
    wiki_1 = assigned(db, WIKI, "00u1")
    wiki_2 = assigned(db, WIKI, "00u3")
    crm_1 = assigned(db, CRM, "00u2")
    assert claims.claim_next(db)["id"] == wiki_1
    assert claims.claim_next(db)["id"] == crm_1  # the Wiki is held: the CRM's head is next
    assert claims.claim_next(db) is None

    outbox.finish(db, NOW, wiki_1, EventStatus.DONE)
    claims.release(WIKI)
    assert claims.claim_next(db)["id"] == wiki_2


def test_stop_ends_every_lane(tmp_path):
    database = tmp_path / "okta.sqlite3"
    db = connect(database)
    migrate(db, MIGRATIONS)
    db.conn.close()
    worker = ProvisioningWorker(str(database), poll_seconds=0.05, lanes=3).start()
    assert [thread.is_alive() for thread in worker.threads] == [True, True, True]
    worker.stop()
    assert [thread.is_alive() for thread in worker.threads] == [False, False, False]
