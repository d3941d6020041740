"""Search text in SQL LIKE, as SonarQube's DaoUtils.buildLikeValue writes it: `/`, `%` and `_`
typed by the user are escaped with `/`, so they match themselves and not any character."""

#: The escape character; every LIKE on user text says `escape '/'` (ESCAPE_CLAUSE).
ESCAPE = "/"
ESCAPE_CLAUSE = f"escape '{ESCAPE}'"


def contains(text: str) -> str:
    """The LIKE pattern for "contains `text`" (WildcardPosition.BEFORE_AND_AFTER)."""
    escaped = "".join(ESCAPE + c if c in (ESCAPE, "%", "_") else c for c in text)
    return f"%{escaped}%"
