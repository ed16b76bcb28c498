//! The congress this node runs (one per data directory).

use crate::Result;
use rusqlite::{Connection, OptionalExtension, params};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CongressRow {
    pub name: String,
    pub organisation: String,
    pub level: String,
    pub assembly_kind: String,
    pub term: String,
    pub place: String,
    pub opens_on: Option<String>,
    pub closes_on: Option<String>,
    pub convening_committee: String,
    pub regulation: String,
}

pub fn get(conn: &Connection) -> Result<Option<CongressRow>> {
    conn.query_row(
        "SELECT name, organisation, level, assembly_kind, term, place, opens_on, closes_on, convening_committee, regulation
         FROM congress WHERE id = 1",
        [],
        |r| {
            Ok(CongressRow {
                name: r.get(0)?,
                organisation: r.get(1)?,
                level: r.get(2)?,
                assembly_kind: r.get(3)?,
                term: r.get(4)?,
                place: r.get(5)?,
                opens_on: r.get(6)?,
                closes_on: r.get(7)?,
                convening_committee: r.get(8)?,
                regulation: r.get(9)?,
            })
        },
    )
    .optional()
    .map_err(Into::into)
}

pub fn put(conn: &Connection, c: &CongressRow) -> Result<()> {
    conn.execute(
        "INSERT INTO congress (id, name, organisation, level, assembly_kind, term, place, opens_on, closes_on, convening_committee, regulation)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, organisation = excluded.organisation,
           level = excluded.level, assembly_kind = excluded.assembly_kind, term = excluded.term,
           place = excluded.place, opens_on = excluded.opens_on, closes_on = excluded.closes_on,
           convening_committee = excluded.convening_committee, regulation = excluded.regulation",
        params![
            c.name,
            c.organisation,
            c.level,
            c.assembly_kind,
            c.term,
            c.place,
            c.opens_on,
            c.closes_on,
            c.convening_committee,
            c.regulation
        ],
    )?;
    Ok(())
}
