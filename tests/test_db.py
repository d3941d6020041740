"""The database layer both apps share: queries, transactions."""

import pytest
from sqlite_utils import Database

from mock_common.db import atomic, connect, select_page
from mock_common.rows import insert_row_returning


@pytest.fixture
def db(tmp_path):
    database = connect(tmp_path / "app.sqlite3")
    database.execute("create table t (id integer primary key, name text)")
    database.execute("insert into t (id, name) values (1, 'a'), (2, 'b')")
    yield database
    database.conn.close()


def test_select_rows_are_what_sqlite_utils_gives(db, tmp_path):
    sql = "select t.id, t.name, u.name from t join t as u on u.id = t.id order by t.id"
    plain = Database(str(tmp_path / "app.sqlite3"))

    assert list(db.query(sql)) == list(plain.query(sql))
    assert list(db.query(sql)) == [
        {"id": 1, "name": "a", "name_2": "a"},
        {"id": 2, "name": "b", "name_2": "b"},
    ]


def test_a_statement_without_rows_is_refused_as_sqlite_utils_refuses_it(db):
    with pytest.raises(ValueError, match="returns rows"):
        db.query("delete from t")
    assert [row["id"] for row in db.query("select id from t")] == [1, 2]


def insert_then_fail(db) -> None:
    with atomic(db):
        db.execute("insert into t (id, name) values (3, 'c')")
        raise RuntimeError("boom")


def test_a_failed_block_leaves_nothing(db):
    with pytest.raises(RuntimeError, match="boom"):
        insert_then_fail(db)
    assert [row["id"] for row in db.query("select id from t")] == [1, 2]


@pytest.mark.parametrize(
    ("where", "offset", "limit", "names", "total"),
    [
        ([], 0, 10, ["a", "b", "c"], 3),  # one partial page: the total follows from it
        ([], 0, 2, ["a", "b"], 3),  # a full page: counted
        ([], 2, 2, ["c"], 3),  # the last, partial page
        ([], 3, 2, [], 3),  # past the end: counted
        ([], 7, 2, [], 3),
        ([], 0, 0, [], 3),  # count=0: only the total
        (["name = :n"], 0, 10, [], 0),  # nothing matches
        (["name = :n"], 5, 10, [], 0),
    ],
)
def test_a_page_carries_the_true_total(db, where, offset, limit, names, total):
    db.execute("insert into t (id, name) values (3, 'c')")
    rows, counted = select_page(
        db,
        columns="name",
        source="t",
        where=where,
        params={"n": "z"},
        order_by="id",
        offset=offset,
        limit=limit,
    )
    assert ([row["name"] for row in rows], counted) == (names, total)


def test_an_inserted_row_comes_back_as_stored_with_its_defaults(db):
    db.execute("create table d (id integer primary key, name text, n integer default 7)")
    stored = insert_row_returning(db, "d", {"id": 5, "name": "x"})

    assert stored == {"id": 5, "name": "x", "n": 7}
    assert stored == next(db.query("select * from d where id = 5"))
