//! Reconciling a stack: the side-by-side readings of the ballots its entries differ on, the board's
//! decision on each, and reopening an entry.

use super::describe;
use crate::AppState;
use crate::guard::Current;
use crate::pages::csrf;
use crate::pages::{Notice, app_error, back, layout as layout_page};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use baucu_app::counting::{Difference, DifferenceKind, StackStatus};
use baucu_app::{AppError, Permission};
use maud::html;
use serde::Deserialize;

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
        // The stack's paper count against each entry's: a skipped or doubled paper shows here first.
        table.list.counts {
            thead { tr { th { "Số tờ" } th { "Số phiếu đã nhập" } } }
            tbody {
                tr { td { "Chồng phiếu (ban kiểm phiếu đếm khi giao)" } td.num data-papers=(stack.papers.map(|p| p.to_string()).unwrap_or_default()) { (stack.papers.map(|p| p.to_string()).unwrap_or_else(|| "—".into())) } }
                @for e in &stack.entries {
                    tr.entry-count data-slot=(e.slot) data-ballots=(e.ballots) {
                        td { "Lần nhập " (e.slot) ": " (e.operator) }
                        td.num {
                            (e.ballots)
                            @if let Some(p) = stack.papers.filter(|&p| p != e.ballots) {
                                @if e.ballots < p { " (thiếu " (p - e.ballots) ")" } @else { " (thừa " (e.ballots - p) ")" }
                            }
                        }
                    }
                }
            }
        }
        p { "Các lượt nhập độc lập của chồng phiếu này khác nhau ở " strong { (open.len()) } " vị trí. Các lượt nhập đã được so khớp theo thứ tự: một tờ bị bỏ sót hoặc gõ hai lần chỉ là một chênh lệch, các phiếu sau nó vẫn được so đúng tờ. Ban kiểm phiếu xem lại phiếu giấy ở vị trí đó trong chồng rồi ghi cách đọc đúng." }
        @for d in &open {
            section.card.diff id={ "seq-" (d.seq) } data-seq=(d.seq) data-kind=(match d.kind { DifferenceKind::Changed => "changed", DifferenceKind::Missing => "missing" }) {
                h2 { "Phiếu thứ " (d.seq) " trong chồng" }
                p.kind { (kind_text(d)) }
                div.side {
                    @for (i, reading) in d.readings.iter().enumerate() {
                        div.reading {
                            h3 { "Lần nhập " (i + 1) ": " (stack.entries.get(i).map(|e| e.operator.as_str()).unwrap_or("")) }
                            @if let Some(Some(own)) = d.entry_seqs.get(i) { p.small { "phiếu số " (own) " của lượt nhập này" } }
                            (describe(&v.round, reading.as_deref()))
                            @if manage {
                                form method="post" action={ "/stacks/" (id) "/resolve" } {
                                    (csrf(&current))
                                    input type="hidden" name="seq" value=(d.seq);
                                    input type="hidden" name="code" value=(reading.clone().unwrap_or_default());
                                    input type="hidden" name="absent" value=(if reading.is_none() { "1" } else { "0" });
                                    button.primary type="submit" {
                                        @if reading.is_some() { "Phiếu giấy đúng như lần nhập " (i + 1) }
                                        @else { "Không có tờ phiếu này, đúng như lần nhập " (i + 1) }
                                    }
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

/// What a difference is, in a sentence: which entries have no ballot at this position.
fn kind_text(d: &Difference) -> String {
    let lacking: Vec<String> = d
        .readings
        .iter()
        .zip(&d.entry_seqs)
        .enumerate()
        .filter(|(_, (r, s))| r.is_none() && s.is_none())
        .map(|(i, _)| (i + 1).to_string())
        .collect();
    match d.kind {
        DifferenceKind::Changed => "Các lượt nhập đều có phiếu ở vị trí này nhưng đọc khác nhau.".to_owned(),
        DifferenceKind::Missing if lacking.is_empty() || lacking.len() == d.readings.len() => {
            "Một lượt nhập không có phiếu ở vị trí này (bỏ sót, hoặc lượt khác gõ thừa).".to_owned()
        }
        DifferenceKind::Missing => format!(
            "Lần nhập {} không có phiếu ở vị trí này: bỏ sót một tờ, hoặc lượt nhập khác gõ thừa một phiếu.",
            lacking.join(", ")
        ),
    }
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
        Ok(StackStatus::Accepted) => {
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
