"""The console shows dates as Okta's console does, keeping the ISO value in the element."""

import pytest

from mock_common import clock
from mock_okta import reactions
from mock_okta.console.times import console_time
from tests.okta.console_helpers import (
    console_fixture,  # noqa: F401  (a fixture)
    next_page,
    seeded_template,  # noqa: F401  (a fixture)
)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("2026-12-06T20:00:33.523Z", "Dec 6, 2026 8:00:33 PM"),
        ("2026-01-15T00:05:01+00:00", "Jan 15, 2026 12:05:01 AM"),
        ("2026-07-04T12:00:00+02:00", "Jul 4, 2026 10:00:00 AM"),  # shown in UTC
        ("2026-03-09T12:30:00", "Mar 9, 2026 12:30:00 PM"),
    ],
)
def test_a_date_is_shown_the_consoles_way_with_its_iso_value_kept(value, shown):
    html = str(console_time(value))
    assert f">{shown}</time>" in html
    assert f'datetime="{value}"' in html
    assert f'title="{value} (UTC)"' in html


def test_no_date_shows_nothing_and_a_non_date_is_shown_escaped():
    assert str(console_time(None)) == ""
    assert str(console_time("<b>soon</b>")) == "&lt;b&gt;soon&lt;/b&gt;"


def test_the_system_log_page_shows_readable_dates(console):
    html = console.text("/report/system_log_2")
    assert "<time datetime=" in html
    assert "T" not in html.split("<time", 1)[1].split(">", 1)[1].split("</time>", 1)[0]


def test_the_system_log_pages_through_older_events(console):
    db = console.db()
    try:
        for n in range(120):  # each creation logs at least one event
            reactions.create_user(
                db,
                clock.now(db),
                {
                    "profile": {
                        "login": f"log{n}@example.com",
                        "email": f"log{n}@example.com",
                        "firstName": "Log",
                        "lastName": f"User{n}",
                    }
                },
                activate=False,
            )
    finally:
        db.conn.close()

    first = console.text("/report/system_log_2")
    assert 'rel="next"' in first
    second = console.text(next_page(first))
    assert ">First page</a>" in second
    assert first.count("<tr") >= 100
    newest_on_second = second.split("<time", 2)[1]
    assert newest_on_second not in first  # older events, not the same page again
