//! The election regulation of the Communist Party of Vietnam (Decision 190-QĐ/TW, 2024) as a pure
//! rules engine.
//!
//! Everything in baucu that decides a number — the base of the majority, the validity of a ballot, the
//! votes, who is elected, whether a list or a poll is acceptable, the order of names on a ballot — is
//! computed here and nowhere else. The crate does no IO, reads no clock and spawns nothing: every
//! function is a value in, a value (or a typed error naming the problem) out, so the web application,
//! the command line and the documents can never disagree.
//!
//! Map of the modules, in the order of `rules.md`:
//! * [`assembly`] — kinds of assembly, exclusions, the base `B` and the threshold `T` (§ 1);
//! * [`election`] — bodies, seats, purposes of a round, ballot layouts (§ 2, § 4);
//! * [`list`] — bounds of an election list and its findings (§ 3);
//! * [`poll`] — the opinion poll on outside nominees and its 30 % gate (§ 3);
//! * [`roster`] — how each person on the roster counts towards the base, who may stand (§§ 1–2);
//! * [`order`] — Vietnamese ballot order of names (§ 3);
//! * [`ballot`] — ballot contents and validity with reason codes (§ 4);
//! * [`tally`] — the incremental tally of a round (§ 5);
//! * [`outcome`] — passers, ranks, ties, unfilled seats, alternates, next step (§ 5);
//! * [`percent`] — percentages of a base, half up, in integers (§ 6);
//! * [`composition`] — the composition of a newly elected body (§ 9);
//! * [`case`] — the JSON contract of `baucu evaluate` (`evaluate.md`);
//! * [`messages`] — every sentence a user reads, in Vietnamese;
//! * [`sample`] — deterministic sample ballots for benchmarks and demos.

pub mod assembly;
pub mod ballot;
pub mod case;
pub mod composition;
pub mod election;
pub mod error;
pub mod list;
pub mod messages;
pub mod name;
pub mod order;
pub mod outcome;
pub mod percent;
pub mod poll;
pub mod roster;
pub mod sample;
pub mod tally;

pub use assembly::{Assembly, AssemblyKind, Base, Exclusion};
pub use ballot::{Ballot, BallotContent, BallotEntryError, BallotFlags, InvalidReason, Mark, Validity};
pub use election::{Body, Election, Layout, Purpose};
pub use error::RulesError;
pub use name::PersonName;
pub use outcome::{NextStep, Outcome, RoundResult, Tie, TieFor};
pub use percent::Percent;
pub use tally::Tally;
