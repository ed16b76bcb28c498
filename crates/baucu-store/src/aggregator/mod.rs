//! The aggregator's database: the same SQL on the embedded SQLite file and on PostgreSQL.

pub mod db;
pub mod schema;
