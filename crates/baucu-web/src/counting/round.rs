//! A round: its page with the progress of the count, the actions of the board and the presidium on
//! it (ballots issued, stacks handed out, closing, the next step, publishing) and its files.

use super::{next_step_label, result_table};
use crate::AppState;
use crate::guard::Current;
use crate::pages::csrf;
use crate::pages::{Notice, app_error, back, layout as layout_page};
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use baucu_app::counting::{NextDecision, RoundView, StackRequest, StackStatus};
use baucu_app::docs::Paper as baucu_docs_paper;
use baucu_app::view::{Purpose, layout_label};
use baucu_app::{AppError, Permission};
use maud::{Markup, html};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct OpenForm {
    entries_per_stack: u32,
}

pub async fn round_open(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
    Form(f): Form<OpenForm>,
) -> Response {
    match state.app.open_first_round(&current.session.actor, id, f.entries_per_stack).await {
        Ok(round) => back(&format!("/rounds/{round}"), Ok("Đã mở lần bầu thứ nhất.".into())),
        Err(e) => back(&format!("/elections/{id}"), Err(e)),
    }
}

/// Opens a poll counted like ballots on the election's outside nominees.
pub async fn poll_round_open(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
    Form(f): Form<OpenForm>,
) -> Response {
    match state.app.open_poll_round(&current.session.actor, id, f.entries_per_stack).await {
        Ok(round) => back(&format!("/rounds/{round}"), Ok("Đã mở kiểm phiếu xin ý kiến.".into())),
        Err(e) => back(&format!("/elections/{id}"), Err(e)),
    }
}

fn progress(current: &Current, v: &RoundView) -> Markup {
    let manage = current.session.actor.role.may(Permission::ManageCounting) && !v.round.closed;
    html! {
        section.card id="progress" {
            h2 { "Tiến độ kiểm phiếu" }
            p.big {
                strong { (v.stacks_accepted) "/" (v.stacks.len()) } " chồng phiếu đã đối chiếu khớp · "
                strong { (v.ballots_agreed) } " phiếu đã kiểm"
                @if let Some(i) = v.round.issued { " · phát ra " strong { (i) } }
                @if let Some(c) = v.round.collected {
                    " · thu vào " strong { (c) }
                    @if !v.round.closed && v.stacks_accepted == v.stacks.len() && v.ballots_agreed as i64 != c {
                        span.warn { " (các chồng phiếu có " (v.ballots_agreed) " phiếu: chênh lệch " ((v.ballots_agreed as i64 - c).abs()) ")" }
                    }
                }
            }
            table.list {
                thead { tr { th { "Chồng phiếu" } th { "Người nhập và số phiếu đã nhập" } th { "Tình trạng" } th {} } }
                tbody { @for s in &v.stacks {
                    tr class=(s.status.code()) {
                        td { (s.name) }
                        td { @for e in &s.entries {
                            span.entry { (e.operator) ": " strong { (e.ballots) } @if e.finished { " ✓" } }
                            @if manage && e.finished && (s.status != StackStatus::Accepted || !v.round.reopenings.is_empty()) {
                                form.inline method="post" action={ "/entries/" (e.id) "/reopen" } {
                                    (csrf(current)) button.small type="submit" { "Mở lại" }
                                }
                            }
                        } }
                        td { (match s.status { StackStatus::Accepted => "Khớp", StackStatus::Mismatch => "Có chênh lệch", StackStatus::Entering => "Đang nhập" }) }
                        td { @if s.status == StackStatus::Mismatch { a.button href={ "/stacks/" (s.id) } { "Đối chiếu " (s.differences.iter().filter(|d| d.resolved.is_none()).count()) " phiếu" } } }
                    }
                } }
            }
        }
    }
}

pub async fn round_page(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
    Query(notice): Query<Notice>,
) -> Response {
    let actor = &current.session.actor;
    let v = match state.app.round(actor, id).await {
        Ok(v) => v,
        Err(e) => return app_error(e),
    };
    let r = &v.round;
    let manage = actor.role.may(Permission::ManageCounting) && !r.closed;
    let run = actor.role.may(Permission::RunRounds);
    let needed = r.entries_per_stack as usize;
    // How the ballot will be printed on each paper, by the same layout as the download.
    let mut plans = Vec::new();
    for paper in [baucu_docs_paper::A5, baucu_docs_paper::A4].into_iter().filter(|_| !r.poll) {
        match state.app.ballot_plan(actor, id, paper).await {
            Ok(plan) => plans.push((paper.code().to_uppercase(), plan)),
            Err(e) => return app_error(e),
        }
    }
    let content = html! {
        @if r.poll {
            section.card #poll {
                p {
                    "Phiếu xin ý kiến (Đồng ý / Không đồng ý) về " strong { (r.candidates.len()) } " người ngoài danh sách cấp ủy giới thiệu"
                    " · Mỗi chồng nhập " strong { (r.entries_per_stack) } " lần độc lập"
                }
                p {
                    "Số người có mặt khi lấy phiếu: " strong { (r.assembly.present) }
                    " · Người được đưa vào danh sách bầu cử phải có trên 30% số người có mặt đồng ý (rồi theo số dư tối đa của danh sách)."
                }
                ol.ballot { @for name in &r.candidates { li { (name) } } }
                p { a href={ "/rounds/" (r.id) "/journal" } { "Nhật ký nhập phiếu" } " · " a href={ "/elections/" (r.election_id) } { "Về cuộc bầu" } }
                p.files {
                    a.button href={ "/rounds/" (r.id) "/files/phieu-xin-y-kien.pdf" } { "Tải phiếu xin ý kiến (PDF)" } " "
                    @if r.closed { a.button href={ "/rounds/" (r.id) "/files/nhat-ky.pdf" } { "Nhật ký nhập phiếu (PDF)" } }
                }
                p.muted { "Lần kiểm phiếu xin ý kiến không có biên bản kiểm phiếu bầu cử và không bầu ai: kết quả được ghi vào danh sách bầu cử." }
            }
        } @else {
        section.card {
            p {
                "Số lượng bầu: " strong { (r.seats) } @if r.alternate_seats > 0 { " (và " (r.alternate_seats) " dự khuyết)" }
                " · Danh sách " strong { (r.candidates.len()) } " người · Phiếu: " (layout_label(r.layout))
                " · Mỗi chồng nhập " strong { (r.entries_per_stack) } " lần độc lập"
            }
            p {
                "Số làm căn cứ tính kết quả: " strong { (r.base) } " (triệu tập " (r.assembly.summoned) ", có mặt " (r.assembly.present) ")"
                " · Trúng cử phải có ít nhất " strong { (r.threshold) } " phiếu"
                @if r.purpose == Purpose::TieBreak { " (bầu lại giữa những người bằng phiếu: người nhiều phiếu hơn trúng cử)" }
            }
            ol.ballot { @for name in &r.candidates { li { (name) } } }
            p { a href={ "/rounds/" (r.id) "/journal" } { "Nhật ký nhập phiếu" } " · " a href={ "/elections/" (r.election_id) } { "Về cuộc bầu" } }
            form.inline.files method="get" action={ "/rounds/" (r.id) "/files/phieu-bau.pdf" } {
                label { "In phiếu bầu: số bản" input name="copies" inputmode="numeric" value=(r.issued.unwrap_or(1).max(1)); }
                label { "Khổ giấy" select name="paper" { option value="a4" { "A4" } option value="a5" { "A5" } option value="a3" { "A3" } } }
                label { input type="checkbox" name="two_per_sheet" value="1"; " Phiếu A5: hai phiếu trên một tờ A4 (để cắt đôi)" }
                button type="submit" { "Tải phiếu bầu (PDF)" }
            }
            details.preview {
                summary { "Xem trước phiếu bầu (đúng tờ phiếu sẽ in, khổ A4)" }
                iframe.ballot-preview loading="lazy" title="Phiếu bầu"
                    src={ "/rounds/" (r.id) "/files/phieu-bau.pdf?copies=1&paper=a4&preview=1" } {}
            }
            p.muted {
                "Mỗi phiếu luôn nằm trọn trên một tờ: cỡ chữ (tên nhỏ nhất 10 pt) và số cột được chọn cho vừa; "
                "danh sách không vừa khổ đã chọn thì phiếu in trên khổ lớn hơn (A5 → A4 → A3) và tên tệp tải về ghi khổ giấy đã dùng."
            }
            ul.muted {
                @for (paper, plan) in &plans {
                    @match plan {
                        Ok(text) => li { "Chọn khổ " (paper) ": " (text) },
                        Err(text) => li { "Chọn khổ " (paper) ": " span.warn { (text) } },
                    }
                }
            }
            @if r.closed {
                p.files {
                    "Tài liệu: "
                    a.button href={ "/rounds/" (r.id) "/files/bien-ban.pdf" } { "Biên bản kiểm phiếu (PDF)" } " "
                    a.button href={ "/rounds/" (r.id) "/files/bien-ban.docx" } { "Biên bản (Word)" } " "
                    a.button href={ "/rounds/" (r.id) "/files/ket-qua.xlsx" } { "Kết quả (Excel)" } " "
                    a.button href={ "/rounds/" (r.id) "/files/nhat-ky.pdf" } { "Nhật ký nhập phiếu (PDF)" }
                }
            }
        }
        }
        (progress(&current, &v))
        @if let Some(poll) = &v.poll_result {
            section.card #poll-result {
                h2 { "Kết quả lấy phiếu xin ý kiến" }
                p { "Có mặt " strong { (poll.present) } " · cần ít nhất " strong { (poll.gate) } " phiếu đồng ý (trên 30%)" }
                table.list {
                    thead { tr { th { "Họ và tên" } th { "Số đồng ý" } th { "Kết quả" } } }
                    tbody { @for line in &poll.nominees {
                        tr {
                            td { (line.full_name) }
                            td.num { (line.agree) }
                            td { (line.decided().unwrap_or("Không đọc được kết quả đã ghi")) }
                        }
                    } }
                }
                p.muted { "Kết quả lấy phiếu: nhập từ phiếu đã kiểm. " a href={ "/elections/" (r.election_id) } { "Xem danh sách bầu cử" } }
            }
        }
        @if manage {
            div.columns {
                form.card.grid method="post" action={ "/rounds/" (r.id) "/issued" } {
                    h2.wide { "Số phiếu phát ra và thu vào" }
                    (csrf(&current))
                    label { "Số phiếu ban kiểm phiếu đã phát" input name="issued" inputmode="numeric" value=(r.issued.map(|i| i.to_string()).unwrap_or_default()) required; }
                    label { "Số phiếu thu vào (khi mở hòm phiếu)" input name="collected" inputmode="numeric" value=(r.collected.map(|i| i.to_string()).unwrap_or_default()); }
                    div.actions.wide { button type="submit" { "Ghi" } }
                }
                form.card.grid method="post" action={ "/rounds/" (r.id) "/stacks" } {
                    h2.wide { "Giao một chồng phiếu" }
                    (csrf(&current))
                    // One key per rendered form: a double click or a resent form hands the stack out once.
                    input type="hidden" name="key" value=(baucu_app::auth::random_token());
                    label { "Tên chồng" input name="name" value={ "Chồng " (v.stacks.len() + 1) } maxlength="60" required; }
                    label { "Số tờ phiếu trong chồng" input name="papers" inputmode="numeric" required; }
                    @for slot in 0..needed {
                        label { "Người nhập lần " (slot + 1) select name="operator" required {
                            @for (i, (uid, name)) in v.operators.iter().enumerate() { option value=(uid) selected[i == slot] { (name) } }
                        } }
                    }
                    @if needed == 1 {
                        label.check.wide { input type="checkbox" name="board_consent" value="yes"; "Ban kiểm phiếu đồng ý để thành viên của ban tự nhập (chỉ khi mỗi chồng nhập một lần)" }
                    }
                    div.actions.wide { button.primary type="submit" { "Giao chồng phiếu" } }
                }
            }
            form.card method="post" action={ "/rounds/" (r.id) "/close" } {
                (csrf(&current))
                p { "Khi mọi chồng phiếu đã khớp, đã ghi số phiếu phát ra và thu vào, và tổng số phiếu các chồng bằng số phiếu thu vào, kết thúc kiểm phiếu để tính kết quả." }
                @if r.poll {
                    (confirm_box(POLL_CLOSE_CONSEQUENCE))
                    button.primary type="submit" { "Kết thúc kiểm phiếu xin ý kiến, ghi vào danh sách" }
                } @else {
                    (confirm_box(CLOSE_CONSEQUENCE))
                    button.primary type="submit" { "Kết thúc kiểm phiếu, tính kết quả" }
                }
            }
        }
        @if let Some(record) = &r.record {
            section.card {
                h2 { "Kết quả" }
                (result_table(r, record))
                @let step = record.next_step.code();
                p class={ "notice " (if step == "complete" { "ok" } else { "warn" }) } { (next_step_label(step)) }
                @if let Some(d) = &r.decision { p { "Quyết định của đoàn chủ tịch: " (d.label()) } }
                @if let Some(why) = &v.further_round_refused { p.notice.err { (why) } }
                @if let Some(departures) = &v.plan_departures {
                    div.card.plan-departures {
                        h3 { "So với phương án nhân sự" }
                        @if departures.is_empty() {
                            p.notice.ok { "Kết quả đến lần bầu này đúng phương án nhân sự." }
                        } @else {
                            p { "Kết quả đến lần bầu này khác phương án nhân sự (để đoàn chủ tịch tham khảo trước khi quyết định; không thay đổi kết quả bầu cử):" }
                            ul { @for d in departures { li { (d.text) } } }
                        }
                    }
                }
                @if let Some(head) = r.record.as_ref().and_then(|x| x.audit_head.as_deref()) {
                    p.small { "Mã kiểm chứng dữ liệu khi kết thúc kiểm phiếu (in trên biên bản): " code { (head) } }
                }
                @if run && r.decision.is_none() && step != "complete" {
                    div.columns {
                        @if step == "tie_break" {
                            form method="post" action={ "/rounds/" (r.id) "/decide" } {
                                (csrf(&current)) input type="hidden" name="decision" value="tie_break";
                                (confirm_box(&decide_consequence(&NextDecision::TieBreak)))
                                button.primary type="submit" { "Bầu lại giữa những người bằng phiếu" }
                            }
                        }
                        @if (step == "further_round" && v.further_round_refused.is_none()) || step == "alternate_round" {
                            @let alternates = step == "alternate_round";
                            @let unfilled = if alternates { record.alternate_seats_unfilled } else { record.seats_unfilled };
                            form.grid method="post" action={ "/rounds/" (r.id) "/decide" } {
                                (csrf(&current))
                                input type="hidden" name="decision" value=(if alternates { "alternate_round" } else { "further_round" });
                                label { "Số lượng bầu tiếp" input name="seats" inputmode="numeric" value=(unfilled) required; }
                                fieldset.wide.checks { legend { "Danh sách bầu tiếp (mặc định: những người chưa trúng cử)" }
                                    @for (pid, name) in &v.not_elected { label.check { input type="checkbox" name="person" value=(pid) checked; (name) } }
                                }
                                div.wide { (confirm_box(FURTHER_CONSEQUENCE)) }
                                div.actions.wide { button.primary type="submit" { (if alternates { "Bầu đại biểu dự khuyết" } else { "Bầu tiếp" }) } }
                            }
                        }
                        form method="post" action={ "/rounds/" (r.id) "/decide" } {
                            (csrf(&current)) input type="hidden" name="decision" value="stop";
                            (confirm_box(&decide_consequence(&NextDecision::Stop)))
                            button type="submit" { "Dừng, không bầu tiếp" }
                        }
                    }
                }
                @if run && !r.published {
                    form method="post" action={ "/rounds/" (r.id) "/publish" } {
                        (csrf(&current))
                        (confirm_box(PUBLISH_CONSEQUENCE))
                        button.primary type="submit" { "Công bố kết quả lên màn chiếu" }
                    }
                }
                @if r.published { p.notice.ok { "Đã công bố. " a href="/results" { "Mở màn chiếu" } } }
                @if run && r.published {
                    form.grid method="post" action={ "/rounds/" (r.id) "/unpublish" } {
                        (csrf(&current))
                        p.wide { (UNPUBLISH_CONSEQUENCE) }
                        label.wide { "Lý do gỡ công bố (bắt buộc)" textarea name="reason" maxlength="1000" required rows="2" {} }
                        div.actions.wide { button type="submit" { "Gỡ công bố" } }
                    }
                }
                // Reopening is possible while no later round was opened from this result.
                @if run && matches!(r.decision, None | Some(NextDecision::Stop)) {
                    details.card {
                        summary { "Mở lại lần bầu đã kết thúc" }
                        form.grid method="post" action={ "/rounds/" (r.id) "/reopen" } {
                            (csrf(&current))
                            p.wide { (REOPEN_CONSEQUENCE) }
                            label.wide { "Lý do mở lại (bắt buộc, ghi vào biên bản)" textarea name="reason" maxlength="1000" required rows="2" {} }
                            div.actions.wide { button type="submit" { "Mở lại lần bầu" } }
                        }
                    }
                }
            }
        }
        @if !r.reopenings.is_empty() {
            section.card #reopenings {
                h2 { "Các lần mở lại" }
                ul { @for x in &r.reopenings { li { (x.sentence()) } } }
            }
        }
        script src="/static/live.js" data-events={ "/rounds/" (r.id) "/events" } data-target="progress" {}
    };
    layout_page(&r.title(), Some(&current), "/elections", &notice, content).into_response()
}

#[derive(Debug, Deserialize)]
pub struct IssuedForm {
    issued: String,
    collected: Option<String>,
}

pub async fn issued(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
    Form(f): Form<IssuedForm>,
) -> Response {
    let to = format!("/rounds/{id}");
    let Ok(n) = f.issued.trim().parse::<u32>() else {
        return back(&to, Err(AppError::invalid("issued", "Số phiếu phát ra không hợp lệ.")));
    };
    let collected = match f.collected.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(text) => match text.parse::<u32>() {
            Ok(c) => Some(c),
            Err(_) => {
                return back(&to, Err(AppError::invalid("collected", "Số phiếu thu vào không hợp lệ.")));
            }
        },
    };
    back(
        &to,
        state
            .app
            .set_issued(&current.session.actor, id, n, collected)
            .await
            .map(|()| "Đã ghi số phiếu phát ra và thu vào.".into()),
    )
}

pub async fn stack_create(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let get = |k: &str| f.iter().find(|(x, _)| x == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let name = get("name");
    let Ok(papers) = get("papers").trim().parse::<u32>() else {
        return back(
            &format!("/rounds/{id}"),
            Err(AppError::invalid("papers", "Ghi số tờ phiếu của chồng.")),
        );
    };
    let operators: Vec<i64> =
        f.iter().filter(|(k, _)| k == "operator").filter_map(|(_, v)| v.parse().ok()).collect();
    let request = StackRequest {
        name: name.clone(),
        papers,
        operators,
        key: get("key"),
        board_consent: get("board_consent") == "yes",
    };
    let r = state.app.create_stack(&current.session.actor, id, request).await;
    back(&format!("/rounds/{id}"), r.map(|_| format!("Đã giao {}.", name.trim())))
}

/// What closing a round does, as the confirmation states it.
pub(crate) const POLL_CLOSE_CONSEQUENCE: &str = "Kết thúc kiểm phiếu xin ý kiến: số đồng ý của từng người được ghi vào danh sách bầu cử, áp dụng ngưỡng trên 30% số có mặt; không nhập thêm phiếu được nữa và không mở lại được.";
pub(crate) const CLOSE_CONSEQUENCE: &str = "Kết thúc lần bầu: kết quả được tính và ghi lại; không nhập thêm phiếu được nữa, không sửa được số phiếu phát ra và thu vào. Chỉ đoàn chủ tịch mở lại được lần bầu, với lý do ghi vào biên bản.";
/// What publishing a result does.
pub(crate) const PUBLISH_CONSEQUENCE: &str = "Công bố kết quả: kết quả hiện lên màn chiếu và trang kết quả công khai, ai cũng xem được không cần đăng nhập. Đoàn chủ tịch gỡ công bố được, với lý do ghi vào nhật ký.";
/// What unpublishing does.
const UNPUBLISH_CONSEQUENCE: &str = "Gỡ công bố: màn chiếu và trang kết quả công khai không còn hiện kết quả này; kết quả vẫn được ghi và công bố lại được. Lý do được ghi vào nhật ký.";
/// What reopening a closed round does.
const REOPEN_CONSEQUENCE: &str = "Mở lại lần bầu: bản ghi kết quả bị xóa (kết quả được tính và ghi lại khi kết thúc lần sau), những người trúng cử ở lần bầu này không còn được ghi là trúng cử, quyết định dừng (nếu có) và việc công bố bị rút lại. Ban kiểm phiếu sửa được số phiếu phát ra, thu vào và mở lại các lượt nhập. Chỉ làm được khi chưa có lần bầu tiếp theo. Lý do được ghi vào nhật ký và biên bản.";

/// What a further round (or a round of alternates) does, before its seats and names are chosen.
const FURTHER_CONSEQUENCE: &str = "Quyết định của đoàn chủ tịch (bầu tiếp với số lượng và danh sách đã chọn) được ghi lại và không đổi được: một lần bầu mới được mở ngay; từ đó lần bầu này không mở lại được nữa.";

/// What a decision of the presidium does, as its confirmation states it.
pub(crate) fn decide_consequence(d: &NextDecision) -> String {
    let what = match d {
        NextDecision::TieBreak | NextDecision::FurtherRound { .. } | NextDecision::AlternateRound { .. } => {
            "một lần bầu mới được mở ngay; từ đó lần bầu này không mở lại được nữa"
        }
        NextDecision::Stop => "không bầu tiếp, các chỗ còn thiếu để trống",
    };
    format!("Quyết định của đoàn chủ tịch ({}) được ghi lại và không đổi được: {what}.", d.label())
}

/// The field a confirmed irreversible step carries.
const CONFIRM_FIELD: &str = "confirm";

/// The required box that confirms an irreversible step, stating its consequence.
fn confirm_box(consequence: &str) -> Markup {
    html! {
        label.check.confirm { input type="checkbox" name=(CONFIRM_FIELD) value="yes" required; "Tôi xác nhận. " (consequence) }
    }
}

/// Whether a form confirms its step: exactly `confirm=yes`; anything else confirms nothing.
fn confirmed(fields: &[(String, String)]) -> bool {
    let values: Vec<&str> =
        fields.iter().filter(|(k, _)| k == CONFIRM_FIELD).map(|(_, v)| v.as_str()).collect();
    values == ["yes"]
}

/// The answer to an irreversible step posted without its confirmation: nothing was done; the page
/// states the consequence and offers the same request, confirmed (the other fields sent again).
fn confirmation_page(
    current: &Current,
    round_id: i64,
    action: &str,
    title: &str,
    consequence: &str,
    fields: &[(String, String)],
) -> Response {
    let content = html! {
        p.notice.warn role="alert" { "Chưa thực hiện: việc này không làm lại như cũ được, cần xác nhận trước." }
        form.card method="post" action={ "/rounds/" (round_id) "/" (action) } {
            (csrf(current))
            @for (k, v) in fields.iter().filter(|(k, _)| k != CONFIRM_FIELD && k != crate::guard::CSRF_FIELD) {
                input type="hidden" name=(k) value=(v);
            }
            p #consequence { (consequence) }
            (confirm_box(consequence))
            div.actions {
                button.primary type="submit" { (title) }
                " " a href={ "/rounds/" (round_id) } { "Quay lại, không làm" }
            }
        }
    };
    (
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        layout_page(&format!("Xác nhận: {title}"), Some(current), "/elections", &Notice::default(), content),
    )
        .into_response()
}

pub async fn close(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    if !confirmed(&f) {
        return confirmation_page(&current, id, "close", "Kết thúc kiểm phiếu", CLOSE_CONSEQUENCE, &f);
    }
    let r = state.app.close_round(&current.session.actor, id).await;
    back(
        &format!("/rounds/{id}"),
        r.map(|v| {
            if v.get("poll").is_some() {
                "Đã kết thúc kiểm phiếu xin ý kiến; số đồng ý đã ghi vào danh sách bầu cử.".into()
            } else {
                "Đã kết thúc kiểm phiếu; kết quả do bộ quy tắc tính.".into()
            }
        }),
    )
}

pub async fn decide(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let get = |k: &str| f.iter().find(|(x, _)| x == k).map(|(_, v)| v.as_str());
    let mut persons = Vec::new();
    for (_, v) in f.iter().filter(|(k, _)| k == "person") {
        match v.parse() {
            Ok(p) => persons.push(p),
            Err(_) => return app_error(AppError::invalid("person", "Người được chọn không hợp lệ.")),
        }
    }
    // An irreversible decision: a missing or unknown field is refused and changes nothing.
    let decision = match NextDecision::from_form(get("decision"), get("seats"), persons) {
        Ok(d) => d,
        Err(e) => return app_error(e),
    };
    if !confirmed(&f) {
        let consequence = decide_consequence(&decision);
        return confirmation_page(&current, id, "decide", "Ghi quyết định", &consequence, &f);
    }
    match state.app.decide_next(&current.session.actor, id, decision).await {
        Ok(Some(next)) => back(&format!("/rounds/{next}"), Ok("Đã tạo lần bầu tiếp theo.".into())),
        Ok(None) => back(&format!("/rounds/{id}"), Ok("Đã ghi quyết định dừng.".into())),
        Err(e) => back(&format!("/rounds/{id}"), Err(e)),
    }
}

pub async fn publish(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    if !confirmed(&f) {
        return confirmation_page(&current, id, "publish", "Công bố kết quả", PUBLISH_CONSEQUENCE, &f);
    }
    let r = state.app.publish(&current.session.actor, id).await;
    back(&format!("/rounds/{id}"), r.map(|()| "Đã công bố kết quả.".into()))
}

#[derive(Debug, Deserialize)]
pub struct ReasonForm {
    #[serde(default)]
    reason: String,
}

pub async fn unpublish(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
    Form(f): Form<ReasonForm>,
) -> Response {
    let r = state.app.unpublish(&current.session.actor, id, &f.reason).await;
    back(&format!("/rounds/{id}"), r.map(|()| "Đã gỡ công bố kết quả khỏi màn chiếu.".into()))
}

pub async fn reopen_round(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
    Form(f): Form<ReasonForm>,
) -> Response {
    let r = state.app.reopen_round(&current.session.actor, id, &f.reason).await;
    back(&format!("/rounds/{id}"), r.map(|()| "Đã mở lại lần bầu; kết quả cũ đã xóa.".into()))
}

/// A file to download, named for the user's disk.
pub fn file_response(content_type: &str, file_name: &str, bytes: Vec<u8>) -> Response {
    file_response_as(content_type, file_name, bytes, "attachment")
}

/// A file answered as `disposition` (`attachment` to save it, `inline` to show it in the page).
fn file_response_as(content_type: &str, file_name: &str, bytes: Vec<u8>, disposition: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, format!("{disposition}; filename=\"{file_name}\"")),
        ],
        bytes,
    )
        .into_response()
}

#[derive(Debug, Deserialize)]
pub struct FileQuery {
    #[serde(default)]
    copies: Option<String>,
    #[serde(default)]
    paper: Option<String>,
    #[serde(default)]
    two_per_sheet: Option<String>,
    /// `1`: the ballot shown in the round page's preview rather than saved.
    #[serde(default)]
    preview: Option<String>,
}

pub async fn round_file(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path((id, file)): Path<(i64, String)>,
    Query(q): Query<FileQuery>,
) -> Response {
    let actor = &current.session.actor;
    let download = match file.as_str() {
        "phieu-bau.pdf" => {
            // No count asked: one sample ballot. A count or a paper size that does not read is
            // refused, never guessed.
            let copies = match q.copies.as_deref().map(str::trim) {
                None => Ok(1),
                Some(text) => text.parse::<u32>().map_err(|_| {
                    AppError::invalid("copies", format!("Số bản in \"{text}\" không phải là một số."))
                }),
            };
            let paper = match q.paper.as_deref() {
                None => Ok(baucu_docs_paper::A4),
                Some(text) => baucu_docs_paper::parse(text)
                    .ok_or_else(|| AppError::invalid("paper", "Khổ giấy phải là A5, A4 hoặc A3.")),
            };
            let two_per_sheet = match q.two_per_sheet.as_deref() {
                None => Ok(false),
                Some("1" | "on") => Ok(true),
                Some(_) => {
                    Err(AppError::invalid("two_per_sheet", "Ô \"hai phiếu trên một tờ\" không đọc được."))
                }
            };
            match (copies, paper, two_per_sheet) {
                (Ok(copies), Ok(paper), Ok(two)) => {
                    state.app.ballot_sheets_pdf(actor, id, paper, two, copies).await
                }
                (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => Err(e),
            }
        }
        "bien-ban.pdf" => state.app.minutes(actor, id, "pdf").await,
        "bien-ban.docx" => state.app.minutes(actor, id, "docx").await,
        "ket-qua.xlsx" => state.app.minutes(actor, id, "xlsx").await,
        "nhat-ky.pdf" => state.app.journal_pdf(actor, id).await,
        "phieu-xin-y-kien.pdf" => state.app.poll_round_form(actor, id).await,
        _ => Err(AppError::NotFound("tài liệu này")),
    };
    // Only the ballot is previewed in the page; any other value of `preview` is refused.
    let disposition = match (file.as_str(), q.preview.as_deref()) {
        (_, None) => Ok("attachment"),
        ("phieu-bau.pdf", Some("1")) => Ok("inline"),
        _ => Err(AppError::invalid("preview", "Chỉ xem trước được phiếu bầu (preview=1).")),
    };
    match (download, disposition) {
        (Ok(d), Ok(disposition)) => file_response_as(d.content_type, &d.file_name, d.bytes, disposition),
        (Err(e), _) | (_, Err(e)) => app_error(e),
    }
}

pub async fn election_file(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path((id, file)): Path<(i64, String)>,
) -> Response {
    let download = match file.as_str() {
        "trung-cu.pdf" => state.app.elected_list(&current.session.actor, id, "pdf").await,
        "trung-cu.xlsx" => state.app.elected_list(&current.session.actor, id, "xlsx").await,
        _ => Err(AppError::NotFound("tài liệu này")),
    };
    match download {
        Ok(d) => file_response(d.content_type, &d.file_name, d.bytes),
        Err(e) => app_error(e),
    }
}
