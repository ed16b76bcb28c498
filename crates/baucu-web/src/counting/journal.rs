//! The journal of a round: every action on its stacks and entries in one Vietnamese sentence, with
//! who did it and when (local time). The readings of a stack not yet reconciled are shown to the
//! board head only.

use crate::AppState;
use crate::guard::Current;
use crate::pages::{Notice, app_error, layout as layout_page};
use axum::Extension;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use maud::html;

pub async fn journal_page(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
) -> Response {
    let actor = &current.session.actor;
    let journal = match state.app.readable_journal(actor, id).await {
        Ok(j) => j,
        Err(e) => return app_error(e),
    };
    let content = html! {
        p {
            a href={ "/rounds/" (id) } { "Về lần bầu" } " · "
            a href={ "/rounds/" (id) "/files/nhat-ky.pdf" } { "Tải nhật ký (PDF)" }
        }
        table.list.journal {
            thead { tr { th { "Thời gian (" (journal.zone) ")" } th { "Người thực hiện" } th { "Việc đã làm" } } }
            tbody { @for l in &journal.lines { tr {
                td { (l.at) }
                td { (l.actor) }
                td { (l.sentence) }
            } } }
        }
    };
    layout_page(
        &format!("Nhật ký nhập phiếu — {}", journal.title),
        Some(&current),
        "/elections",
        &Notice::default(),
        content,
    )
    .into_response()
}
