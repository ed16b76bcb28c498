//! Assemblies, their exclusions, the base `B` of the majority and the threshold `T` (rules.md § 1,
//! Art. 30 [32] of the regulation).

use crate::error::{RulesError, not_applicable};
use serde::{Deserialize, Serialize};

/// The kind of assembly in which a round takes place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssemblyKind {
    /// Đại hội đảng viên: every official member summoned votes.
    MembersCongress,
    /// Đại hội đại biểu: the official delegates summoned vote.
    DelegatesCongress,
    /// Hội nghị: a session of an elected body (the first plenum of the new committee).
    Plenum,
}

/// A reason that takes people out of the number summoned when the base is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Exclusion {
    /// Giới thiệu sinh hoạt tạm thời, and did not attend.
    TemporaryTransferAbsent,
    /// Miễn công tác và sinh hoạt đảng, and did not attend.
    ExemptedAbsent,
    /// Đình chỉ sinh hoạt đảng.
    Suspended,
    /// Bị khởi tố, truy tố, tạm giam.
    ProsecutedOrDetained,
    /// Vắng mặt cả đại hội, có lý do được cấp ủy triệu tập chấp nhận.
    AbsentWithAcceptedReason,
    /// Ủy viên cấp ủy triệu tập vắng mặt cả đại hội.
    CommitteeMembersAbsent,
    /// Đại biểu chính thức vắng mặt cả đại hội không có đại biểu dự khuyết thay thế.
    DelegatesAbsentNotReplaced,
}

const MEMBERS_EXCLUSIONS: [Exclusion; 5] = [
    Exclusion::TemporaryTransferAbsent,
    Exclusion::ExemptedAbsent,
    Exclusion::Suspended,
    Exclusion::ProsecutedOrDetained,
    Exclusion::AbsentWithAcceptedReason,
];
const DELEGATES_EXCLUSIONS: [Exclusion; 2] =
    [Exclusion::CommitteeMembersAbsent, Exclusion::DelegatesAbsentNotReplaced];

impl Exclusion {
    pub const ALL: [Exclusion; 7] = [
        Exclusion::TemporaryTransferAbsent,
        Exclusion::ExemptedAbsent,
        Exclusion::Suspended,
        Exclusion::ProsecutedOrDetained,
        Exclusion::AbsentWithAcceptedReason,
        Exclusion::CommitteeMembersAbsent,
        Exclusion::DelegatesAbsentNotReplaced,
    ];

    /// The identifier used in files and the API.
    pub fn code(self) -> &'static str {
        match self {
            Exclusion::TemporaryTransferAbsent => "temporary_transfer_absent",
            Exclusion::ExemptedAbsent => "exempted_absent",
            Exclusion::Suspended => "suspended",
            Exclusion::ProsecutedOrDetained => "prosecuted_or_detained",
            Exclusion::AbsentWithAcceptedReason => "absent_with_accepted_reason",
            Exclusion::CommitteeMembersAbsent => "committee_members_absent",
            Exclusion::DelegatesAbsentNotReplaced => "delegates_absent_not_replaced",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.code() == code)
    }
}

impl AssemblyKind {
    /// The exclusions Art. 30 allows for this kind of assembly, in the order the minutes list them.
    ///
    /// A plenum takes the five exclusions of a members' congress: the regulation's clause on plenums
    /// could not be read, and this is the default reading of rules.md § 1.
    pub fn allowed_exclusions(self) -> &'static [Exclusion] {
        match self {
            AssemblyKind::MembersCongress | AssemblyKind::Plenum => &MEMBERS_EXCLUSIONS,
            AssemblyKind::DelegatesCongress => &DELEGATES_EXCLUSIONS,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            AssemblyKind::MembersCongress => "members_congress",
            AssemblyKind::DelegatesCongress => "delegates_congress",
            AssemblyKind::Plenum => "plenum",
        }
    }

    pub const ALL: [AssemblyKind; 3] =
        [AssemblyKind::MembersCongress, AssemblyKind::DelegatesCongress, AssemblyKind::Plenum];

    /// The value a code names; `None` for an unknown code (callers refuse it, never default).
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.code() == code)
    }
}

/// The base `B` of the majority: at least 1, fixed for the whole congress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Base(u32);

impl Base {
    pub fn new(value: u32) -> Option<Self> {
        (value >= 1).then_some(Self(value))
    }

    pub fn get(self) -> u32 {
        self.0
    }

    /// `T = ⌊B/2⌋ + 1`: the least number of votes that is more than half of `B`. Integers only; a
    /// rounded percentage never decides (B = 196: 98 votes is exactly half and does not pass).
    pub fn threshold(self) -> u64 {
        u64::from(self.0) / 2 + 1
    }

    /// Whether `votes > B/2`.
    pub fn is_majority(self, votes: u64) -> bool {
        votes >= self.threshold()
    }
}

/// The people of an assembly as the minutes state them: summoned, present, each exclusion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assembly {
    kind: AssemblyKind,
    summoned: u32,
    present: u32,
    /// One count per allowed exclusion of `kind`, in the order of `allowed_exclusions`.
    excluded: Vec<(Exclusion, u32)>,
    base: Base,
}

impl Assembly {
    /// Checks the figures and computes the base. `exclusions` lists the non-zero exclusions in any
    /// order (each at most once); one that the kind of assembly does not allow is an error.
    pub fn new(
        kind: AssemblyKind,
        summoned: u32,
        present: u32,
        exclusions: &[(Exclusion, u32)],
    ) -> Result<Self, RulesError> {
        if present > summoned {
            return Err(RulesError::input(
                "assembly.present",
                format!("số có mặt ({present}) lớn hơn số được triệu tập ({summoned})"),
            ));
        }
        let allowed = kind.allowed_exclusions();
        let mut excluded: Vec<(Exclusion, u32)> = allowed.iter().map(|&e| (e, 0)).collect();
        for &(exclusion, count) in exclusions {
            let slot = excluded
                .iter_mut()
                .find(|(e, _)| *e == exclusion)
                .ok_or_else(|| not_applicable(exclusion, kind))?;
            slot.1 = slot.1.checked_add(count).ok_or_else(|| {
                RulesError::input(format!("assembly.excluded.{}", exclusion.code()), "số quá lớn")
            })?;
        }
        let total: u64 = excluded.iter().map(|&(_, n)| u64::from(n)).sum();
        if total > u64::from(summoned) {
            return Err(RulesError::input(
                "assembly.excluded",
                format!("tổng số được trừ ({total}) lớn hơn số được triệu tập ({summoned})"),
            ));
        }
        // total ≤ summoned, so the subtraction cannot wrap and the result fits in u32.
        let base_value = u32::try_from(u64::from(summoned) - total).unwrap_or(0);
        let base = Base::new(base_value).ok_or_else(|| {
            RulesError::input("assembly", "số làm căn cứ tính kết quả bầu cử bằng 0: phải có ít nhất 1 người")
        })?;
        Ok(Self { kind, summoned, present, excluded, base })
    }

    pub fn kind(&self) -> AssemblyKind {
        self.kind
    }

    pub fn summoned(&self) -> u32 {
        self.summoned
    }

    pub fn present(&self) -> u32 {
        self.present
    }

    pub fn absent(&self) -> u32 {
        self.summoned - self.present
    }

    /// Every exclusion the kind allows, with its count (zeros included), in the minutes' order.
    pub fn exclusions(&self) -> &[(Exclusion, u32)] {
        &self.excluded
    }

    pub fn base(&self) -> Base {
        self.base
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members(summoned: u32, present: u32, ex: &[(Exclusion, u32)]) -> Result<Assembly, RulesError> {
        Assembly::new(AssemblyKind::MembersCongress, summoned, present, ex)
    }

    /// Art. 30 cl. 2: a members' congress subtracts the five exclusions from the summoned.
    #[test]
    fn art30_cl2_members_congress_base() {
        let a = members(
            120,
            110,
            &[
                (Exclusion::TemporaryTransferAbsent, 2),
                (Exclusion::ExemptedAbsent, 5),
                (Exclusion::Suspended, 1),
                (Exclusion::ProsecutedOrDetained, 1),
                (Exclusion::AbsentWithAcceptedReason, 3),
            ],
        )
        .expect("valid");
        assert_eq!(a.base().get(), 108);
        assert_eq!(a.base().threshold(), 55);
        assert_eq!(a.exclusions().len(), 5);
        assert_eq!(a.absent(), 10);
    }

    /// Art. 30 cl. 3: a delegates' congress subtracts only absent committee members and absent
    /// delegates not replaced; a members' exclusion there is not applicable.
    #[test]
    fn art30_cl3_delegates_congress_base() {
        let a = Assembly::new(
            AssemblyKind::DelegatesCongress,
            200,
            196,
            &[(Exclusion::CommitteeMembersAbsent, 3), (Exclusion::DelegatesAbsentNotReplaced, 1)],
        )
        .expect("valid");
        assert_eq!(a.base().get(), 196);
        let err = Assembly::new(AssemblyKind::DelegatesCongress, 200, 196, &[(Exclusion::Suspended, 1)])
            .expect_err("not applicable");
        assert_eq!(err.code(), "exclusion_not_applicable");
        let err = members(10, 10, &[(Exclusion::CommitteeMembersAbsent, 1)]).expect_err("n/a");
        assert_eq!(err.code(), "exclusion_not_applicable");
    }

    /// rules.md § 1, default reading: a plenum subtracts like a members' congress.
    #[test]
    fn plenum_default_reading_uses_members_exclusions() {
        let a = Assembly::new(AssemblyKind::Plenum, 15, 14, &[(Exclusion::AbsentWithAcceptedReason, 1)])
            .expect("valid");
        assert_eq!(a.base().get(), 14);
        assert_eq!(
            AssemblyKind::Plenum.allowed_exclusions(),
            AssemblyKind::MembersCongress.allowed_exclusions()
        );
    }

    /// Art. 30: T = ⌊B/2⌋ + 1. B = 196: 98 is exactly half and fails; B = 197: 99 passes.
    #[test]
    fn art30_threshold_is_more_than_half_in_integers() {
        let b196 = Base::new(196).expect("nonzero");
        assert!(!b196.is_majority(98));
        assert!(b196.is_majority(99));
        let b197 = Base::new(197).expect("nonzero");
        assert_eq!(b197.threshold(), 99);
        assert_eq!(Base::new(1).map(Base::threshold), Some(1));
        assert_eq!(Base::new(0), None);
    }

    /// rules.md § 1: B ≥ 1, present ≤ summoned, exclusions ≤ summoned.
    #[test]
    fn impossible_assemblies_are_invalid_input() {
        for result in [
            members(10, 11, &[]),
            members(10, 5, &[(Exclusion::Suspended, 11)]),
            members(3, 0, &[(Exclusion::Suspended, 3)]),
            members(0, 0, &[]),
            members(u32::MAX, 0, &[(Exclusion::Suspended, u32::MAX), (Exclusion::ExemptedAbsent, 1)]),
        ] {
            assert_eq!(result.expect_err("invalid").code(), "invalid_input");
        }
    }
}

/// The level of the organisation holding the congress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Cell,
    SubOrganisation,
    Grassroots,
    District,
    Province,
}

impl Level {
    pub const ALL: [Level; 5] =
        [Level::Cell, Level::SubOrganisation, Level::Grassroots, Level::District, Level::Province];

    pub fn code(self) -> &'static str {
        match self {
            Level::Cell => "cell",
            Level::SubOrganisation => "sub_organisation",
            Level::Grassroots => "grassroots",
            Level::District => "district",
            Level::Province => "province",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Level::Cell => "Chi bộ",
            Level::SubOrganisation => "Đảng bộ bộ phận",
            Level::Grassroots => "Đảng bộ cơ sở",
            Level::District => "Cấp huyện và tương đương",
            Level::Province => "Cấp tỉnh và tương đương",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.code() == code)
    }
}
