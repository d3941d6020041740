"""Okta's timestamp format."""

from datetime import UTC, datetime


def okta_datetime(moment: datetime | str | None) -> str | None:
    """Okta's timestamps: 2013-06-24T16:39:18.000Z."""
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
