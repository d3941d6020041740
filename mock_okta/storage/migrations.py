"""Numbered schema migrations of the Okta org. Append new ones; never edit one that has shipped.

JSON columns hold Okta's nested objects (profiles, settings) as the API returns them.
"""

from sqlite_utils import Database


def m001_org(db: Database) -> None:
    """Directory, applications, assignments, push mappings, tokens, System Log, outbox."""
    _run_ddl(
        db,
        """
        create table internal_properties (kee text primary key, value text not null);
        create table users (
            id text primary key,
            seq integer not null unique,
            status text not null,
            transitioning_to_status text,
            created text not null,
            activated text,
            status_changed text,
            last_login text,
            last_updated text not null,
            password_changed text,
            login text not null unique collate nocase,
            profile text not null,
            password_hash text,
            provider text not null default 'OKTA',
            type_id text
        );
        create table groups (
            id text primary key,
            seq integer not null unique,
            type text not null,
            name text not null,
            description text,
            profile text not null,
            created text not null,
            last_updated text not null,
            last_membership_updated text,
            source_app_id text
        );
        create table group_members (
            group_id text not null references groups (id) on delete cascade,
            user_id text not null references users (id) on delete cascade,
            source text not null,
            created text not null,
            primary key (group_id, user_id, source)
        );
        create table group_rules (
            id text primary key,
            seq integer not null unique,
            name text not null,
            status text not null,
            type text not null default 'group_rule',
            expression text not null,
            exclude_user_ids text not null default '[]',
            exclude_group_ids text not null default '[]',
            group_ids text not null,
            created text not null,
            last_updated text not null
        );
        create table apps (
            id text primary key,
            seq integer not null unique,
            name text not null,
            label text not null,
            status text not null,
            sign_on_mode text not null,
            external_key text not null unique,
            created text not null,
            last_updated text not null,
            body text not null
        );
        create table app_users (
            app_id text not null references apps (id) on delete cascade,
            user_id text not null references users (id) on delete cascade,
            seq integer not null unique,
            direct integer not null default 0,
            status text not null,
            sync_state text not null,
            external_id text,
            provisioned_before_enabled integer not null default 0,
            error_summary text,
            created text not null,
            last_updated text not null,
            status_changed text,
            last_sync text,
            password_changed text,
            user_name text not null,
            profile text not null default '{}',
            primary key (app_id, user_id)
        );
        create table app_groups (
            app_id text not null references apps (id) on delete cascade,
            group_id text not null references groups (id) on delete cascade,
            seq integer not null unique,
            priority integer not null default 0,
            profile text not null default '{}',
            created text not null,
            last_updated text not null,
            primary key (app_id, group_id)
        );
        create table app_features (
            app_id text not null references apps (id) on delete cascade,
            name text not null,
            status text not null,
            capabilities text not null,
            primary key (app_id, name)
        );
        create table app_provisioning (
            app_id text primary key references apps (id) on delete cascade,
            enabled integer not null default 0,
            base_url text,
            unique_identifier_field text not null default 'userName',
            actions text not null default '[]',
            auth_mode text not null default 'HTTP_HEADER',
            token text,
            username text,
            password text,
            dialect text not null default 'CUSTOM_APP',
            enabled_at text
        );
        create table group_push_mappings (
            id text primary key,
            seq integer not null unique,
            app_id text not null references apps (id) on delete cascade,
            source_group_id text not null references groups (id) on delete cascade,
            target_group_id text,
            target_group_name text,
            status text not null,
            error_summary text not null default '',
            rule_id text,
            created text not null,
            last_updated text not null,
            last_push text
        );
        create table api_tokens (
            id text primary key,
            name text not null,
            token_hash text not null unique,
            user_id text,
            created text not null,
            last_used text
        );
        create table system_log (
            uuid text primary key,
            seq integer not null unique,
            published text not null,
            event_type text not null,
            severity text not null,
            display_message text not null,
            outcome_result text not null,
            body text not null
        );
        create table provisioning_events (
            id integer primary key autoincrement,
            app_id text not null,
            kind text not null,
            payload text not null,
            created text not null,
            status text not null default 'PENDING'
        )
        """,
    )


def m002_push_engine(db: Database) -> None:
    """Delivery state of the outbox, failed tasks, the SCIM wire log, pushed groups' SCIM ids."""
    _run_ddl(
        db,
        """
        alter table provisioning_events add column resource text;
        alter table provisioning_events add column attempts integer not null default 0;
        alter table provisioning_events add column next_attempt_at text;
        alter table provisioning_events add column last_error text;
        alter table provisioning_events add column finished text;
        alter table group_push_mappings add column target_external_id text;
        create table provisioning_tasks (
            id text primary key,
            seq integer not null unique,
            app_id text not null references apps (id) on delete cascade,
            event_id integer not null,
            kind text not null,
            user_id text,
            group_id text,
            mapping_id text,
            status text not null,
            error_summary text not null,
            created text not null,
            last_updated text not null
        );
        create table scim_requests (
            id integer primary key autoincrement,
            app_id text not null,
            event_id integer,
            sent text not null,
            method text not null,
            url text not null,
            request_headers text not null,
            request_body text,
            status integer,
            response_headers text,
            response_body text,
            duration_ms integer,
            error text
        )
        """,
    )


def m003_push_rules(db: Database) -> None:
    """Push Groups by rule: a named search over group name and/or description (reference §2.2)."""
    _run_ddl(
        db,
        """
        create table group_push_rules (
            id text primary key,
            seq integer not null unique,
            app_id text not null references apps (id) on delete cascade,
            name text not null,
            status text not null,
            criteria text not null,
            push_immediately integer not null default 1,
            created text not null,
            last_updated text not null
        )
        """,
    )


def m004_web_sessions(db: Database) -> None:
    """Browser sign-in sessions (the `sid` cookie) shared by the end-user pages and the console."""
    _run_ddl(
        db,
        """
        create table web_sessions (
            token_hash text primary key,
            user_id text not null references users (id) on delete cascade,
            csrf_token text not null,
            created text not null,
            last_active text not null,
            expires text not null
        )
        """,
    )


def m005_sign_in_lockout(db: Database) -> None:
    """Failed sign-ins in a row, for the password policy's lockout."""
    _run_ddl(db, "alter table users add column failed_sign_ins integer not null default 0;")


def m006_web_session_apps(db: Database) -> None:
    """The SAML apps each `sid` session signed in to (Single Logout sends them LogoutRequests)."""
    _run_ddl(
        db,
        """
        create table web_session_apps (
            id integer primary key autoincrement,
            token_hash text not null references web_sessions (token_hash) on delete cascade,
            app_id text not null references apps (id) on delete cascade,
            name_id text not null,
            name_id_format text not null,
            session_index text not null,
            created text not null
        );
        create index web_session_apps_by_session on web_session_apps (token_hash)
        """,
    )


def m007_profile_lookup_indexes(db: Database) -> None:
    """Indexes for the Users API's lookups by profile attribute (`filter`, `search`, `q`), and
    for an app's assignments in assignment order (the console's Assignments tab, page by page).

    Okta compares strings case-insensitively, so each index is on the attribute `COLLATE
    NOCASE`: `eq` uses it directly, and a prefix (`sw`, `q`) as a range beside its LIKE
    (`mock_okta.storage.filters.prefix_range`).
    """
    _run_ddl(
        db,
        """
        create index users_profile_login on users (json_extract(profile, '$.login') collate nocase);
        create index users_profile_email on users (json_extract(profile, '$.email') collate nocase);
        create index users_profile_first_name
            on users (json_extract(profile, '$.firstName') collate nocase);
        create index users_profile_last_name
            on users (json_extract(profile, '$.lastName') collate nocase);
        create index app_users_by_app on app_users (app_id, seq)
        """,
    )


def m008_lookup_indexes(db: Database) -> None:
    """Indexes for the lookups the assignment path and the push engine make per user and per
    event, so their cost stays flat as the directory and the outbox grow."""
    _run_ddl(
        db,
        """
        create index group_members_by_user on group_members (user_id);
        create index app_users_by_user on app_users (user_id);
        create index app_groups_by_group on app_groups (group_id);
        create index group_push_mappings_by_source on group_push_mappings (source_group_id);
        create index provisioning_events_by_status on provisioning_events (status, app_id, id);
        create index provisioning_events_by_resource on provisioning_events (resource);
        create index provisioning_tasks_by_event on provisioning_tasks (event_id)
        """,
    )


def _run_ddl(db: Database, script: str) -> None:
    """Run DDL statement by statement: `executescript` would commit the migration's transaction."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


MIGRATIONS = [
    m001_org,
    m002_push_engine,
    m003_push_rules,
    m004_web_sessions,
    m005_sign_in_lockout,
    m006_web_session_apps,
    m007_profile_lookup_indexes,
    m008_lookup_indexes,
]
