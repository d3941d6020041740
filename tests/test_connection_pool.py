"""The connections requests borrow: kept open between requests, one request at a time each,
handed back clean."""

import sqlite3
import threading

import pytest
from flask import Flask

from mock_common import web
from mock_common.web import ConnectionPool, get_db


@pytest.fixture
def path(tmp_path):
    database = str(tmp_path / "app.sqlite3")
    pool = ConnectionPool()
    db = pool.acquire(database)
    db.execute("create table t (id integer primary key)")
    pool.close_all()
    return database


def test_a_request_gets_the_connection_the_last_one_handed_back(path):
    # SQLite empties a connection's page cache when another connection wrote since its last
    # read: under one client, every request should find the connection that wrote last.
    pool = ConnectionPool()
    first = pool.acquire(path)
    pool.release(path, first)
    assert pool.acquire(path) is first


def test_requests_at_the_same_time_get_their_own_connections(path):
    pool = ConnectionPool()
    one, other = pool.acquire(path), pool.acquire(path)
    assert one is not other
    pool.release(path, one)
    pool.release(path, other)
    assert pool.acquire(path) is other  # the most recently returned first


def test_a_transaction_left_open_is_rolled_back_when_handed_back(path):
    pool = ConnectionPool()
    db = pool.acquire(path)
    db.conn.execute("begin immediate")
    db.conn.atomic_depth = 1
    db.conn.execute("insert into t (id) values (1)")
    pool.release(path, db)

    again = pool.acquire(path)
    assert again is db
    assert not again.conn.in_transaction
    assert again.conn.atomic_depth == 0
    assert list(again.query("select id from t")) == []


def test_close_all_closes_lent_and_idle_connections_and_later_ones_are_new(path):
    pool = ConnectionPool()
    idle, lent = pool.acquire(path), pool.acquire(path)
    pool.release(path, idle)
    pool.close_all()

    for db in (idle, lent):
        with pytest.raises(sqlite3.ProgrammingError, match="closed"):
            db.execute("select 1")
    pool.release(path, lent)  # a request that was still running when the app stopped
    fresh = pool.acquire(path)
    assert fresh not in (idle, lent)
    assert list(fresh.query("select count(*) as n from t")) == [{"n": 0}]


def test_each_request_of_an_app_borrows_and_hands_back(path):
    app = Flask("pooled")
    app.config.update(DATABASE=path, BASE_URL="http://localhost")
    web.init_app(app)
    seen = []

    @app.get("/")
    def view():
        seen.append(get_db())
        get_db().execute("insert into t default values")
        return "ok"

    client = app.test_client()
    assert client.get("/").status_code == 200
    assert client.get("/").status_code == 200
    assert seen[0] is seen[1]
    assert list(seen[0].query("select count(*) as n from t")) == [{"n": 2}]


def test_a_connection_serves_whichever_thread_borrows_it(path):
    pool = ConnectionPool()
    db = pool.acquire(path)
    pool.release(path, db)
    rows = []

    def request_in_another_thread():
        borrowed = pool.acquire(path)
        rows.extend(borrowed.query("select count(*) as n from t"))
        pool.release(path, borrowed)

    thread = threading.Thread(target=request_in_another_thread)
    thread.start()
    thread.join()
    assert rows == [{"n": 0}]
    assert pool.acquire(path) is db
