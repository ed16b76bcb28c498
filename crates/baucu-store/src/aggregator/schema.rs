//! The aggregator's tables and the migrations that create them, on SQLite and PostgreSQL.
//!
//! One list of migrations serves both backends ([`MIGRATIONS`], the differing words filled in by
//! [`ddl`]), so the two can never describe different tables. A database records the migrations it has in
//! `schema_version`; opening applies the missing ones in one transaction, and refuses a database made
//! by a newer program. Shipped migrations are never edited: a change is a new entry.
//!
//! Conventions (the portable subset the queries rely on): integers are `BIGINT`, booleans are 0/1
//! integers, dates are `YYYY-MM-DD` text, times are unix seconds; `units.path` is the codes from the
//! root joined by `/` with a trailing `/`, and an area is `path LIKE prefix || '%'`.

use super::db::{AggDb, Backend};
use crate::{Result, StoreError};

/// The migrations, one text for both backends: `MIGRATIONS[i]` is migration `i + 1`. The few words
/// that differ are filled in by [`ddl`]: `{id}` (the auto-numbered key), `{bytes}` (the binary type)
/// and `{path_index}` (PostgreSQL's index for `path LIKE 'prefix%'`; SQLite uses the unique index on
/// `path`, with `case_sensitive_like` on).
pub const MIGRATIONS: &[&str] = &[
    // 1: the whole aggregator.
    "
CREATE TABLE units (
    code TEXT PRIMARY KEY,
    parent_code TEXT NULL REFERENCES units(code),
    name TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('province', 'district', 'grassroots', 'cell')),
    path TEXT NOT NULL UNIQUE,
    depth BIGINT NOT NULL,
    position BIGINT NOT NULL
);
CREATE INDEX units_parent ON units (parent_code);
{path_index}

CREATE TABLE unit_keys (
    fingerprint TEXT PRIMARY KEY,
    unit_code TEXT NOT NULL REFERENCES units(code),
    registered_at BIGINT NOT NULL,
    revoked_at BIGINT NULL
);
CREATE INDEX unit_keys_unit ON unit_keys (unit_code);

CREATE TABLE packages (
    id {id},
    unit_code TEXT NOT NULL REFERENCES units(code),
    version BIGINT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    supersedes_sha256 TEXT NULL,
    fingerprint TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    received_by TEXT NOT NULL,
    file {bytes} NOT NULL,
    current BIGINT NOT NULL CHECK (current IN (0, 1)),
    UNIQUE (unit_code, version)
);
CREATE UNIQUE INDEX packages_one_current ON packages (unit_code) WHERE current = 1;

CREATE TABLE congresses (
    unit_code TEXT PRIMARY KEY REFERENCES units(code),
    package_id BIGINT NULL REFERENCES packages(id),
    name TEXT NULL,
    organisation TEXT NULL,
    level TEXT NULL,
    kind TEXT NULL,
    term TEXT NULL,
    opened_on TEXT NULL,
    closed_on TEXT NULL,
    reported_on TEXT NULL,
    direct_secretary BIGINT NULL CHECK (direct_secretary IN (0, 1)),
    status TEXT NOT NULL CHECK (status IN ('held', 'reported', 'approved', 'approval_refused', 'annulled')),
    status_on TEXT NULL
);
CREATE INDEX congresses_status ON congresses (status);

CREATE TABLE elected (
    package_id BIGINT NOT NULL REFERENCES packages(id),
    unit_code TEXT NOT NULL REFERENCES units(code),
    body TEXT NOT NULL,
    alternate BIGINT NOT NULL CHECK (alternate IN (0, 1)),
    person BIGINT NOT NULL,
    name TEXT NOT NULL,
    female BIGINT NOT NULL CHECK (female IN (0, 1)),
    birth_year BIGINT NULL,
    under_35 BIGINT NOT NULL CHECK (under_35 IN (0, 1)),
    ethnic_minority BIGINT NOT NULL CHECK (ethnic_minority IN (0, 1)),
    religious BIGINT NOT NULL CHECK (religious IN (0, 1)),
    first_time BIGINT NOT NULL CHECK (first_time IN (0, 1)),
    ethnicity TEXT NOT NULL,
    religion TEXT NOT NULL,
    education TEXT NOT NULL,
    theory TEXT NOT NULL,
    votes BIGINT NOT NULL,
    percent_of_base BIGINT NOT NULL,
    round BIGINT NOT NULL
);
CREATE INDEX elected_unit ON elected (unit_code);
CREATE INDEX elected_body ON elected (body);
CREATE INDEX elected_package ON elected (package_id);

CREATE TABLE bases (
    package_id BIGINT NOT NULL REFERENCES packages(id),
    unit_code TEXT NOT NULL REFERENCES units(code),
    assembly TEXT NOT NULL,
    kind TEXT NOT NULL,
    summoned BIGINT NOT NULL,
    present BIGINT NOT NULL,
    base BIGINT NOT NULL
);
CREATE INDEX bases_unit ON bases (unit_code);

CREATE TABLE plan_departures (
    package_id BIGINT NOT NULL REFERENCES packages(id),
    unit_code TEXT NOT NULL REFERENCES units(code),
    body TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX plan_departures_unit ON plan_departures (unit_code);

CREATE TABLE approvals (
    id {id},
    unit_code TEXT NOT NULL REFERENCES units(code),
    body TEXT NOT NULL,
    person BIGINT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('approved', 'refused')),
    reason TEXT NULL,
    decided_on TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    package_id BIGINT NULL REFERENCES packages(id)
);
CREATE INDEX approvals_unit ON approvals (unit_code);

CREATE TABLE annulments (
    id {id},
    unit_code TEXT NOT NULL REFERENCES units(code),
    body TEXT NULL,
    reason TEXT NOT NULL,
    decided_on TEXT NOT NULL,
    decided_by TEXT NOT NULL
);
CREATE INDEX annulments_unit ON annulments (unit_code);

CREATE TABLE complaints (
    id {id},
    unit_code TEXT NOT NULL REFERENCES units(code),
    received_on TEXT NOT NULL,
    complainant TEXT NOT NULL,
    about_body TEXT NULL,
    about_person BIGINT NULL,
    summary TEXT NOT NULL,
    verifier TEXT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'upheld', 'dismissed', 'withdrawn')),
    outcome TEXT NULL,
    closed_on TEXT NULL
);
CREATE INDEX complaints_unit ON complaints (unit_code);

CREATE TABLE holidays (
    day TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO settings (key, value) VALUES ('report_days', '7'), ('approval_days', '15'), ('complaint_days', '15');

CREATE TABLE users (
    id {id},
    username TEXT NOT NULL UNIQUE,
    full_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'staff', 'inspection', 'viewer')),
    area TEXT NULL REFERENCES units(code),
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    disabled BIGINT NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1))
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    csrf TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE audit (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
",
];

/// A migration's text for one backend.
pub fn ddl(backend: Backend, migration: &str) -> String {
    let (id, bytes, path_index) = match backend {
        Backend::Sqlite => ("INTEGER PRIMARY KEY", "BLOB", ""),
        Backend::Postgres => (
            "BIGSERIAL PRIMARY KEY",
            "BYTEA",
            "CREATE INDEX units_path_prefix ON units (path text_pattern_ops);",
        ),
    };
    migration.replace("{id}", id).replace("{bytes}", bytes).replace("{path_index}", path_index)
}

/// Brings the database to the newest migration of its backend, in one write transaction.
pub fn migrate(db: &AggDb) -> Result<()> {
    let backend = db.backend();
    db.write(|tx| {
        tx.batch(
            "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
        )?;
        let have = tx.query_one("SELECT COALESCE(MAX(version), 0) FROM schema_version", &[])?.int(0)?;
        let known = MIGRATIONS.len() as i64;
        if have > known {
            return Err(StoreError::Schema(format!(
                "the aggregator database is at version {have}; this program knows up to {known}"
            )));
        }
        let now = jiff::Timestamp::now().as_second();
        for (i, sql) in MIGRATIONS.iter().enumerate() {
            let version = i as i64 + 1;
            if version <= have {
                continue;
            }
            tx.batch(&ddl(backend, sql))?;
            tx.execute(
                "INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)",
                &[version.into(), now.into()],
            )?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every placeholder is filled for both backends, and only the three words differ.
    #[test]
    fn each_backend_gets_its_own_words_and_nothing_left_unfilled() {
        for migration in MIGRATIONS {
            let sqlite = ddl(Backend::Sqlite, migration);
            let postgres = ddl(Backend::Postgres, migration);
            for text in [&sqlite, &postgres] {
                assert!(!text.contains('{') && !text.contains('}'), "a placeholder left in {text}");
            }
            assert!(
                !sqlite.contains("BIGSERIAL")
                    && !sqlite.contains("BYTEA")
                    && !sqlite.contains("text_pattern_ops")
            );
            assert!(!postgres.contains("INTEGER PRIMARY KEY") && !postgres.contains("BLOB"));
        }
        assert!(ddl(Backend::Postgres, MIGRATIONS[0]).contains("units_path_prefix"));
    }
}
