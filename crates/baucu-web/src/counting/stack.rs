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
use baucu_app::counting::{Difference, StackStatus};
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
