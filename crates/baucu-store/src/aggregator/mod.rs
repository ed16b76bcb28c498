//! The aggregator's database: the same SQL on the embedded SQLite file and on PostgreSQL.

pub mod accounts;
pub mod audit;
pub mod db;
pub mod packages;
pub mod report;
pub mod schema;
pub mod units;
pub mod workflow;
