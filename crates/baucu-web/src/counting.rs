//! The counting pages: a round's progress and result, a stack's side-by-side differences, the
//! journal, the operator's entry screen, and the public projector with live updates.

use crate::AppState;
use crate::guard::{CSRF_FIELD, Current};
use crate::pages::{Notice, app_error, layout as layout_page};
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use baucu_app::counting::{Difference, NextDecision, Round, RoundView};
use baucu_app::docs::Paper as baucu_docs_paper;
use baucu_app::{AppError, Permission};
use baucu_rules::ballot::{Ballot, BallotContent, Mark};
use baucu_rules::election::{Layout, Purpose};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::convert::Infallible;

const ENTRY_JS: &str = include_str!("assets/entry.js");
const LIVE_JS: &str = include_str!("assets/live.js");

fn csrf(current: &Current) -> Markup {
    html! { input type="hidden" name=(CSRF_FIELD) value=(current.session.csrf_token); }
}

use crate::pages::back;

/// "83.33" → "83,33 %".
pub fn vn_percent(p: &Value) -> String {
    p.as_str().map(|s| format!("{} %", s.replace('.', ","))).unwrap_or_else(|| "—".into())
}

fn outcome_label(code: &str) -> &'static str {
    match code {
        "elected" => "Trúng cử",
        "alternate" => "Dự khuyết",
        "tied" => "Bằng phiếu",
        _ => "Không trúng cử",
    }
}

fn next_step_label(code: &str) -> &'static str {
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
fn describe(round: &Round, code: Option<&str>) -> Markup {
    let Some(code) = code else { return html! { em { "(không có phiếu)" } } };
    let Ok(ballot) = Ballot::from_code(code) else { return html! { code { (code) } } };
    let flags: Vec<&str> = [
        (ballot.flags.not_issued, "không do ban kiểm phiếu phát ra"),
        (ballot.flags.write_in, "ghi thêm tên"),
        (ballot.flags.signed, "có ký tên"),
    ]
    .into_iter()
    .filter_map(|(on, t)| on.then_some(t))
    .collect();
    html! {
        ol.mini {
            @for (i, name) in round.candidates.iter().enumerate() {
                @match &ballot.content {
                    BallotContent::Strike(struck) => {
                        @if struck.contains(&(i as u32 + 1)) { li { s { (name) } } } @else { li { (name) } }
                    }
                    BallotContent::AgreeDisagree(marks) => {
                        li { (name) " — " (match marks.get(i) { Some(Mark::Agree) => "đồng ý", Some(Mark::Disagree) => "không đồng ý", Some(Mark::Both) => "cả hai ô", _ => "bỏ trống" }) }
                    }
                }
            }
        }
        @if !flags.is_empty() { p.tag { (flags.join(", ")) } }
    }
}

fn result_table(round: &Round, r: &Value) -> Markup {
    html! {
        table.list.result {
            thead { tr { th { "TT" } th { "Họ và tên" } th { "Số phiếu" } th { "% so với số làm căn cứ" } th { "% so với phiếu hợp lệ" } th { "Xếp hạng" } th { "Kết quả" } } }
            tbody { @for c in r["candidates"].as_array().into_iter().flatten() {
                @let outcome = c["outcome"].as_str().unwrap_or("");
                tr class=(outcome) {
                    td.num { (c["position"]) }
                    td { (c["name"].as_str().unwrap_or("")) }
                    td.num { (c["votes"]) }
                    td.num { (vn_percent(&c["percent_of_base"])) }
                    td.num { (vn_percent(&c["percent_of_valid"])) }
                    td.num { (c["rank"]) }
                    td { (outcome_label(outcome)) }
                }
            } }
        }
        p {
            "Số làm căn cứ: " strong { (round.base) } " · trúng cử phải có ít nhất " strong { (round.threshold) } " phiếu · phiếu phát ra "
            (r["ballots"]["issued"]) ", thu vào " (r["ballots"]["returned"]) ", hợp lệ " (r["ballots"]["valid"]) ", không hợp lệ " (r["ballots"]["invalid"])
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Rounds

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

fn progress(current: &Current, v: &RoundView) -> Markup {
    let manage = current.session.actor.role.may(Permission::ManageCounting) && !v.round.closed;
    html! {
        section.card id="progress" {
            h2 { "Tiến độ kiểm phiếu" }
            p.big {
                strong { (v.stacks_accepted) "/" (v.stacks.len()) } " chồng phiếu đã đối chiếu khớp · "
                strong { (v.ballots_agreed) } " phiếu đã kiểm"
                @if let Some(i) = v.round.issued { " · phát ra " strong { (i) } }
            }
            table.list {
                thead { tr { th { "Chồng phiếu" } th { "Người nhập và số phiếu đã nhập" } th { "Tình trạng" } th {} } }
                tbody { @for s in &v.stacks {
                    tr class=(s.status) {
                        td { (s.name) }
                        td { @for e in &s.entries {
                            span.entry { (e.operator) ": " strong { (e.ballots) } @if e.finished { " ✓" } }
                            @if manage && e.finished && s.status != "accepted" {
                                form.inline method="post" action={ "/entries/" (e.id) "/reopen" } {
                                    (csrf(current)) button.small type="submit" { "Mở lại" }
                                }
                            }
                        } }
                        td { (match s.status.as_str() { "accepted" => "Khớp", "mismatch" => "Có chênh lệch", _ => "Đang nhập" }) }
                        td { @if s.status == "mismatch" { a.button href={ "/stacks/" (s.id) } { "Đối chiếu " (s.differences.iter().filter(|d| d.resolved.is_none()).count()) " phiếu" } } }
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
    let content = html! {
        section.card {
            p {
                "Số lượng bầu: " strong { (r.seats) } @if r.alternate_seats > 0 { " (và " (r.alternate_seats) " dự khuyết)" }
                " · Danh sách " strong { (r.candidates.len()) } " người · Phiếu: " (baucu_rules::messages::layout(r.layout))
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
                label { "Khổ giấy" select name="paper" { option value="a4" { "A4" } option value="a5" { "A5" } } }
                button type="submit" { "Tải phiếu bầu (PDF)" }
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
        (progress(&current, &v))
        @if manage {
            div.columns {
                form.card.grid method="post" action={ "/rounds/" (r.id) "/issued" } {
                    h2.wide { "Số phiếu phát ra" }
                    (csrf(&current))
                    label { "Số phiếu ban kiểm phiếu đã phát" input name="issued" inputmode="numeric" value=(r.issued.map(|i| i.to_string()).unwrap_or_default()) required; }
                    div.actions.wide { button type="submit" { "Ghi" } }
                }
                form.card.grid method="post" action={ "/rounds/" (r.id) "/stacks" } {
                    h2.wide { "Giao một chồng phiếu" }
                    (csrf(&current))
                    label { "Tên chồng" input name="name" value={ "Chồng " (v.stacks.len() + 1) } required; }
                    @for slot in 0..needed {
                        label { "Người nhập lần " (slot + 1) select name="operator" required {
                            @for (i, (uid, name)) in v.operators.iter().enumerate() { option value=(uid) selected[i == slot] { (name) } }
                        } }
                    }
                    div.actions.wide { button.primary type="submit" { "Giao chồng phiếu" } }
                }
            }
            form.card method="post" action={ "/rounds/" (r.id) "/close" } {
                (csrf(&current))
                p { "Khi mọi chồng phiếu đã khớp và đã ghi số phiếu phát ra, kết thúc kiểm phiếu để tính kết quả." }
                button.primary type="submit" { "Kết thúc kiểm phiếu, tính kết quả" }
            }
        }
        @if let Some(result) = &r.result {
            section.card {
                h2 { "Kết quả" }
                (result_table(r, result))
                @let step = result["next_step"].as_str().unwrap_or("complete");
                p class={ "notice " (if step == "complete" { "ok" } else { "warn" }) } { (next_step_label(step)) }
                @if let Some(d) = &r.decision { p { "Quyết định của đoàn chủ tịch: " code { (d["decision"].as_str().unwrap_or("")) } } }
                @if run && r.decision.is_none() && step != "complete" {
                    div.columns {
                        @if step == "tie_break" {
                            form method="post" action={ "/rounds/" (r.id) "/decide" } {
                                (csrf(&current)) input type="hidden" name="decision" value="tie_break";
                                button.primary type="submit" { "Bầu lại giữa những người bằng phiếu" }
                            }
                        }
                        @if step == "further_round" || step == "alternate_round" {
                            @let alternates = step == "alternate_round";
                            @let unfilled = if alternates { &result["alternate_seats_unfilled"] } else { &result["seats_unfilled"] };
                            form.grid method="post" action={ "/rounds/" (r.id) "/decide" } {
                                (csrf(&current))
                                input type="hidden" name="decision" value=(if alternates { "alternate_round" } else { "further_round" });
                                label { "Số lượng bầu tiếp" input name="seats" inputmode="numeric" value=(unfilled) required; }
                                fieldset.wide.checks { legend { "Danh sách bầu tiếp (mặc định: những người chưa trúng cử)" }
                                    @for (pid, name) in &v.not_elected { label.check { input type="checkbox" name="person" value=(pid) checked; (name) } }
                                }
                                div.actions.wide { button.primary type="submit" { (if alternates { "Bầu đại biểu dự khuyết" } else { "Bầu tiếp" }) } }
                            }
                        }
                        form method="post" action={ "/rounds/" (r.id) "/decide" } {
                            (csrf(&current)) input type="hidden" name="decision" value="stop";
                            button type="submit" { "Dừng, không bầu tiếp" }
                        }
                    }
                }
                @if run && !r.published {
                    form method="post" action={ "/rounds/" (r.id) "/publish" } {
                        (csrf(&current)) button.primary type="submit" { "Công bố kết quả lên màn chiếu" }
                    }
                }
                @if r.published { p.notice.ok { "Đã công bố. " a href="/results" { "Mở màn chiếu" } } }
            }
        }
        script src="/static/live.js" data-events={ "/rounds/" (r.id) "/events" } data-target="progress" {}
    };
    layout_page(&r.title(), Some(&current), "/elections", &notice, content).into_response()
}

pub async fn round_events(State(state): State<AppState>, Path(id): Path<i64>) -> impl IntoResponse {
    events(state, move |e| e.round_id == id)
}

pub async fn results_events(State(state): State<AppState>) -> impl IntoResponse {
    events(state, |e| e.published)
}

fn events(
    state: AppState,
    keep: impl Fn(&baucu_app::counting::Event) -> bool + Send + 'static,
) -> Sse<impl futures_util::Stream<Item = Result<SseEvent, Infallible>>> {
    let rx = state.app.subscribe();
    let stream = futures_util::stream::unfold((rx, keep), |(mut rx, keep)| async move {
        loop {
            match rx.recv().await {
                Ok(e) if keep(&e) => {
                    return Some((Ok(SseEvent::default().data(e.round_id.to_string())), (rx, keep)));
                }
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

#[derive(Debug, Deserialize)]
pub struct IssuedForm {
    issued: String,
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
    back(
        &to,
        state.app.set_issued(&current.session.actor, id, n).await.map(|()| "Đã ghi số phiếu phát ra.".into()),
    )
}

pub async fn stack_create(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let name = f.iter().find(|(k, _)| k == "name").map(|(_, v)| v.clone()).unwrap_or_default();
    let operators: Vec<i64> =
        f.iter().filter(|(k, _)| k == "operator").filter_map(|(_, v)| v.parse().ok()).collect();
    let r = state.app.create_stack(&current.session.actor, id, &name, operators).await;
    back(&format!("/rounds/{id}"), r.map(|_| format!("Đã giao {}.", name.trim())))
}

pub async fn close(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
) -> Response {
    let r = state.app.close_round(&current.session.actor, id).await;
    back(&format!("/rounds/{id}"), r.map(|_| "Đã kết thúc kiểm phiếu; kết quả do bộ quy tắc tính.".into()))
}

pub async fn decide(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let get = |k: &str| f.iter().find(|(x, _)| x == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let persons: Vec<i64> =
        f.iter().filter(|(k, _)| k == "person").filter_map(|(_, v)| v.parse().ok()).collect();
    let seats = get("seats").trim().parse::<u32>().unwrap_or(0);
    let decision = match get("decision").as_str() {
        "tie_break" => NextDecision::TieBreak,
        "further_round" => NextDecision::FurtherRound { seats, person_ids: persons },
        "alternate_round" => NextDecision::AlternateRound { seats, person_ids: persons },
        _ => NextDecision::Stop,
    };
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
) -> Response {
    let r = state.app.publish(&current.session.actor, id).await;
    back(&format!("/rounds/{id}"), r.map(|()| "Đã công bố kết quả.".into()))
}

pub async fn journal_page(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
) -> Response {
    let actor = &current.session.actor;
    let (v, rows) = match (state.app.round(actor, id).await, state.app.journal(actor, id).await) {
        (Ok(v), Ok(rows)) => (v, rows),
        (Err(e), _) | (_, Err(e)) => return app_error(e),
    };
    let stack_names: BTreeMap<i64, String> = v.stacks.iter().map(|s| (s.id, s.name.clone())).collect();
    let content = html! {
        table.list {
            thead { tr { th { "Thời gian (UTC)" } th { "Người" } th { "Việc" } th { "Chồng" } th { "Lượt" } th { "Phiếu số" } th { "Nội dung" } } }
            tbody { @for j in &rows { tr {
                td { (j.at.get(..19).unwrap_or(&j.at).replace('T', " ")) }
                td { (j.actor) }
                td { (j.kind) }
                td { (j.stack_id.and_then(|s| stack_names.get(&s).cloned()).unwrap_or_default()) }
                td { (j.entry_id.map(|e| e.to_string()).unwrap_or_default()) }
                td.num { (j.seq.map(|s| s.to_string()).unwrap_or_default()) }
                td { code { (j.detail) } }
            } } }
        }
    };
    layout_page(
        &format!("Nhật ký nhập phiếu — {}", v.round.title()),
        Some(&current),
        "/elections",
        &Notice::default(),
        content,
    )
    .into_response()
}

/// A file to download, named for the user's disk.
pub fn file_response(content_type: &str, file_name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file_name}\"")),
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
            let copies = q.copies.as_deref().and_then(|c| c.trim().parse().ok()).unwrap_or(1);
            let paper =
                if q.paper.as_deref() == Some("a5") { baucu_docs_paper::A5 } else { baucu_docs_paper::A4 };
            state.app.ballots_pdf(actor, id, paper, copies).await
        }
        "bien-ban.pdf" => state.app.minutes(actor, id, "pdf").await,
        "bien-ban.docx" => state.app.minutes(actor, id, "docx").await,
        "ket-qua.xlsx" => state.app.minutes(actor, id, "xlsx").await,
        "nhat-ky.pdf" => state.app.journal_pdf(actor, id).await,
        _ => Err(AppError::NotFound("tài liệu này")),
    };
    match download {
        Ok(d) => file_response(d.content_type, &d.file_name, d.bytes),
        Err(e) => app_error(e),
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

// ---------------------------------------------------------------------------------------------
// Reconciliation

pub async fn stack_page(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
    Query(notice): Query<Notice>,
) -> Response {
    let actor = &current.session.actor;
    let round_id = match state.app.round_of_stack(actor, id).await {
        Ok(r) => r,
        Err(e) => return app_error(e),
    };
    let v = match state.app.round(actor, round_id).await {
        Ok(v) => v,
        Err(e) => return app_error(e),
    };
    let Some(stack) = v.stacks.iter().find(|s| s.id == id) else {
        return app_error(AppError::NotFound("chồng phiếu"));
    };
    let manage = actor.role.may(Permission::ManageCounting);
    let open: Vec<&Difference> = stack.differences.iter().filter(|d| d.resolved.is_none()).collect();
    let content = html! {
        p { "Các lượt nhập độc lập của chồng phiếu này khác nhau ở " strong { (open.len()) } " phiếu. Ban kiểm phiếu xem lại phiếu giấy theo thứ tự trong chồng rồi ghi cách đọc đúng." }
        @for d in &open {
            section.card.diff id={ "seq-" (d.seq) } {
                h2 { "Phiếu thứ " (d.seq) " trong chồng" }
                div.side {
                    @for (i, reading) in d.readings.iter().enumerate() {
                        div.reading {
                            h3 { "Lần nhập " (i + 1) ": " (stack.entries.get(i).map(|e| e.operator.as_str()).unwrap_or("")) }
                            (describe(&v.round, reading.as_deref()))
                            @if manage {
                                form method="post" action={ "/stacks/" (id) "/resolve" } {
                                    (csrf(&current))
                                    input type="hidden" name="seq" value=(d.seq);
                                    input type="hidden" name="code" value=(reading.clone().unwrap_or_default());
                                    input type="hidden" name="absent" value=(if reading.is_none() { "1" } else { "0" });
                                    button.primary type="submit" { "Phiếu giấy đúng như lần nhập " (i + 1) }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if open.is_empty() { p.notice.ok { "Không còn chênh lệch." } }
        p { a href={ "/rounds/" (v.round.id) } { "Về lần bầu" } }
    };
    layout_page(
        &format!("Đối chiếu {} — {}", stack.name, v.round.title()),
        Some(&current),
        "/elections",
        &notice,
        content,
    )
    .into_response()
}

#[derive(Debug, Deserialize)]
pub struct ResolveForm {
    seq: i64,
    #[serde(default)]
    code: String,
    #[serde(default)]
    absent: String,
}

pub async fn resolve(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
    Form(f): Form<ResolveForm>,
) -> Response {
    let code = if f.absent == "1" { None } else { Some(f.code) };
    match state.app.resolve(&current.session.actor, id, f.seq, code).await {
        Ok(status) if status == "accepted" => {
            let round = state.app.round_of_stack(&current.session.actor, id).await.unwrap_or(0);
            back(
                &format!("/rounds/{round}"),
                Ok("Chồng phiếu đã khớp sau khi ban kiểm phiếu quyết định.".into()),
            )
        }
        Ok(_) => back(&format!("/stacks/{id}"), Ok(format!("Đã ghi cách đọc phiếu thứ {}.", f.seq))),
        Err(e) => back(&format!("/stacks/{id}"), Err(e)),
    }
}

pub async fn reopen(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
) -> Response {
    let r = state.app.reopen_entry(&current.session.actor, id).await;
    back("/elections", r.map(|()| "Đã mở lại lượt nhập.".into()))
}

// ---------------------------------------------------------------------------------------------
// Entry

pub async fn my_entries(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Query(notice): Query<Notice>,
) -> Response {
    let entries = match state.app.my_entries(&current.session.actor).await {
        Ok(e) => e,
        Err(e) => return app_error(e),
    };
    let content = html! {
        @if entries.is_empty() { p.card { "Chưa có chồng phiếu nào được giao cho bạn." } }
        ul.entries { @for (e, stack, round) in &entries {
            li { a.button href={ "/entry/" (e.id) } { (round) " — " (stack) " (lần nhập " (e.slot) ")" } " " (e.ballots) " phiếu" @if e.finished { " · đã xong" } }
        } }
    };
    layout_page("Nhập phiếu", Some(&current), "/entry", &notice, content).into_response()
}

pub async fn entry_page(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
) -> Response {
    let v = match state.app.entry(&current.session.actor, id).await {
        Ok(v) => v,
        Err(e) => return app_error(e),
    };
    let r = &v.round;
    let keys = r.keys();
    let agree = r.layout == Layout::AgreeDisagree;
    let content = html! {
        div #entry.entry-screen
            data-entry=(v.entry.id) data-csrf=(current.session.csrf_token) data-layout=(r.layout.code())
            data-keys=(keys.as_ref().map(|k| k.iter().collect::<String>()).unwrap_or_default()) data-size=(r.candidates.len())
            data-finished=(v.entry.finished) data-count=(v.ballots.len()) {
            div.list-panel {
                p.muted { "Chồng " strong { (v.stack_name) } " · lần nhập " (v.entry.slot) " · bầu " (r.seats) " trong " (r.candidates.len()) " người" }
                ol.entry-list { @for (i, name) in r.candidates.iter().enumerate() {
                    li data-pos=(i + 1) {
                        kbd { (keys.as_ref().and_then(|k| k.get(i)).map(|c| c.to_uppercase().to_string()).unwrap_or_else(|| (i + 1).to_string())) }
                        span.name { (name) }
                        @if agree { span.mark { "đồng ý" } }
                    }
                } }
                p.help {
                    @if agree { "Gõ phím của dòng để đổi dấu: không đồng ý → cả hai ô → bỏ trống → đồng ý. " }
                    @else { "Gõ phím của mỗi tên bị gạch. " }
                    kbd { "Enter" } " ghi phiếu (không gõ gì rồi Enter: phiếu không gạch tên nào). "
                    kbd { "F2" } " không do BKP phát · " kbd { "F3" } " ghi thêm tên · " kbd { "F4" } " có ký tên · "
                    kbd { "⌫" } " bỏ dấu vừa gõ · " kbd { "Esc" } " làm lại phiếu · " kbd { "Ctrl+Z" } " xóa phiếu vừa ghi"
                }
            }
            div.status-panel {
                p.counter { span #count { (v.ballots.len()) } " phiếu đã nhập" }
                div #verdict.verdict { "Phiếu đang nhập" }
                div #flags {}
                p #pending.muted {}
                p.muted { "Phiếu vừa ghi (bấm vào một phiếu để sửa):" }
                ul #recent.recent { @for b in v.ballots.iter().rev().take(8) {
                    li data-seq=(b.seq) data-code=(b.code) data-valid=(b.valid) data-reason=(b.reason.clone().unwrap_or_default()) { "Phiếu " (b.seq) }
                } }
                div.actions {
                    button #undo type="button" { "Xóa phiếu vừa ghi" }
                    button #finish.primary type="button" { "Đã nhập hết chồng phiếu" }
                }
            }
        }
        script src="/static/entry.js" {}
    };
    layout_page(&format!("Nhập phiếu — {}", r.title()), Some(&current), "/entry", &Notice::default(), content)
        .into_response()
}

pub async fn entry_script() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], ENTRY_JS).into_response()
}

pub async fn live_script() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], LIVE_JS).into_response()
}

// ---------------------------------------------------------------------------------------------
// Projector

fn results_markup(rounds: &[Round]) -> Markup {
    html! {
        @if rounds.is_empty() { p.waiting { "Chưa có kết quả nào được công bố." } }
        @for r in rounds.iter().take(2) {
            @if let Some(result) = &r.result {
                section.projected {
                    h2 { (r.title()) }
                    p.basis { "Số làm căn cứ " strong { (r.base) } " · Trúng cử phải có ít nhất " strong { (r.threshold) } " phiếu · Phiếu hợp lệ " strong { (result["ballots"]["valid"]) } }
                    table.projector {
                        thead { tr { th { "Họ và tên" } th { "Số phiếu" } th { "Tỷ lệ (so với số làm căn cứ)" } th {} } }
                        tbody { @for c in result["candidates"].as_array().into_iter().flatten() {
                            @let outcome = c["outcome"].as_str().unwrap_or("");
                            tr class=(outcome) {
                                td { (c["name"].as_str().unwrap_or("")) }
                                td.num { (c["votes"]) }
                                td.num { (vn_percent(&c["percent_of_base"])) }
                                td { (outcome_label(outcome)) }
                            }
                        } }
                    }
                }
            }
        }
    }
}

pub async fn results_fragment(State(state): State<AppState>) -> Response {
    match state.app.published_results().await {
        Ok(rounds) => results_markup(&rounds).into_response(),
        Err(e) => app_error(e),
    }
}

pub async fn results_page(State(state): State<AppState>) -> Response {
    let rounds = match state.app.published_results().await {
        Ok(r) => r,
        Err(e) => return app_error(e),
    };
    let congress = state.app.congress().await.ok().flatten().map(|c| c.name).unwrap_or_default();
    let page = html! {
        (maud::DOCTYPE)
        html lang="vi" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Kết quả bầu cử — baucu" }
                link rel="stylesheet" href="/static/style.css";
            }
            body.projector-page {
                header.projector-head { h1 { (congress) } p { "Kết quả bầu cử" } }
                main #results { (results_markup(&rounds)) }
                script src="/static/live.js" data-events="/results/events" data-target="results" data-fragment="/results/fragment" {}
            }
        }
    };
    page.into_response()
}
