//! The one error type of the engine. Each variant is a documented error code of `evaluate.md`.

use crate::assembly::{AssemblyKind, Exclusion};
use crate::ballot::BallotEntryError;
use crate::messages;

/// A problem that stops the engine from answering. The engine never panics on data: every bad input
/// ends here, naming what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RulesError {
    /// The input is malformed: a missing or unknown field, a wrong type, an impossible number.
    /// `field` is the path of the field (`assembly.present`, `ballots[3].count`).
    InvalidInput { field: String, problem: String },
    /// An exclusion from the base that the kind of assembly does not allow (Art. 30).
    ExclusionNotApplicable { exclusion: String, assembly: AssemblyKind },
    /// Fewer names on the list than seats to fill (Art. 14).
    ListShorterThanSeats { list: u64, seats: u32 },
    /// A ballot that cannot have been read from paper: wrong layout, position out of range, … .
    /// `index` is the 0-based index in the ballots given.
    InvalidBallot { index: usize, problem: BallotEntryError },
    /// More ballots collected than issued: the round is void (Art. 15).
    ReturnedExceedsIssued { returned: u64, issued: u64 },
}

impl RulesError {
    /// The stable error code of `evaluate.md`.
    pub fn code(&self) -> &'static str {
        match self {
            RulesError::InvalidInput { .. } => "invalid_input",
            RulesError::ExclusionNotApplicable { .. } => "exclusion_not_applicable",
            RulesError::ListShorterThanSeats { .. } => "list_shorter_than_seats",
            RulesError::InvalidBallot { .. } => "invalid_ballot",
            RulesError::ReturnedExceedsIssued { .. } => "returned_exceeds_issued",
        }
    }

    /// The sentence a user reads, in Vietnamese.
    pub fn message(&self) -> String {
        messages::error(self)
    }

    pub(crate) fn input(field: impl Into<String>, problem: impl Into<String>) -> Self {
        RulesError::InvalidInput { field: field.into(), problem: problem.into() }
    }
}

impl std::fmt::Display for RulesError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code(), self.message())
    }
}

impl std::error::Error for RulesError {}

/// Used where an exclusion is known to the engine but not allowed for the assembly.
pub(crate) fn not_applicable(exclusion: Exclusion, assembly: AssemblyKind) -> RulesError {
    RulesError::ExclusionNotApplicable { exclusion: exclusion.code().to_owned(), assembly }
}
