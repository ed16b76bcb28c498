//! From the roster to the assembly (rules.md § 1, Art. 30): who is summoned, who is taken out of the
//! base and why, and who may stand. The application counts people; these functions say how each one
//! counts, so the base shown on the attendance page and in the minutes is the engine's.

use crate::assembly::{Assembly, AssemblyKind, Exclusion};
use crate::election::Body;
use crate::error::RulesError;

/// Đảng viên chính thức / dự bị.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PartyStatus {
    Official,
    Probationary,
}

/// The kind of a delegate at a delegates' congress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DelegateKind {
    /// Được bầu.
    Elected,
    /// Đương nhiên: a member of the convening committee.
    ExOfficio,
    /// Được chỉ định.
    Appointed,
    /// Dự khuyết.
    Alternate,
}

/// Absence for the whole congress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Absence {
    #[default]
    None,
    /// With a reason the convening committee accepted.
    WithAcceptedReason,
    WithoutReason,
}

/// What the roster says of one person, and whether the person attended any sitting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RosterFacts {
    pub party_status: PartyStatus,
    pub delegate_kind: Option<DelegateKind>,
    pub temporarily_transferred: bool,
    pub exempted: bool,
    pub suspended: bool,
    pub prosecuted: bool,
    pub absence: Absence,
    pub attended: bool,
    /// An alternate summoned in place of an absent official delegate.
    pub summoned_as_replacement: bool,
    /// An official delegate for whom an alternate was summoned.
    pub replaced: bool,
}

/// How one person counts towards the base.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Standing {
    /// Not among the summoned at all (probationary members, alternates not summoned, delegates whose
    /// alternate took their place).
    NotSummoned,
    /// Summoned, but taken out of the base for this reason.
    Excluded(Exclusion),
    /// Summoned and in the base.
    Counted,
}

/// The standing of one person in an assembly of the given kind.
pub fn standing(kind: AssemblyKind, p: &RosterFacts) -> Standing {
    if p.party_status == PartyStatus::Probationary {
        return Standing::NotSummoned;
    }
    match kind {
        AssemblyKind::MembersCongress | AssemblyKind::Plenum => {
            if p.suspended {
                Standing::Excluded(Exclusion::Suspended)
            } else if p.prosecuted {
                Standing::Excluded(Exclusion::ProsecutedOrDetained)
            } else if p.temporarily_transferred && !p.attended {
                Standing::Excluded(Exclusion::TemporaryTransferAbsent)
            } else if p.exempted && !p.attended {
                Standing::Excluded(Exclusion::ExemptedAbsent)
            } else if p.absence == Absence::WithAcceptedReason {
                Standing::Excluded(Exclusion::AbsentWithAcceptedReason)
            } else {
                Standing::Counted
            }
        }
        AssemblyKind::DelegatesCongress => {
            let absent_whole_congress = p.absence != Absence::None;
            match p.delegate_kind {
                None => Standing::NotSummoned,
                Some(DelegateKind::Alternate) if !p.summoned_as_replacement => Standing::NotSummoned,
                Some(DelegateKind::Alternate) => Standing::Counted,
                Some(_) if p.replaced => Standing::NotSummoned,
                Some(DelegateKind::ExOfficio) if absent_whole_congress => {
                    Standing::Excluded(Exclusion::CommitteeMembersAbsent)
                }
                Some(_) if absent_whole_congress => Standing::Excluded(Exclusion::DelegatesAbsentNotReplaced),
                Some(_) => Standing::Counted,
            }
        }
    }
}

/// The assembly a roster makes: summoned and each exclusion counted from the standings, `present` as
/// checked in at the sitting.
pub fn assembly_from_roster<'a>(
    kind: AssemblyKind,
    people: impl IntoIterator<Item = &'a RosterFacts>,
    present: u32,
) -> Result<Assembly, RulesError> {
    let mut summoned: u32 = 0;
    let mut exclusions: Vec<(Exclusion, u32)> = Vec::new();
    for person in people {
        match standing(kind, person) {
            Standing::NotSummoned => continue,
            Standing::Excluded(e) => match exclusions.iter_mut().find(|(x, _)| *x == e) {
                Some((_, n)) => *n += 1,
                None => exclusions.push((e, 1)),
            },
            Standing::Counted => {}
        }
        summoned = summoned.checked_add(1).ok_or_else(|| RulesError::input("roster", "quá nhiều người"))?;
    }
    Assembly::new(kind, summoned, present.min(summoned), &exclusions)
}

/// Only official members vote, stand or nominate (rules.md § 1).
pub fn may_stand(status: PartyStatus) -> bool {
    status == PartyStatus::Official
}

/// Why a member may neither stand for election nor nominate anyone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ineligibility {
    /// Đảng viên dự bị: only official members vote, stand or nominate (rules.md § 1).
    Probationary,
    /// Đình chỉ sinh hoạt đảng: out of the base and of the election (Art. 30 cl. 2).
    Suspended,
    /// Bị khởi tố, truy tố hoặc tạm giam: out of the base and of the election (Art. 30 cl. 2).
    ProsecutedOrDetained,
}

/// Whether a member may stand and nominate: `None` when they may, otherwise the first reason in the
/// order probationary, suspended, prosecuted or detained.
pub fn ineligibility(status: PartyStatus, suspended: bool, prosecuted: bool) -> Option<Ineligibility> {
    if status == PartyStatus::Probationary {
        Some(Ineligibility::Probationary)
    } else if suspended {
        Some(Ineligibility::Suspended)
    } else if prosecuted {
        Some(Ineligibility::ProsecutedOrDetained)
    } else {
        None
    }
}

/// A procedural decision by show of hands passes with more than half of those present (default
/// reading; the regulation's general rule for decisions of the congress).
pub fn show_of_hands_passes(in_favour: u32, present: u32) -> bool {
    u64::from(in_favour) * 2 > u64::from(present)
}

/// A standing committee is elected only when the committee has at least 9 members (rules.md § 2).
pub fn standing_committee_allowed(committee_seats: u32) -> bool {
    committee_seats >= 9
}

/// The body whose elected members may stand for `body`, in order of preference (rules.md § 2): the
/// standing committee from the committee; the secretary and deputies from the standing committee, or
/// from the committee where there is none; the inspection chair and deputies from the inspection
/// committee. Bodies elected by the congress itself draw on the whole roster.
pub fn drawn_from(body: Body) -> &'static [Body] {
    match body {
        Body::StandingCommittee => &[Body::Committee],
        Body::Secretary | Body::DeputySecretary => &[Body::StandingCommittee, Body::Committee],
        Body::InspectionChair | Body::InspectionDeputyChair => &[Body::InspectionCommittee],
        Body::Committee | Body::InspectionCommittee | Body::Delegates => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn official() -> RosterFacts {
        RosterFacts {
            party_status: PartyStatus::Official,
            delegate_kind: None,
            temporarily_transferred: false,
            exempted: false,
            suspended: false,
            prosecuted: false,
            absence: Absence::None,
            attended: true,
            summoned_as_replacement: false,
            replaced: false,
        }
    }

    /// Art. 30 cl. 2: members on temporary transfer or exempted stay in B if they attend.
    #[test]
    fn art30_cl2_transferred_and_exempted_count_if_they_attend() {
        let k = AssemblyKind::MembersCongress;
        let transferred = RosterFacts { temporarily_transferred: true, ..official() };
        assert_eq!(standing(k, &transferred), Standing::Counted);
        let away = RosterFacts { attended: false, ..transferred };
        assert_eq!(standing(k, &away), Standing::Excluded(Exclusion::TemporaryTransferAbsent));
        let exempted = RosterFacts { exempted: true, attended: false, ..official() };
        assert_eq!(standing(k, &exempted), Standing::Excluded(Exclusion::ExemptedAbsent));
    }

    /// Art. 30 cl. 2: suspended and prosecuted members are out; absence with an accepted reason is
    /// out; absence without one stays in B; probationary members are not summoned.
    #[test]
    fn art30_cl2_other_exclusions() {
        let k = AssemblyKind::MembersCongress;
        assert_eq!(
            standing(k, &RosterFacts { suspended: true, ..official() }),
            Standing::Excluded(Exclusion::Suspended)
        );
        assert_eq!(
            standing(k, &RosterFacts { prosecuted: true, ..official() }),
            Standing::Excluded(Exclusion::ProsecutedOrDetained)
        );
        let excused = RosterFacts { absence: Absence::WithAcceptedReason, attended: false, ..official() };
        assert_eq!(standing(k, &excused), Standing::Excluded(Exclusion::AbsentWithAcceptedReason));
        let truant = RosterFacts { absence: Absence::WithoutReason, attended: false, ..official() };
        assert_eq!(standing(k, &truant), Standing::Counted);
        let probationary = RosterFacts { party_status: PartyStatus::Probationary, ..official() };
        assert_eq!(standing(k, &probationary), Standing::NotSummoned);
    }

    /// Art. 30 cl. 3: absent committee members and absent delegates not replaced are out; a replaced
    /// delegate gives way to the alternate summoned.
    #[test]
    fn art30_cl3_delegates() {
        let k = AssemblyKind::DelegatesCongress;
        let delegate = RosterFacts { delegate_kind: Some(DelegateKind::Elected), ..official() };
        assert_eq!(standing(k, &delegate), Standing::Counted);
        let absent = RosterFacts { absence: Absence::WithAcceptedReason, attended: false, ..delegate };
        assert_eq!(standing(k, &absent), Standing::Excluded(Exclusion::DelegatesAbsentNotReplaced));
        assert_eq!(standing(k, &RosterFacts { replaced: true, ..absent }), Standing::NotSummoned);
        let ex_officio = RosterFacts { delegate_kind: Some(DelegateKind::ExOfficio), ..absent };
        assert_eq!(standing(k, &ex_officio), Standing::Excluded(Exclusion::CommitteeMembersAbsent));
        let alternate = RosterFacts { delegate_kind: Some(DelegateKind::Alternate), ..official() };
        assert_eq!(standing(k, &alternate), Standing::NotSummoned);
        assert_eq!(
            standing(k, &RosterFacts { summoned_as_replacement: true, ..alternate }),
            Standing::Counted
        );
        assert_eq!(standing(k, &official()), Standing::NotSummoned, "not a delegate");
    }

    #[test]
    fn assembly_from_a_roster() {
        let people = [
            official(),
            official(),
            RosterFacts { suspended: true, ..official() },
            RosterFacts { absence: Absence::WithAcceptedReason, attended: false, ..official() },
            RosterFacts { party_status: PartyStatus::Probationary, ..official() },
        ];
        let a = assembly_from_roster(AssemblyKind::MembersCongress, &people, 2).expect("valid");
        assert_eq!((a.summoned(), a.present(), a.base().get()), (4, 2, 2));
    }

    /// rules.md § 1, Art. 30 cl. 2: only official members who are neither suspended nor prosecuted,
    /// indicted or detained stand and nominate; the first reason is named.
    #[test]
    fn eligibility_official_members_only_not_suspended_nor_prosecuted() {
        use PartyStatus::{Official, Probationary};
        assert_eq!(ineligibility(Official, false, false), None);
        assert_eq!(ineligibility(Probationary, false, false), Some(Ineligibility::Probationary));
        assert_eq!(ineligibility(Probationary, true, true), Some(Ineligibility::Probationary));
        assert_eq!(ineligibility(Official, true, false), Some(Ineligibility::Suspended));
        assert_eq!(ineligibility(Official, true, true), Some(Ineligibility::Suspended));
        assert_eq!(ineligibility(Official, false, true), Some(Ineligibility::ProsecutedOrDetained));
    }

    /// rules.md § 2: a standing committee only when the committee has at least 9 members; each body
    /// is drawn from the one before it.
    #[test]
    fn eligibility_chain_and_the_standing_committee_minimum() {
        assert!(!standing_committee_allowed(7) && !standing_committee_allowed(8));
        assert!(standing_committee_allowed(9) && standing_committee_allowed(15));
        assert_eq!(drawn_from(Body::StandingCommittee), &[Body::Committee]);
        assert_eq!(drawn_from(Body::Secretary), &[Body::StandingCommittee, Body::Committee]);
        assert_eq!(drawn_from(Body::DeputySecretary), &[Body::StandingCommittee, Body::Committee]);
        assert_eq!(drawn_from(Body::InspectionChair), &[Body::InspectionCommittee]);
        assert_eq!(drawn_from(Body::InspectionDeputyChair), &[Body::InspectionCommittee]);
        assert!(drawn_from(Body::Committee).is_empty() && drawn_from(Body::Delegates).is_empty());
    }

    #[test]
    fn show_of_hands_needs_more_than_half_of_those_present() {
        assert!(!show_of_hands_passes(50, 100));
        assert!(show_of_hands_passes(51, 100));
        assert!(standing_committee_allowed(9) && !standing_committee_allowed(8));
        assert!(!may_stand(PartyStatus::Probationary));
    }
}

/// A chi bộ that has held this many rounds for its secretary without electing one stops: the superior
/// committee appoints the secretary (rules.md § 2).
pub const CELL_SECRETARY_MAX_ROUNDS: u32 = 3;

/// Whether the congress may hold another round for `body` after `rounds_held` rounds. Only a chi bộ's
/// secretary has a limit.
pub fn further_round_allowed(body: Body, is_cell: bool, rounds_held: u32) -> bool {
    !(is_cell && body == Body::Secretary && rounds_held >= CELL_SECRETARY_MAX_ROUNDS)
}

#[cfg(test)]
mod cell_tests {
    use super::*;

    /// rules.md § 2: after the third round with nobody elected secretary of a chi bộ, the superior
    /// appoints; no fourth round, however the three were held (tie-breaks count as rounds).
    #[test]
    fn chi_bo_third_round_stops_the_secretary_election() {
        assert_eq!(CELL_SECRETARY_MAX_ROUNDS, 3);
        assert!(further_round_allowed(Body::Secretary, true, 1));
        assert!(further_round_allowed(Body::Secretary, true, 2));
        assert!(!further_round_allowed(Body::Secretary, true, 3));
        assert!(!further_round_allowed(Body::Secretary, true, 4), "never past the limit");
        assert!(further_round_allowed(Body::Secretary, false, 5), "other levels have no fixed limit");
        assert!(further_round_allowed(Body::DeputySecretary, true, 3), "the limit is the secretary's");
        assert!(further_round_allowed(Body::Committee, true, 7));
    }
}
