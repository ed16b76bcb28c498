//! Forward-only migrations, applied at start. `PRAGMA user_version` holds how many are applied.

use crate::{Result, StoreError};
use rusqlite::Connection;

/// Each entry is applied once, in order, in one transaction with the version bump. Never edit an
/// entry that has shipped: add a new one.
const MIGRATIONS: &[&str] = &[
    // 1: the congress, accounts, roster, attendance, elections and lists, and the audit log.
    r#"
    CREATE TABLE congress (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        name TEXT NOT NULL,
        organisation TEXT NOT NULL,
        level TEXT NOT NULL,
        assembly_kind TEXT NOT NULL,
        term TEXT NOT NULL,
        place TEXT NOT NULL DEFAULT '',
        opens_on TEXT,
        closes_on TEXT,
        convening_committee TEXT NOT NULL DEFAULT '',
        regulation TEXT NOT NULL DEFAULT '190-QD/TW'
    );
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        full_name TEXT NOT NULL,
        role TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        must_change_password INTEGER NOT NULL DEFAULT 0,
        active INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL
    );
    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        csrf_token TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
    );
    CREATE TABLE persons (
        id INTEGER PRIMARY KEY,
        full_name TEXT NOT NULL,
        search_key TEXT NOT NULL,
        birth_date TEXT,
        sex TEXT NOT NULL,
        ethnicity TEXT NOT NULL DEFAULT '',
        religion TEXT NOT NULL DEFAULT '',
        party_status TEXT NOT NULL,
        delegate_kind TEXT,
        unit TEXT NOT NULL DEFAULT '',
        education TEXT NOT NULL DEFAULT '',
        political_theory TEXT NOT NULL DEFAULT '',
        first_time INTEGER NOT NULL DEFAULT 0,
        temporarily_transferred INTEGER NOT NULL DEFAULT 0,
        exempted INTEGER NOT NULL DEFAULT 0,
        suspended INTEGER NOT NULL DEFAULT 0,
        prosecuted INTEGER NOT NULL DEFAULT 0,
        absence TEXT NOT NULL DEFAULT 'none',
        replaces_person_id INTEGER REFERENCES persons(id),
        entry_order INTEGER NOT NULL
    );
    CREATE INDEX persons_search ON persons(search_key);
    CREATE TABLE sittings (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        held_on TEXT,
        position INTEGER NOT NULL
    );
    CREATE TABLE check_ins (
        sitting_id INTEGER NOT NULL REFERENCES sittings(id),
        person_id INTEGER NOT NULL REFERENCES persons(id),
        checked_in_at TEXT NOT NULL,
        PRIMARY KEY (sitting_id, person_id)
    );
    CREATE TABLE elections (
        id INTEGER PRIMARY KEY,
        body TEXT NOT NULL,
        seats INTEGER NOT NULL,
        alternate_seats INTEGER NOT NULL DEFAULT 0,
        assembly_kind TEXT NOT NULL,
        parent_election_id INTEGER REFERENCES elections(id),
        position INTEGER NOT NULL,
        seats_for INTEGER,
        seats_against INTEGER,
        list_status TEXT NOT NULL DEFAULT 'draft',
        approve_for INTEGER,
        approve_against INTEGER,
        poll_present INTEGER,
        manual_order INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
    );
    CREATE TABLE candidates (
        id INTEGER PRIMARY KEY,
        election_id INTEGER NOT NULL REFERENCES elections(id),
        person_id INTEGER NOT NULL REFERENCES persons(id),
        source TEXT NOT NULL,
        status TEXT NOT NULL,
        poll_agree INTEGER,
        ballot_position INTEGER,
        entry_order INTEGER NOT NULL,
        UNIQUE (election_id, person_id)
    );
    CREATE TABLE elected (
        election_id INTEGER NOT NULL REFERENCES elections(id),
        person_id INTEGER NOT NULL REFERENCES persons(id),
        as_alternate INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (election_id, person_id)
    );
    CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        data TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    "#,
    // 2: counting — rounds, stacks, independent entries, ballots, the board's resolutions.
    r#"
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE rounds (
        id INTEGER PRIMARY KEY,
        election_id INTEGER NOT NULL REFERENCES elections(id),
        number INTEGER NOT NULL,
        purpose TEXT NOT NULL,
        tie_for TEXT,
        seats INTEGER NOT NULL,
        alternate_seats INTEGER NOT NULL DEFAULT 0,
        entries_per_stack INTEGER NOT NULL,
        assembly TEXT NOT NULL,
        status TEXT NOT NULL,
        ballots_issued INTEGER,
        result TEXT,
        decision TEXT,
        opened_at TEXT NOT NULL,
        closed_at TEXT,
        published_at TEXT,
        UNIQUE (election_id, number)
    );
    CREATE TABLE round_candidates (
        round_id INTEGER NOT NULL REFERENCES rounds(id),
        position INTEGER NOT NULL,
        person_id INTEGER NOT NULL REFERENCES persons(id),
        full_name TEXT NOT NULL,
        PRIMARY KEY (round_id, position)
    );
    CREATE TABLE stacks (
        id INTEGER PRIMARY KEY,
        round_id INTEGER NOT NULL REFERENCES rounds(id),
        name TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE entries (
        id INTEGER PRIMARY KEY,
        stack_id INTEGER NOT NULL REFERENCES stacks(id),
        slot INTEGER NOT NULL,
        operator_id INTEGER NOT NULL REFERENCES users(id),
        status TEXT NOT NULL,
        UNIQUE (stack_id, slot),
        UNIQUE (stack_id, operator_id)
    );
    CREATE TABLE ballots (
        id INTEGER PRIMARY KEY,
        entry_id INTEGER NOT NULL REFERENCES entries(id),
        seq INTEGER NOT NULL,
        code TEXT NOT NULL,
        idempotency_key TEXT NOT NULL UNIQUE,
        entered_at TEXT NOT NULL,
        UNIQUE (entry_id, seq)
    );
    CREATE TABLE resolutions (
        stack_id INTEGER NOT NULL REFERENCES stacks(id),
        seq INTEGER NOT NULL,
        code TEXT,
        decided_by TEXT NOT NULL,
        decided_at TEXT NOT NULL,
        PRIMARY KEY (stack_id, seq)
    );
    CREATE TABLE journal (
        id INTEGER PRIMARY KEY,
        round_id INTEGER NOT NULL REFERENCES rounds(id),
        stack_id INTEGER,
        entry_id INTEGER,
        seq INTEGER,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        kind TEXT NOT NULL,
        detail TEXT NOT NULL
    );
    CREATE INDEX journal_round ON journal(round_id, id);
    "#,
];

pub fn migrate(conn: &mut Connection) -> Result<()> {
    let applied: usize = conn.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))? as usize;
    if applied > MIGRATIONS.len() {
        return Err(StoreError::Schema(format!(
            "the database is at version {applied}, newer than this program ({}): use a newer baucu",
            MIGRATIONS.len()
        )));
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (index + 1) as i64)?;
        tx.commit()?;
        tracing::info!("database migrated to version {}", index + 1);
    }
    Ok(())
}

pub fn version() -> usize {
    MIGRATIONS.len()
}
