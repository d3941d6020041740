"""Dates as the Admin Console shows them: `Dec 6, 2026 8:00:33 PM`, with the exact ISO 8601
value kept in the element for tools and for a hover.

Okta's console shows times in the browser's time zone; a server-rendered page does not know it,
so the simulator shows UTC (README, Admin Console) and says so in the hover text.
"""

from datetime import UTC, datetime

from markupsafe import Markup, escape

#: English month abbreviations, whatever the server's locale.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def console_time(value: str | datetime | None) -> Markup:
    """`<time datetime="ISO" title="ISO UTC">Mon D, YYYY H:MM:SS AM</time>`; empty for None."""
    if not value:
        return Markup("")
    moment = value if isinstance(value, datetime) else _parse(value)
    if moment is None:
        return escape(value)  # not a date after all: shown as it is
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    hour = moment.hour % 12 or 12
    shown = (
        f"{_MONTHS[moment.month - 1]} {moment.day}, {moment.year} "
        f"{hour}:{moment:%M:%S} {'AM' if moment.hour < 12 else 'PM'}"
    )
    iso = value if isinstance(value, str) else value.isoformat()
    return Markup('<time datetime="{iso}" title="{iso} (UTC)">{shown}</time>').format(
        iso=iso, shown=shown
    )


def _parse(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None
