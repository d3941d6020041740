""" "Contains" searches over users' login, name and email, as SonarQube's LIKE '%text%', through
the trigram index of migration 005 when it narrows the search.

The LIKE stays in every query, so the rows are always the same; the index only picks the
candidates. It cannot answer text under three characters (no trigram), and when the text is
common a walk in the query's own order finds a page sooner, so then it is left out.
"""

from sqlite_utils import Database

from mock_sonar.storage import like
from mock_sonar.storage.like import ESCAPE_CLAUSE

#: The index is used when it finds at most this many users.
NARROW_ROWS = 1000
#: FTS5's trigram tokenizer matches text of three characters or more.
SHORTEST = 3


def users_containing(db: Database, text: str, alias: str = "u") -> tuple[str, dict]:
    """A WHERE fragment (with its parameters `q`, `q_text`) for the users of `alias` whose
    login, name or email contains `text`, without regard to ASCII case."""
    text = text[: like.LONGEST_SEARCH]
    params = {"q": like.contains(text)}
    condition = (
        f"({alias}.login like :q {ESCAPE_CLAUSE} or {alias}.name like :q {ESCAPE_CLAUSE} "
        f"or {alias}.email like :q {ESCAPE_CLAUSE})"
    )
    if len(text) < SHORTEST or "\x00" in text:  # FTS5's query syntax ends at a NUL
        return condition, params
    params["q_text"] = '"' + text.replace('"', '""') + '"'  # one FTS5 phrase: the whole text
    if not _at_most(db, params["q_text"], NARROW_ROWS):
        return condition, params
    candidates = f"{alias}.rowid in (select rowid from _users_text where _users_text match :q_text)"
    return f"({candidates} and {condition})", params


def _at_most(db: Database, phrase: str, count: int) -> bool:
    sql = (
        "select count(*) as n from (select 1 from _users_text "
        "where _users_text match :phrase limit :cap)"
    )
    return next(db.query(sql, {"phrase": phrase, "cap": count + 1}))["n"] <= count
