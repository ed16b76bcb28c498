//! The journal of a round: every action on its stacks and entries, with who did it and when.

use crate::AppState;
use crate::guard::Current;
use crate::pages::{Notice, app_error, layout as layout_page};
use axum::Extension;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use maud::html;
use std::collections::BTreeMap;

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
