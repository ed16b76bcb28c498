//! The superior committee's aggregator (`baucu serve --role aggregator`): the tree of units with their
//! registered node keys, the import of signed result packages, the approval workflow with its
//! working-day deadlines and complaints, and the reports across all congresses of an area.
//!
//! One function per user action, as in `baucu-app`: check the actor's role and area, load, decide,
//! write and audit in one transaction of the aggregator's database (`baucu_store::aggregator`, SQLite
//! or PostgreSQL through the same code).

pub mod accounts;
pub mod audit;
pub mod calendar;
pub mod complaints;
pub mod import;
pub mod report;
pub mod units;
pub mod workflow;

pub use baucu_app::{AppError, FieldProblem};
/// The package format (for callers that build or inspect packages without depending on it).
pub use baucu_exchange as exchange;
/// The aggregator's database layer.
pub use baucu_store::aggregator::db;
