"""Search text in SQL LIKE, as SonarQube's DaoUtils.buildLikeValue writes it: `/`, `%` and `_`
typed by the user are escaped with `/`, so they match themselves and not any character."""

#: The escape character; every LIKE on user text says `escape '/'` (ESCAPE_CLAUSE).
ESCAPE = "/"
ESCAPE_CLAUSE = f"escape '{ESCAPE}'"
#: Longer than any text a searched column holds (logins 255, names 200, emails 100, group
#: names 255 characters), and short enough for SQLite's 50,000-byte limit on a LIKE pattern.
LONGEST_SEARCH = 1001


def contains(text: str) -> str:
    """The LIKE pattern for "contains `text`" (WildcardPosition.BEFORE_AND_AFTER).

    A longer search is cut to LONGEST_SEARCH characters: no stored value can contain either,
    so the answer is the same (none), where SQLite would fail ("pattern too complex").
    """
    text = text[:LONGEST_SEARCH]
    escaped = "".join(ESCAPE + c if c in (ESCAPE, "%", "_") else c for c in text)
    return f"%{escaped}%"
