//! The operator's side: the stacks handed to them and the keyboard entry screen with its script.

use crate::AppState;
use crate::guard::Current;
use crate::pages::{Notice, app_error, layout as layout_page};
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use baucu_app::view::Layout;
use maud::html;

const ENTRY_JS: &str = include_str!("../assets/entry.js");

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
                p.muted { strong { (v.stack_name) } " · lần nhập " (v.entry.slot) " · bầu " (r.seats) " trong " (r.candidates.len()) " người" }
                ol.entry-list { @for (i, name) in r.candidates.iter().enumerate() {
                    @let key = keys.as_ref().and_then(|k| k.get(i)).map(|c| c.to_uppercase().to_string()).unwrap_or_else(|| (i + 1).to_string());
                    li data-pos=(i + 1) data-key=(key) {
                        kbd.key title={ "Phím " (key) } { (key) }
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
                div #verdict.verdict { "Đang tải màn hình nhập, chờ một chút…" }
                p #ime.ime-warning hidden {
                    "Bộ gõ tiếng Việt (Unikey, EVKey) đang bật. Màn hình đọc phím theo vị trí trên bàn phím, không theo chữ bộ gõ ghép; "
                    "để chắc chắn, hãy tắt bộ gõ (Ctrl+Shift hoặc Alt+Z) khi nhập phiếu."
                }
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
