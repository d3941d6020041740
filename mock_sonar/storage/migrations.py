"""Numbered schema migrations. Append new ones; never edit one that has shipped."""

from sqlite_utils import Database


def m001_initial_schema(db: Database) -> None:
    """Users, groups, permissions, tokens, settings, sessions and the SCIM mapping tables."""
    _run_ddl(
        db,
        """
        create table users (
            uuid text primary key,
            login text not null unique,
            name text not null,
            email text,
            active integer not null default 1,
            local integer not null default 1,
            external_provider text not null,
            external_id text not null,
            external_login text not null,
            password_hash text,
            reset_password integer not null default 0,
            scm_accounts text not null default '[]',
            created_at text not null,
            updated_at text not null,
            last_connection_date text,
            sonarlint_last_connection_date text
        );
        create index users_external on users (external_provider, external_id);
        create table groups (
            uuid text primary key,
            name text not null unique,
            description text,
            created_at text not null
        );
        create table groups_users (
            uuid text not null unique,
            group_uuid text not null references groups (uuid) on delete cascade,
            user_uuid text not null references users (uuid) on delete cascade,
            primary key (group_uuid, user_uuid)
        );
        create table group_permissions (
            group_uuid text not null references groups (uuid) on delete cascade,
            permission text not null,
            primary key (group_uuid, permission)
        );
        create table user_permissions (
            user_uuid text not null references users (uuid) on delete cascade,
            permission text not null,
            primary key (user_uuid, permission)
        );
        create table user_tokens (
            uuid text primary key,
            user_uuid text not null references users (uuid) on delete cascade,
            name text not null,
            token_hash text not null unique,
            type text not null,
            project_key text,
            created_at text not null,
            expiration_date text,
            last_connection_date text,
            unique (user_uuid, name)
        );
        create table properties (kee text primary key, value text not null);
        create table internal_properties (kee text primary key, value text not null);
        create table sessions (
            token_hash text primary key,
            user_uuid text not null references users (uuid) on delete cascade,
            xsrf_token text not null,
            created_at text not null,
            expires_at text not null
        );
        create table scim_users (
            scim_uuid text primary key,
            user_uuid text not null unique references users (uuid) on delete cascade,
            attributes text not null default '{}'
        );
        create table _mock_faults (
            id integer primary key autoincrement,
            remaining integer not null,
            status integer,
            delay_seconds real not null default 0,
            body text,
            content_type text,
            headers text not null default '{}',
            method text,
            path text
        );
        create table scim_groups (
            scim_uuid text primary key,
            group_uuid text not null unique references groups (uuid) on delete cascade,
            attributes text not null default '{}'
        );
        """,
    )


def m002_saml_message_ids(db: Database) -> None:
    """IDs of SAML responses already processed (SonarQube's table of that name), for replay."""
    _run_ddl(
        db,
        """
        create table saml_message_ids (
            message_id text primary key,
            expiration_date integer not null,
            created_at integer not null
        );
        create index saml_message_ids_expiration on saml_message_ids (expiration_date);
        """,
    )


def m003_scim_group_last_modified(db: Database) -> None:
    """When the SCIM server last changed a managed group (its meta.lastModified)."""
    _run_ddl(
        db,
        """
        alter table scim_groups add column last_modified text;
        update scim_groups set last_modified =
            (select g.created_at from groups g where g.uuid = scim_groups.group_uuid)
        """,
    )


def m004_lookup_indexes(db: Database) -> None:
    """Indexes for the lookups the SCIM server and the Web API make on every request, so their
    cost does not grow with the number of users (SCIM userName and email are compared without
    case, as SonarQube does)."""
    _run_ddl(
        db,
        """
        create index users_external_id_nocase on users (lower(external_id));
        create index users_email_nocase on users (lower(email));
        create index groups_name_nocase on groups (lower(name));
        create index groups_users_by_user on groups_users (user_uuid);
        create index sessions_by_user on sessions (user_uuid)
        """,
    )


def m005_user_text_search(db: Database) -> None:
    """A trigram index of each user's login, name and email, kept by triggers, so a "contains"
    search (`q` of api/users/search and the Users page) reads the users holding the text rather
    than every user (`mock_sonar.storage.text_search`).

    The table's name starts with `_`, as do FTS5's own tables beside it: it is derived from
    `users`, not state, so exports, imports, wipes and snapshots leave it to the triggers.
    """
    _run_ddl(
        db,
        """
        create virtual table _users_text using fts5(login, name, email, tokenize = 'trigram');
        insert into _users_text (rowid, login, name, email)
            select rowid, login, name, email from users
        """,
    )
    # One statement each: a trigger's body holds semicolons.
    db.execute(
        """
        create trigger _users_text_insert after insert on users begin
            insert or replace into _users_text (rowid, login, name, email)
                values (new.rowid, new.login, new.name, new.email);
        end
        """
    )
    db.execute(
        """
        create trigger _users_text_update after update of login, name, email on users begin
            update _users_text set login = new.login, name = new.name, email = new.email
                where rowid = new.rowid;
        end
        """
    )
    db.execute(
        """
        create trigger _users_text_delete after delete on users begin
            delete from _users_text where rowid = old.rowid;
        end
        """
    )


def _run_ddl(db: Database, script: str) -> None:
    """Run DDL statement by statement: `executescript` would commit the migration's transaction."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


MIGRATIONS = [
    m001_initial_schema,
    m002_saml_message_ids,
    m003_scim_group_last_modified,
    m004_lookup_indexes,
    m005_user_text_search,
]
