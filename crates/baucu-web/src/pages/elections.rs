//! Elections and their lists: defining an election, putting people forward, withdrawals, the opinion
//! poll and its tie, the order on the ballot and the approval vote of the list.

use super::{Notice, app_error, back, csrf, layout};
use crate::AppState;
use crate::guard::Current;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use baucu_app::congress::assembly_label;
use baucu_app::elections::{CandidateStatus, ElectionForm, REMOVAL_REASON, Source};
use baucu_app::view::{Body, body_label as body_words, layout_label};
use baucu_app::{AppError, Permission};
use maud::html;
use serde::Deserialize;
use std::collections::BTreeMap;

fn body_label(b: Body) -> String {
    let s = body_words(b);
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

pub async fn elections_page(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Query(notice): Query<Notice>,
) -> Response {
    let actor = &current.session.actor;
    let elections = match state.app.elections(actor).await {
        Ok(e) => e,
        Err(e) => return app_error(e),
    };
    let can = actor.role.may(Permission::DefineElections);
    // The choice to elect the secretary at the congress is offered only where the superior allowed it.
    let direct_allowed = match state.app.congress().await {
        Ok(c) => c.is_some_and(|c| c.direct_secretary),
        Err(e) => return app_error(e),
    };
    let content = html! {
        @if elections.is_empty() { p.card { "Chưa có cuộc bầu cử nào." } }
        @else {
            table.list {
                thead { tr { th { "TT" } th { "Cuộc bầu" } th { "Số lượng bầu" } th { "Hội nghị / đại hội" } th { "Danh sách" } } }
                tbody { @for (i, e) in elections.iter().enumerate() {
                    tr {
                        td.num { (i + 1) }
                        td { a href={ "/elections/" (e.id) } { (e.title()) } }
                        td.num { (e.seats) @if e.alternate_seats > 0 { " + " (e.alternate_seats) " dự khuyết" } }
                        td { (assembly_label(e.assembly_kind)) }
                        td { @if e.approved { span.tag.ok { "Đã thông qua" } } @else { span.tag { "Đang lập" } } }
                    }
                } }
            }
        }
        @if can {
            form.card.grid method="post" action="/elections" {
                h2.wide { "Thêm cuộc bầu cử" }
                (csrf(&current))
                label { "Nội dung bầu" select name="body" autofocus {
                    @for b in Body::ALL { option value=(b.code()) { (body_label(b)) } }
                } }
                label { "Số lượng cần bầu (đại hội đã biểu quyết)" input name="seats" inputmode="numeric" required; }
                label { "Số đại biểu dự khuyết (chỉ bầu đại biểu)" input name="alternate_seats" inputmode="numeric"; }
                label { "Biểu quyết số lượng: tán thành" input name="seats_for" inputmode="numeric"; }
                label { "Không tán thành" input name="seats_against" inputmode="numeric"; }
                @if direct_allowed {
                    label.check { input type="checkbox" name="direct" value="1"; "Bầu trực tiếp bí thư tại đại hội" }
                }
                p.muted.wide { "Ban thường vụ được bầu trong số ủy viên ban chấp hành (chỉ khi ban chấp hành có từ 9 ủy viên); bí thư, phó bí thư trong số ủy viên ban thường vụ (hoặc ban chấp hành nếu không có ban thường vụ); chủ nhiệm, phó chủ nhiệm trong số ủy viên ủy ban kiểm tra. Ở chi bộ, đại hội bầu bí thư, phó bí thư trong số chi ủy viên (nếu có chi ủy); bầu ba lần chưa có ai trúng cử bí thư thì cấp ủy cấp trên chỉ định." }
                div.actions.wide { button.primary type="submit" { "Thêm cuộc bầu" } }
            }
        }
    };
    layout("Bầu cử", Some(&current), "/elections", &notice, content).into_response()
}

pub async fn election_create(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Form(f): Form<ElectionForm>,
) -> Response {
    match state.app.create_election(&current.session.actor, f).await {
        Ok(id) => back(&format!("/elections/{id}"), Ok("Đã thêm cuộc bầu cử.".into())),
        Err(e) => back("/elections", Err(e)),
    }
}

pub async fn election_page(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
    Query(notice): Query<Notice>,
) -> Response {
    let actor = &current.session.actor;
    let d = match state.app.election(actor, id).await {
        Ok(d) => d,
        Err(e) => return app_error(e),
    };
    let rounds = if actor.role.may(Permission::ViewCounting) {
        state.app.rounds_of(actor, id).await.unwrap_or_default()
    } else {
        Vec::new()
    };
    // Polls counted like ballots (opinion or introduction polls keyed by the counting teams).
    let polls = if actor.role.may(Permission::ViewCounting) {
        match state.app.polls_of(actor, id).await {
            Ok(p) => p,
            Err(e) => return app_error(e),
        }
    } else {
        Vec::new()
    };
    let poll_open = polls.iter().any(|p| !p.closed);
    let run = actor.role.may(Permission::RunRounds);
    let e = &d.election;
    let edit = actor.role.may(Permission::EditLists) && !e.approved;
    let decide = actor.role.may(Permission::DecideLists) && !e.approved;
    let action = |what: &str| format!("/elections/{id}/{what}");
    let pending: Vec<_> = d
        .candidates
        .iter()
        .filter(|c| {
            c.status != CandidateStatus::Withdrawn
                && c.source != Source::Convening
                && c.status != CandidateStatus::WithdrawalRequested
        })
        .collect();
    let tied: Vec<_> = d.candidates.iter().filter(|c| c.status == CandidateStatus::TiedAtCap).collect();
    let requested: Vec<_> =
        d.candidates.iter().filter(|c| c.status == CandidateStatus::WithdrawalRequested).collect();
    let check = &d.list_check;
    let content = html! {
        @if e.approved && (run || !rounds.is_empty()) {
            section.card {
                h2 { "Các lần bầu" }
                @if rounds.is_empty() { p { "Chưa mở lần bầu nào." } }
                ul { @for r in &rounds {
                    li { a href={ "/rounds/" (r.id) } { (r.title()) } " — "
                        @if r.published { "đã công bố" } @else if r.closed { "đã có kết quả" } @else { "đang kiểm phiếu" } }
                } }
                @if rounds.iter().any(|r| r.closed) {
                    p.files {
                        a.button href={ "/elections/" (id) "/files/trung-cu.pdf" } { "Danh sách trúng cử và cơ cấu (PDF)" } " "
                        a.button href={ "/elections/" (id) "/files/trung-cu.xlsx" } { "(Excel)" }
                    }
                }
                @if run && rounds.is_empty() {
                    form.inline method="post" action={ "/elections/" (id) "/rounds" } {
                        (csrf(&current))
                        label { "Mỗi chồng phiếu nhập độc lập" select name="entries_per_stack" {
                            option value="2" selected { "2 lần (khuyến nghị)" } option value="3" { "3 lần" } option value="1" { "1 lần" }
                        } }
                        button.primary type="submit" { "Mở lần bầu thứ nhất" }
                    }
                }
            }
        }
        section.card.summary {
            p {
                "Số lượng cần bầu: " strong { (e.seats) } @if e.alternate_seats > 0 { " chính thức, " strong { (e.alternate_seats) } " dự khuyết" }
                @if let (Some(f), Some(a)) = (e.seats_for, e.seats_against) { " (biểu quyết: " (f) " tán thành, " (a) " không tán thành)" }
                " · " (assembly_label(e.assembly_kind))
                @if let Some(src) = &d.drawn_from { " · Bầu trong số ủy viên " (src) }
            }
            p {
                "Danh sách: " strong { (d.ballot.len()) } " người · tối thiểu " (check.min_list_size)
                @if let Some(max) = check.max_list_size { ", tối đa " (max) } @else { ", không hạn chế tối đa" }
                @if let Some(l) = d.layout { " · Phiếu: " (layout_label(l)) }
            }
            @for f in &check.findings { p class={ "notice " (if f.severity == "error" { "err" } else { "warn" }) } { (f.message) } }
            @if e.approved {
                p.notice.ok { "Danh sách bầu cử đã được đại hội biểu quyết thông qua"
                    @if let (Some(f), Some(a)) = (e.approve_for, e.approve_against) { " (" (f) " tán thành, " (a) " không tán thành)" } "." }
            }
        }
        div.columns {
            section.card {
                h2 { "Danh sách bầu cử (thứ tự trên phiếu)" }
                @if d.ballot.is_empty() { p { "Chưa có ai trong danh sách." } }
                ol.ballot id="ballot-order" {
                    @for c in &d.ballot {
                        li {
                            span.name { (c.full_name) }
                            @if decide {
                                form.inline method="post" action=(action("move")) {
                                    (csrf(&current))
                                    input type="hidden" name="candidate" value=(c.id);
                                    button.small name="up" value="1" type="submit" aria-label={ "Đưa " (c.full_name) " lên" } { "↑" }
                                    button.small name="up" value="0" type="submit" aria-label={ "Đưa " (c.full_name) " xuống" } { "↓" }
                                }
                            }
                        }
                    }
                }
                @if decide && e.manual_order {
                    form.inline method="post" action=(action("order-reset")) {
                        (csrf(&current)) button.small type="submit" { "Xếp lại theo vần chữ cái (tên, họ, tên đệm)" }
                    }
                }
                p.muted {
                    @if e.approved { "Thứ tự trên phiếu đã cố định khi danh sách được thông qua." }
                    @else if e.manual_order { "Thứ tự do đoàn chủ tịch sắp xếp." }
                    @else { "Xếp theo vần chữ cái tiếng Việt: tên, rồi họ, rồi tên đệm." }
                }
            }
            section.card {
                h2 { "Giới thiệu, đề cử, ứng cử" }
                @if let Some(source) = d.poll_source { p.notice.ok #poll-source { (source.label()) } }
                @if !polls.is_empty() {
                    p { "Kiểm phiếu xin ý kiến bằng máy: " }
                    ul { @for r in &polls {
                        li { a href={ "/rounds/" (r.id) } { (r.title()) } " — "
                            @if r.closed { "đã kết thúc, đã ghi vào danh sách" } @else { "đang kiểm phiếu" } }
                    } }
                }
                table.list {
                    thead { tr { th { "Họ và tên" } th { "Nguồn" } th { "Đồng ý" } th { "Tình trạng" } th {} } }
                    tbody { @for c in &d.candidates {
                        tr {
                            td { (c.full_name) }
                            td { (c.source.label()) }
                            td.num { (c.poll_agree.map(|a| a.to_string()).unwrap_or_default()) }
                            td {
                                (c.status.label())
                                @if let Some(reason) = d.removals.get(&c.id).filter(|_| c.status == CandidateStatus::Removed) {
                                    br; span.muted { "Lý do: " (reason) }
                                }
                            }
                            td {
                                @if edit && matches!(c.status, CandidateStatus::Listed | CandidateStatus::PendingPoll) {
                                    form.inline method="post" action=(action("withdrawal")) {
                                        (csrf(&current)) input type="hidden" name="candidate" value=(c.id);
                                        button.small type="submit" { "Xin rút" }
                                    }
                                }
                                @if edit && !matches!(c.status, CandidateStatus::Withdrawn | CandidateStatus::Removed) {
                                    form.inline method="post" action=(action("removal")) {
                                        (csrf(&current)) input type="hidden" name="candidate" value=(c.id);
                                        input name="reason" required maxlength=(REMOVAL_REASON.max_chars) placeholder="Lý do (bắt buộc)" aria-label={ "Lý do đưa " (c.full_name) " ra khỏi danh sách" };
                                        button.small type="submit" { "Đưa ra khỏi danh sách" }
                                    }
                                }
                            }
                        }
                    } }
                }
                @if edit {
                    form.grid method="post" action=(action("candidates")) {
                        (csrf(&current))
                        label { "Người" select name="person" required {
                            @for p in &d.eligible { option value=(p.id) { (p.full_name) " (" (p.birth_date.map(|b| b.to_string()).unwrap_or_default()) ")" } }
                            @for p in d.ineligible.iter().filter(|p| p.in_pool) {
                                option value=(p.person.id) disabled { (p.person.full_name) " (" (p.person.birth_date.map(|b| b.to_string()).unwrap_or_default()) ") — không được ứng cử, đề cử: " (p.reason) }
                            }
                        } }
                        label { "Nguồn" select name="source" {
                            @for s in Source::ALL { option value=(s.code()) { (s.label()) } }
                        } }
                        label { "Người đề cử (khi đại hội đề cử)" select name="nominator" {
                            option value="" { "— Không ghi —" }
                            @for p in &d.nominators { option value=(p.id) { (p.full_name) " (" (p.birth_date.map(|b| b.to_string()).unwrap_or_default()) ")" } }
                            @for p in &d.ineligible {
                                option value=(p.person.id) disabled { (p.person.full_name) " (" (p.person.birth_date.map(|b| b.to_string()).unwrap_or_default()) ") — không được ứng cử, đề cử: " (p.reason) }
                            }
                        } }
                        @if !d.ineligible.is_empty() {
                            p.muted.wide { "Đảng viên dự bị, đang bị đình chỉ sinh hoạt đảng, hoặc đang bị khởi tố, truy tố, tạm giam không được ứng cử, đề cử (Điều 30 Quy chế bầu cử trong Đảng)." }
                        }
                        div.actions.wide { button type="submit" { "Thêm vào danh sách" } }
                    }
                }
            }
        }
        @if decide && !requested.is_empty() {
            section.card {
                h2 { "Đại hội quyết định việc xin rút" }
                @for c in &requested {
                    form.inline method="post" action=(action("withdrawal-decision")) {
                        (csrf(&current)) input type="hidden" name="candidate" value=(c.id);
                        span { (c.full_name) }
                        button.small name="accepted" value="1" type="submit" { "Đồng ý cho rút" }
                        button.small name="accepted" value="0" type="submit" { "Không đồng ý" }
                    }
                }
            }
        }
        @if decide && (!pending.is_empty() || d.introduction_poll_among.is_some()) {
            section.card {
                @if let Some(members) = d.introduction_poll_among {
                    h2 { "Lấy phiếu giới thiệu bí thư trong Ban Chấp hành mới" }
                    p.muted {
                        "Đại hội bầu trực tiếp bí thư sau khi lấy phiếu giới thiệu trong Ban Chấp hành mới ("
                        (members) " ủy viên). Ghi số ủy viên tham gia và số phiếu giới thiệu mỗi người ngoài danh sách cấp ủy giới thiệu "
                        "(nếu có); danh sách chỉ được thông qua sau khi đã ghi phiếu giới thiệu."
                    }
                } @else {
                    h2 { "Lấy phiếu xin ý kiến về người được đề cử, ứng cử" }
                    p.muted { "Người ngoài danh sách cấp ủy giới thiệu chỉ được đưa vào danh sách bầu cử khi có trên 30% số đại biểu (đảng viên) có mặt đồng ý." }
                }
                form.grid method="post" action=(action("poll")) {
                    (csrf(&current))
                    @let present = d.introduction_poll_among.or(d.present);
                    label { "Số có mặt khi lấy phiếu" input name="present" inputmode="numeric" value=(present.map(|p| p.to_string()).unwrap_or_default()) required; }
                    @if let Some(g) = d.poll_gate { p.wide { "Lần ghi trước: cần ít nhất " strong { (g) } " phiếu đồng ý." } }
                    @for c in &pending {
                        label { "Số đồng ý: " (c.full_name) input name={ "agree_" (c.id) } inputmode="numeric" value=(c.poll_agree.map(|a| a.to_string()).unwrap_or_default()) required; }
                    }
                    p.muted.wide { "Nhập tổng số khi phiếu được lấy ở nơi khác (kết quả ghi là nhập tổng số)." }
                    div.actions.wide { button.primary type="submit" { "Ghi kết quả lấy phiếu" } }
                }
                @if run && !poll_open {
                    form.grid method="post" action=(action("poll-rounds")) {
                        (csrf(&current))
                        h3.wide { "Kiểm phiếu xin ý kiến bằng máy" }
                        p.muted.wide {
                            "Phiếu xin ý kiến (Đồng ý / Không đồng ý với từng người ngoài danh sách cấp ủy giới thiệu) được phát, thu "
                            "và giao từng chồng cho các tổ kiểm phiếu nhập như phiếu bầu; khi kết thúc, số đồng ý của từng người "
                            "được ghi vào danh sách và áp dụng ngưỡng trên 30% số có mặt."
                        }
                        label { "Mỗi chồng phiếu được nhập" select name="entries_per_stack" {
                            option value="2" selected { "2 lần độc lập (đối chiếu)" }
                            option value="1" { "1 lần (ban kiểm phiếu quyết định)" }
                        } }
                        div.actions.wide { button type="submit" { "Kiểm phiếu xin ý kiến bằng máy" } }
                    }
                }
            }
        }
        @if decide && !tied.is_empty() {
            section.card {
                h2 { "Bằng phiếu ở giới hạn số dư" }
                p { "Còn " (d.poll_tie_seats.unwrap_or(0)) " chỗ; đại hội chọn người được đưa vào danh sách:" }
                form method="post" action=(action("poll-tie")) {
                    (csrf(&current))
                    @for c in &tied { label.check { input type="checkbox" name="chosen" value=(c.id); (c.full_name) " (" (c.poll_agree.unwrap_or(0)) " đồng ý)" } }
                    button type="submit" { "Ghi quyết định của đại hội" }
                }
            }
        }
        @if decide {
            section.card {
                h2 { "Biểu quyết thông qua danh sách bầu cử" }
                @if d.blockers.is_empty() {
                    form.grid method="post" action=(action("approval")) {
                        (csrf(&current))
                        p.wide { "Số có mặt: " strong { (d.present.map(|p| p.to_string()).unwrap_or_else(|| "chưa điểm danh".into())) } }
                        label { "Tán thành" input name="in_favour" inputmode="numeric" required; }
                        label { "Không tán thành" input name="against" inputmode="numeric" value="0" required; }
                        div.actions.wide { button.primary type="submit" { "Ghi kết quả biểu quyết" } }
                    }
                } @else {
                    p { "Chưa thể biểu quyết:" }
                    ul { @for b in &d.blockers { li { (b) } } }
                }
            }
        }
    };
    layout(&e.title(), Some(&current), "/elections", &notice, content).into_response()
}

#[derive(Debug, Deserialize)]
pub struct CandidateForm {
    person: i64,
    source: String,
    /// The member who nominated from the floor; empty when not recorded.
    #[serde(default)]
    nominator: String,
}

pub async fn candidate_add(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
    Form(f): Form<CandidateForm>,
) -> Response {
    let to = format!("/elections/{id}");
    let Some(source) = Source::from_code(&f.source) else {
        return back(&to, Err(AppError::invalid("source", "Chọn nguồn giới thiệu.")));
    };
    let nominator = match f.nominator.trim() {
        "" => None,
        text => match text.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                return back(&to, Err(AppError::invalid("nominator", "Chọn người đề cử trong danh sách.")));
            }
        },
    };
    let r = state.app.put_forward(&current.session.actor, id, f.person, source, nominator).await;
    back(&to, r.map(|_| "Đã thêm.".into()))
}

#[derive(Debug, Deserialize)]
pub struct RemovalForm {
    candidate: i64,
    #[serde(default)]
    reason: String,
}

pub async fn removal(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
    Form(f): Form<RemovalForm>,
) -> Response {
    let r = state.app.remove_from_list(&current.session.actor, id, f.candidate, &f.reason).await;
    back(
        &format!("/elections/{id}"),
        r.map(|()| "Đã đưa tên ra khỏi danh sách; lý do đã được ghi vào nhật ký.".into()),
    )
}

#[derive(Debug, Deserialize)]
pub struct CandidateRef {
    candidate: i64,
    #[serde(default)]
    accepted: Option<String>,
    #[serde(default)]
    up: Option<String>,
}

pub async fn withdrawal_request(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
    Form(f): Form<CandidateRef>,
) -> Response {
    let r = state.app.request_withdrawal(&current.session.actor, id, f.candidate).await;
    back(&format!("/elections/{id}"), r.map(|()| "Đã ghi đơn xin rút; chờ đại hội quyết định.".into()))
}

pub async fn withdrawal_decision(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
    Form(f): Form<CandidateRef>,
) -> Response {
    // The congress's decision: both answers are explicit; a missing or unknown one decides nothing.
    let accepted = match f.accepted.as_deref() {
        Some("1") => true,
        Some("0") => false,
        _ => {
            return app_error(AppError::invalid(
                "accepted",
                "Chưa chọn quyết định của đại hội về đơn xin rút.",
            ));
        }
    };
    let r = state.app.decide_withdrawal(&current.session.actor, id, f.candidate, accepted).await;
    back(&format!("/elections/{id}"), r.map(|()| "Đã ghi quyết định của đại hội.".into()))
}

pub async fn move_on_ballot(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
    Form(f): Form<CandidateRef>,
) -> Response {
    let up = f.up.as_deref() == Some("1");
    let r = state.app.move_on_ballot(&current.session.actor, id, f.candidate, up).await;
    back(&format!("/elections/{id}"), r.map(|()| "Đã đổi thứ tự.".into()))
}

pub async fn order_reset(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
) -> Response {
    let r = state.app.reset_ballot_order(&current.session.actor, id).await;
    back(&format!("/elections/{id}"), r.map(|()| "Đã xếp lại theo vần chữ cái.".into()))
}

fn parse_count(field: &str, text: Option<&String>) -> Result<u32, AppError> {
    let t = text.map(|s| s.trim()).unwrap_or("");
    t.parse::<u32>().map_err(|_| AppError::invalid(field, format!("\"{t}\" không phải là số hợp lệ.")))
}

pub async fn poll(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let to = format!("/elections/{id}");
    let map: BTreeMap<String, String> = f.into_iter().collect();
    let present = match parse_count("present", map.get("present")) {
        Ok(p) => p,
        Err(e) => return back(&to, Err(e)),
    };
    let mut agrees = Vec::new();
    for (k, v) in &map {
        if let Some(cid) = k.strip_prefix("agree_").and_then(|c| c.parse::<i64>().ok()) {
            match parse_count(k, Some(v)) {
                Ok(a) => agrees.push((cid, a)),
                Err(e) => return back(&to, Err(e)),
            }
        }
    }
    let r = state.app.record_poll(&current.session.actor, id, present, agrees).await;
    back(&to, r.map(|()| "Đã ghi kết quả lấy phiếu xin ý kiến.".into()))
}

pub async fn poll_tie(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let chosen: Vec<i64> =
        f.iter().filter(|(k, _)| k == "chosen").filter_map(|(_, v)| v.parse().ok()).collect();
    let r = state.app.decide_poll_tie(&current.session.actor, id, chosen).await;
    back(&format!("/elections/{id}"), r.map(|()| "Đã ghi quyết định của đại hội.".into()))
}

#[derive(Debug, Deserialize)]
pub struct ApprovalForm {
    in_favour: String,
    against: String,
}

pub async fn approval(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
    Form(f): Form<ApprovalForm>,
) -> Response {
    let to = format!("/elections/{id}");
    let (yes, no) =
        match (parse_count("in_favour", Some(&f.in_favour)), parse_count("against", Some(&f.against))) {
            (Ok(y), Ok(n)) => (y, n),
            (Err(e), _) | (_, Err(e)) => return back(&to, Err(e)),
        };
    match state.app.approve_list(&current.session.actor, id, yes, no).await {
        Ok(true) => back(&to, Ok("Danh sách bầu cử đã được thông qua.".into())),
        Ok(false) => back(
            &to,
            Err(AppError::Conflict(
                "Danh sách chưa được thông qua: số tán thành chưa quá một nửa số có mặt.".into(),
            )),
        ),
        Err(e) => back(&to, Err(e)),
    }
}
