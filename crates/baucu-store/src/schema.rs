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
    // 3: the typed record of each closed round's result (keyed by person id, enums CHECKed), the
    // board as it was at closing, ballots collected from the box, papers per stack, and triggers that
    // refuse an unknown status in the older tables.
    r#"
    CREATE TABLE round_results (
        round_id INTEGER PRIMARY KEY REFERENCES rounds(id),
        assembly_kind TEXT NOT NULL CHECK (assembly_kind IN ('members_congress', 'delegates_congress', 'plenum')),
        summoned INTEGER NOT NULL CHECK (summoned >= 0),
        present INTEGER NOT NULL CHECK (present >= 0 AND present <= summoned),
        base INTEGER NOT NULL CHECK (base >= 1),
        threshold INTEGER NOT NULL CHECK (threshold >= 1),
        layout TEXT NOT NULL CHECK (layout IN ('strike', 'agree_disagree')),
        seats INTEGER NOT NULL CHECK (seats >= 1),
        alternate_seats INTEGER NOT NULL CHECK (alternate_seats >= 0),
        issued INTEGER NOT NULL CHECK (issued >= 0),
        collected INTEGER NOT NULL CHECK (collected >= 0 AND collected <= issued),
        valid INTEGER NOT NULL CHECK (valid >= 0),
        invalid INTEGER NOT NULL CHECK (invalid >= 0 AND valid + invalid = collected),
        seats_unfilled INTEGER NOT NULL CHECK (seats_unfilled >= 0),
        alternate_seats_unfilled INTEGER NOT NULL CHECK (alternate_seats_unfilled >= 0),
        next_step TEXT NOT NULL CHECK (next_step IN ('tie_break', 'further_round', 'alternate_round', 'complete')),
        tie_for TEXT CHECK (tie_for IN ('elected', 'alternate')),
        tie_seats INTEGER CHECK (tie_seats >= 1),
        closed_at TEXT NOT NULL,
        congress TEXT NOT NULL,
        organisation TEXT NOT NULL,
        term TEXT NOT NULL,
        place TEXT NOT NULL,
        closed_by TEXT NOT NULL,
        audit_seq INTEGER NOT NULL,
        CHECK ((tie_for IS NULL) = (tie_seats IS NULL))
    ) STRICT;
    CREATE TABLE round_result_exclusions (
        round_id INTEGER NOT NULL REFERENCES round_results(round_id),
        exclusion TEXT NOT NULL CHECK (exclusion IN ('temporary_transfer_absent', 'exempted_absent', 'suspended',
            'prosecuted_or_detained', 'absent_with_accepted_reason', 'committee_members_absent',
            'delegates_absent_not_replaced')),
        count INTEGER NOT NULL CHECK (count >= 0),
        PRIMARY KEY (round_id, exclusion)
    ) STRICT;
    CREATE TABLE round_result_invalid (
        round_id INTEGER NOT NULL REFERENCES round_results(round_id),
        reason TEXT NOT NULL CHECK (reason IN ('not_issued', 'write_in', 'signed', 'none_kept', 'over_vote',
            'no_clear_choice')),
        count INTEGER NOT NULL CHECK (count >= 1),
        PRIMARY KEY (round_id, reason)
    ) STRICT;
    CREATE TABLE round_result_lines (
        round_id INTEGER NOT NULL REFERENCES round_results(round_id),
        position INTEGER NOT NULL CHECK (position >= 1),
        person_id INTEGER NOT NULL REFERENCES persons(id),
        full_name TEXT NOT NULL,
        votes INTEGER NOT NULL CHECK (votes >= 0),
        percent_of_base INTEGER NOT NULL CHECK (percent_of_base >= 0),
        percent_of_valid INTEGER CHECK (percent_of_valid >= 0),
        passes_threshold INTEGER NOT NULL CHECK (passes_threshold IN (0, 1)),
        rank INTEGER NOT NULL CHECK (rank >= 1),
        outcome TEXT NOT NULL CHECK (outcome IN ('elected', 'alternate', 'tied', 'not_elected')),
        outcome_order INTEGER CHECK (outcome_order >= 1),
        tied INTEGER NOT NULL CHECK (tied IN (0, 1)),
        PRIMARY KEY (round_id, position),
        UNIQUE (round_id, person_id)
    ) STRICT;
    CREATE TABLE round_result_board (
        round_id INTEGER NOT NULL REFERENCES round_results(round_id),
        position INTEGER NOT NULL CHECK (position >= 1),
        full_name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('head', 'member')),
        PRIMARY KEY (round_id, position)
    ) STRICT;
    ALTER TABLE rounds ADD COLUMN ballots_collected INTEGER;
    ALTER TABLE stacks ADD COLUMN papers INTEGER;
    ALTER TABLE stacks ADD COLUMN request_key TEXT;
    CREATE UNIQUE INDEX stacks_request ON stacks(request_key);
    CREATE TRIGGER rounds_status_known BEFORE INSERT ON rounds
        WHEN NEW.status NOT IN ('open', 'closed') OR NEW.purpose NOT IN ('regular', 'tie_break', 'alternates')
          OR coalesce(NEW.tie_for, 'elected') NOT IN ('elected', 'alternate')
        BEGIN SELECT RAISE(ABORT, 'unknown round status, purpose or tie'); END;
    CREATE TRIGGER rounds_status_known_update BEFORE UPDATE ON rounds
        WHEN NEW.status NOT IN ('open', 'closed') OR NEW.purpose NOT IN ('regular', 'tie_break', 'alternates')
          OR coalesce(NEW.tie_for, 'elected') NOT IN ('elected', 'alternate')
        BEGIN SELECT RAISE(ABORT, 'unknown round status, purpose or tie'); END;
    CREATE TRIGGER stacks_status_known BEFORE INSERT ON stacks
        WHEN NEW.status NOT IN ('entering', 'mismatch', 'accepted')
        BEGIN SELECT RAISE(ABORT, 'unknown stack status'); END;
    CREATE TRIGGER stacks_status_known_update BEFORE UPDATE ON stacks
        WHEN NEW.status NOT IN ('entering', 'mismatch', 'accepted')
        BEGIN SELECT RAISE(ABORT, 'unknown stack status'); END;
    CREATE TRIGGER entries_status_known BEFORE INSERT ON entries
        WHEN NEW.status NOT IN ('open', 'done')
        BEGIN SELECT RAISE(ABORT, 'unknown entry status'); END;
    CREATE TRIGGER entries_status_known_update BEFORE UPDATE ON entries
        WHEN NEW.status NOT IN ('open', 'done')
        BEGIN SELECT RAISE(ABORT, 'unknown entry status'); END;
    "#,
    // 4: row digests in the audit chain (`crate::integrity`). `migrate` then records the data already
    // there in one `integrity.baseline` entry.
    r#"
    ALTER TABLE audit_log ADD COLUMN rows TEXT NOT NULL DEFAULT '';
    "#,
    // 5: the fields of the candidates' summary list (danh sách trích ngang), all optional.
    r#"
    ALTER TABLE persons ADD COLUMN hometown TEXT NOT NULL DEFAULT '';
    ALTER TABLE persons ADD COLUMN position TEXT NOT NULL DEFAULT '';
    ALTER TABLE persons ADD COLUMN joined_on TEXT;
    ALTER TABLE persons ADD COLUMN official_on TEXT;
    "#,
    // 6: the congress's show-of-hands votes (biểu quyết) with the persons they elect, and each
    // candidate's "không đồng ý" count on an agree/disagree round's record (NULL on a strike list).
    r#"
    CREATE TABLE congress_votes (
        id INTEGER PRIMARY KEY,
        subject TEXT NOT NULL CHECK (subject IN ('presidium', 'secretariat', 'credentials_committee',
            'counting_board', 'seats', 'election_list', 'withdrawal', 'other')),
        election_id INTEGER REFERENCES elections(id),
        detail TEXT NOT NULL,
        seats INTEGER CHECK (seats >= 1),
        sitting_id INTEGER NOT NULL REFERENCES sittings(id),
        present INTEGER NOT NULL CHECK (present >= 1),
        votes_for INTEGER NOT NULL CHECK (votes_for >= 0),
        votes_against INTEGER NOT NULL CHECK (votes_against >= 0),
        abstain INTEGER CHECK (abstain >= 0),
        recorded_by TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        CHECK (votes_for + votes_against + coalesce(abstain, 0) <= present),
        CHECK (subject <> 'other' OR detail <> ''),
        CHECK ((seats IS NOT NULL) = (subject = 'seats')),
        CHECK ((election_id IS NOT NULL) = (subject IN ('seats', 'election_list', 'withdrawal')))
    ) STRICT;
    CREATE TABLE congress_vote_persons (
        vote_id INTEGER NOT NULL REFERENCES congress_votes(id),
        position INTEGER NOT NULL CHECK (position >= 1),
        role TEXT NOT NULL CHECK (role IN ('head', 'member', 'technical')),
        person_id INTEGER REFERENCES persons(id),
        full_name TEXT NOT NULL CHECK (full_name <> ''),
        CHECK ((role = 'technical') = (person_id IS NULL)),
        PRIMARY KEY (vote_id, position)
    ) STRICT;
    ALTER TABLE round_result_lines ADD COLUMN disagree INTEGER CHECK (disagree >= 0);
    "#,
    // 7: each reopening of a closed round (its record deleted, re-made at the next closing), with who
    // reopened it and why.
    r#"
    CREATE TABLE round_reopenings (
        id INTEGER PRIMARY KEY,
        round_id INTEGER NOT NULL REFERENCES rounds(id),
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        actor_name TEXT NOT NULL,
        reason TEXT NOT NULL CHECK (length(trim(reason)) >= 1 AND length(reason) <= 1000),
        closed_at TEXT NOT NULL
    ) STRICT;
    CREATE INDEX round_reopenings_round ON round_reopenings(round_id, id);
    "#,
    // 8: the personnel plan (phương án nhân sự) entered before the congress: the seats planned for
    // each body, its structure targets (each a minimum count) and the persons planned for it.
    r#"
    CREATE TABLE plan_bodies (
        body TEXT PRIMARY KEY CHECK (body IN ('committee', 'standing_committee', 'secretary',
            'deputy_secretary', 'inspection_committee', 'inspection_chair', 'inspection_deputy_chair',
            'delegates')),
        seats INTEGER NOT NULL CHECK (seats BETWEEN 1 AND 1000),
        entered_by TEXT NOT NULL,
        entered_at TEXT NOT NULL
    ) STRICT;
    CREATE TABLE plan_targets (
        id INTEGER PRIMARY KEY,
        body TEXT NOT NULL REFERENCES plan_bodies(body),
        kind TEXT NOT NULL CHECK (kind IN ('women', 'under_35', 'ethnic_minority', 'first_time', 'sector')),
        sector TEXT NOT NULL DEFAULT '' CHECK ((kind = 'sector') = (sector <> '')),
        minimum INTEGER NOT NULL CHECK (minimum BETWEEN 0 AND 1000),
        UNIQUE (body, kind, sector)
    ) STRICT;
    CREATE TABLE plan_key_persons (
        id INTEGER PRIMARY KEY,
        body TEXT NOT NULL REFERENCES plan_bodies(body),
        person_id INTEGER NOT NULL REFERENCES persons(id),
        UNIQUE (body, person_id)
    ) STRICT;
    "#,
    // 9: each sitting belongs to an assembly: the congress, or the first plenum of the body it elected
    // (its committee's, its inspection committee's), with its own check-in.
    r#"
    ALTER TABLE sittings ADD COLUMN assembly TEXT NOT NULL DEFAULT 'congress'
        CHECK (assembly IN ('congress', 'plenum:committee', 'plenum:inspection_committee'));
    "#,
    // 10: polls counted like ballots: a round may be a poll (its ballots are the opinion or
    // introduction poll on the outside nominees), and an election says where its poll's counts came
    // from (keyed from the counted papers, or typed as totals of a poll held elsewhere).
    r#"
    DROP TRIGGER rounds_status_known;
    DROP TRIGGER rounds_status_known_update;
    CREATE TRIGGER rounds_status_known BEFORE INSERT ON rounds
        WHEN NEW.status NOT IN ('open', 'closed') OR NEW.purpose NOT IN ('regular', 'tie_break', 'alternates', 'poll')
          OR coalesce(NEW.tie_for, 'elected') NOT IN ('elected', 'alternate')
        BEGIN SELECT RAISE(ABORT, 'unknown round status, purpose or tie'); END;
    CREATE TRIGGER rounds_status_known_update BEFORE UPDATE ON rounds
        WHEN NEW.status NOT IN ('open', 'closed') OR NEW.purpose NOT IN ('regular', 'tie_break', 'alternates', 'poll')
          OR coalesce(NEW.tie_for, 'elected') NOT IN ('elected', 'alternate')
        BEGIN SELECT RAISE(ABORT, 'unknown round status, purpose or tie'); END;
    ALTER TABLE elections ADD COLUMN poll_source TEXT CHECK (poll_source IN ('keyed', 'typed'));
    "#,
    // 11: the result package: the node's signing key (one row, never shown by any page) and every
    // package exported, with its file (re-export of unchanged content returns the stored file).
    r#"
    CREATE TABLE node_key (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        pkcs8 BLOB NOT NULL,
        fingerprint TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE package_exports (
        version INTEGER PRIMARY KEY CHECK (version >= 1),
        sha256 TEXT NOT NULL UNIQUE,
        supersedes_sha256 TEXT,
        content_sha256 TEXT NOT NULL,
        unit_code TEXT NOT NULL,
        exported_at TEXT NOT NULL,
        exported_by TEXT NOT NULL,
        file BLOB NOT NULL
    );
    "#,
];

/// The first version whose migrations are followed by a baseline of the row digests (see
/// [`crate::integrity::baseline`]).
const ROW_DIGESTS_FROM: usize = 4;

pub fn migrate(conn: &mut Connection) -> Result<()> {
    migrate_to(conn, MIGRATIONS.len())
}

/// Applies the migrations up to version `target` only: for tests that build a database as an older
/// program left it.
pub fn migrate_to(conn: &mut Connection, target: usize) -> Result<()> {
    let applied: usize = conn.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))? as usize;
    if applied > MIGRATIONS.len() {
        return Err(StoreError::Schema(format!(
            "the database is at version {applied}, newer than this program ({}): use a newer baucu",
            MIGRATIONS.len()
        )));
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().take(target).skip(applied) {
        let version = index + 1;
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        // From the row digests on, every migration ends by recording the rows the chain does not
        // describe yet: all the data at version 4, the rows a later migration reshaped. Nothing on a
        // new database.
        if version >= ROW_DIGESTS_FROM
            && let Some(seq) = crate::integrity::baseline(&tx, &jiff::Timestamp::now().to_string(), version)?
        {
            tracing::info!("recorded the digests of the existing data in audit entry {seq}");
        }
        tx.pragma_update(None, "user_version", version as i64)?;
        tx.commit()?;
        tracing::info!("database migrated to version {version}");
    }
    Ok(())
}

pub fn version() -> usize {
    MIGRATIONS.len()
}
