"""SonarQube's clock and date format, on the simulator's shared clock."""

from datetime import UTC, datetime

from mock_common.clock import advance, now, set_clock

__all__ = ["advance", "format_datetime", "now", "set_clock"]


def format_datetime(moment: datetime | str | None) -> str | None:
    """SonarQube's Web API date format: 2025-01-15T10:20:30+0000."""
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")
