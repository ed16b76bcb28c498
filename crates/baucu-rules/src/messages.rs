//! Every sentence of the engine that a user reads, in Vietnamese.

use crate::assembly::{AssemblyKind, Exclusion};
use crate::ballot::{BallotEntryError, InvalidReason};
use crate::election::{Body, Layout};
use crate::error::RulesError;
use crate::list::{Finding, FindingCode};

pub fn assembly_kind(kind: AssemblyKind) -> &'static str {
    match kind {
        AssemblyKind::MembersCongress => "đại hội đảng viên",
        AssemblyKind::DelegatesCongress => "đại hội đại biểu",
        AssemblyKind::Plenum => "hội nghị",
    }
}

pub fn exclusion(exclusion: Exclusion) -> &'static str {
    match exclusion {
        Exclusion::TemporaryTransferAbsent => "đảng viên giới thiệu sinh hoạt tạm thời không tham dự",
        Exclusion::ExemptedAbsent => "đảng viên được miễn công tác và sinh hoạt đảng không tham dự",
        Exclusion::Suspended => "đảng viên bị đình chỉ sinh hoạt đảng",
        Exclusion::ProsecutedOrDetained => "đảng viên bị khởi tố, truy tố, tạm giam",
        Exclusion::AbsentWithAcceptedReason => "vắng mặt cả đại hội có lý do được cấp ủy triệu tập chấp nhận",
        Exclusion::CommitteeMembersAbsent => "ủy viên cấp ủy triệu tập vắng mặt cả đại hội",
        Exclusion::DelegatesAbsentNotReplaced => {
            "đại biểu chính thức vắng mặt cả đại hội không có đại biểu dự khuyết thay thế"
        }
    }
}

pub fn body(body: Body) -> &'static str {
    match body {
        Body::Committee => "ban chấp hành",
        Body::StandingCommittee => "ban thường vụ",
        Body::Secretary => "bí thư",
        Body::DeputySecretary => "phó bí thư",
        Body::InspectionCommittee => "ủy ban kiểm tra",
        Body::InspectionChair => "chủ nhiệm ủy ban kiểm tra",
        Body::InspectionDeputyChair => "phó chủ nhiệm ủy ban kiểm tra",
        Body::Delegates => "đại biểu dự đại hội cấp trên",
    }
}

pub fn layout(layout: Layout) -> &'static str {
    match layout {
        Layout::Strike => "danh sách có số dư (gạch tên)",
        Layout::AgreeDisagree => "danh sách không có số dư (đồng ý / không đồng ý)",
    }
}

pub fn invalid_reason(reason: InvalidReason) -> &'static str {
    match reason {
        InvalidReason::NotIssued => "phiếu không do ban kiểm phiếu phát ra",
        InvalidReason::WriteIn => "phiếu ghi thêm tên người ngoài danh sách",
        InvalidReason::Signed => "phiếu có ký tên hoặc ghi tên người bầu",
        InvalidReason::NoneKept => "phiếu gạch hết tên",
        InvalidReason::OverVote => "phiếu để lại nhiều hơn số lượng cần bầu",
        InvalidReason::NoClearChoice => "phiếu không thể hiện rõ đồng ý hay không đồng ý",
    }
}

pub fn entry_error(error: &BallotEntryError) -> String {
    match error {
        BallotEntryError::WrongLayout { expected: Layout::Strike } => {
            "phiếu phải ghi các số thứ tự bị gạch (\"struck\"), vì danh sách có số dư".to_owned()
        }
        BallotEntryError::WrongLayout { expected: Layout::AgreeDisagree } => {
            "phiếu phải ghi dấu từng dòng (\"marks\"), vì danh sách không có số dư".to_owned()
        }
        BallotEntryError::PositionOutOfRange { position, list } => {
            format!("số thứ tự {position} không có trong danh sách (từ 1 đến {list})")
        }
        BallotEntryError::DuplicatePosition { position } => {
            format!("số thứ tự {position} được ghi hai lần")
        }
        BallotEntryError::MarkCountMismatch { expected, found } => {
            format!("phiếu có {found} dấu nhưng danh sách có {expected} người")
        }
        BallotEntryError::ZeroCount => "số phiếu giống nhau (\"count\") phải ít nhất là 1".to_owned(),
        BallotEntryError::CountTooLarge => "số phiếu quá lớn".to_owned(),
        BallotEntryError::NotInTally => "phiếu này chưa được nhập nên không thể xóa".to_owned(),
        BallotEntryError::MissingContent => {
            "phiếu phải có \"struck\" (các số bị gạch) hoặc \"marks\" (dấu từng dòng)".to_owned()
        }
        BallotEntryError::TwoContents => "phiếu không thể có cả \"struck\" lẫn \"marks\"".to_owned(),
    }
}

pub fn error(error: &RulesError) -> String {
    match error {
        RulesError::InvalidInput { field, problem } => {
            format!("Dữ liệu không hợp lệ ở trường \"{field}\": {problem}.")
        }
        RulesError::ExclusionNotApplicable { exclusion, assembly } => format!(
            "Không được trừ \"{exclusion}\" khỏi số làm căn cứ ở {} (Điều 30 Quy chế bầu cử).",
            assembly_kind(*assembly)
        ),
        RulesError::ListShorterThanSeats { list, seats } => {
            format!("Danh sách bầu cử có {list} người, ít hơn số lượng cần bầu ({seats}).")
        }
        RulesError::InvalidBallot { index, problem } => {
            format!("Phiếu thứ {} (ballots[{index}]) nhập sai: {}.", index + 1, entry_error(problem))
        }
        RulesError::ReturnedExceedsIssued { returned, issued } => format!(
            "Số phiếu thu vào ({returned}) nhiều hơn số phiếu phát ra ({issued}): cuộc bầu cử không có giá trị, phải bầu lại."
        ),
    }
}

pub fn finding(finding: &Finding) -> String {
    let Finding { list_size, seats, bounds, .. } = *finding;
    match finding.code {
        FindingCode::NoSurplus => format!(
            "Danh sách có {list_size} người cho {seats} chỗ: bầu cấp ủy, ban thường vụ bắt buộc phải có số dư (ít nhất {} người).",
            bounds.min
        ),
        FindingCode::SurplusExceedsCap => format!(
            "Danh sách có {list_size} người, vượt quá số dư tối đa 30% (tối đa {} người).",
            bounds.max.unwrap_or(list_size)
        ),
        FindingCode::ListShorterThanSeats => {
            format!("Danh sách có {list_size} người, ít hơn số lượng cần bầu ({seats}).")
        }
        FindingCode::ConveningSurplusOutsideRange => {
            let (surplus, lo, hi) = finding.convening.unwrap_or_default();
            format!(
                "Khuyến nghị: danh sách do cấp ủy chuẩn bị có số dư {surplus} người, ngoài khoảng 10%–15% ({lo} đến {hi} người)."
            )
        }
    }
}
