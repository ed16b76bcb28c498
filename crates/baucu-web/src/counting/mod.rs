//! The counting pages: a round's progress and result, a stack's side-by-side differences, the
//! journal, the operator's entry screen, and the public projector with live updates.
//!
//! This module holds how counting values are put into words for every page (ballots, outcomes, next
//! steps, the result table); each page has its own file.

mod entry;
mod journal;
mod projector;
mod round;
mod stack;

pub use entry::{entry_page, entry_script, my_entries};
pub use journal::journal_page;
pub use projector::{live_script, results_events, results_fragment, results_page, round_events};
pub(crate) use round::{CLOSE_CONSEQUENCE, PUBLISH_CONSEQUENCE, decide_consequence};
pub use round::{
    close, decide, election_file, file_response, issued, poll_round_open, publish, reopen_round, round_file,
    round_open, round_page, stack_create, unpublish,
};
pub use stack::{reopen, resolve, stack_page};

use baucu_app::counting::Round;
use baucu_app::record::RoundRecord;
use baucu_app::view::{LineMark, read_ballot};
use maud::{Markup, html};

pub(super) fn outcome_label(code: &str) -> &'static str {
    match code {
        "elected" => "Trúng cử",
        "alternate" => "Dự khuyết",
        "tied" => "Bằng phiếu",
        _ => "Không trúng cử",
    }
}

pub(super) fn next_step_label(code: &str) -> &'static str {
    match code {
        "tie_break" => {
            "Có người bằng phiếu ở vị trí cuối: đoàn chủ tịch cho bầu lại giữa những người bằng phiếu."
        }
        "further_round" => {
            "Chưa bầu đủ số lượng: đại hội quyết định có bầu tiếp hay không, bao nhiêu, với những ai."
        }
        "alternate_round" => {
            "Chưa đủ đại biểu dự khuyết: đại hội quyết định có bầu đại biểu dự khuyết tiếp hay không."
        }
        _ => "Đã bầu đủ số lượng.",
    }
}

/// A ballot code as a person reads it: the names kept or marked.
pub(super) fn describe(round: &Round, code: Option<&str>) -> Markup {
    let Some(code) = code else { return html! { em { "(không có phiếu)" } } };
    let Some(reading) = read_ballot(code, &round.candidates) else { return html! { code { (code) } } };
    html! {
        ol.mini {
            @for (name, mark) in &reading.lines {
                @match mark {
                    LineMark::Struck => { li { s { (name) } } }
                    LineMark::Kept => { li { (name) } }
                    other => { li { (name) " — " (other.label()) } }
                }
            }
        }
        @if !reading.flags.is_empty() { p.tag { (reading.flags.join(", ")) } }
    }
}

/// "93,28%": the recorded percentage with the Vietnamese decimal comma, written as the documents
/// write it.
pub(super) fn percent(p: Option<String>) -> String {
    p.map(|v| format!("{v}%")).unwrap_or_else(|| "—".into())
}

/// The result table of a closed round, from its record.
pub(super) fn result_table(round: &Round, r: &RoundRecord) -> Markup {
    html! {
        table.list.result {
            thead { tr { th { "TT" } th { "Họ và tên" } th { "Số phiếu" } th { "% so với số làm căn cứ" } th { "% so với phiếu hợp lệ" } th { "Xếp hạng" } th { "Kết quả" } } }
            tbody { @for c in &r.lines {
                @let outcome = c.outcome.code();
                tr class=(outcome) {
                    td.num { (c.position) }
                    td { (c.name) }
                    td.num { (c.votes) }
                    td.num { (percent(Some(c.percent_of_base.to_vietnamese()))) }
                    td.num { (percent(c.percent_of_valid.map(|p| p.to_vietnamese()))) }
                    td.num { (c.rank) }
                    td { (outcome_label(outcome)) }
                }
            } }
        }
        p {
            "Số làm căn cứ: " strong { (r.base) } " · trúng cử phải có ít nhất " strong { (r.threshold) } " phiếu · phiếu phát ra "
            (r.issued) ", thu vào " (r.collected) ", hợp lệ " (r.valid) ", không hợp lệ " (r.invalid)
        }
        @if round.closed { p.small { "Kết thúc kiểm phiếu lúc " (r.closed_at.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(7))).strftime("%H giờ %M, ngày %d/%m/%Y")) " (" (r.closed_by) ")." } }
    }
}
