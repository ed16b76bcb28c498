//! Complaints: the list of those pending in the area, and on each its verifier and its outcome
//! (logged from the congress page).

use super::congress::{split_target, today};
use super::{back, csrf, failed, page};
use crate::aggregator::guard::Signed;
use crate::aggregator::{AggState, blocking};
use crate::pages::{Notice, NoticeQuery};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::{Extension, Form};
use baucu_aggregator::accounts::Permission;
use baucu_aggregator::calendar;
use baucu_aggregator::complaints::{self, About, ComplaintView, NewComplaint, Outcome};
use maud::{Markup, html};
use serde::Deserialize;

/// The complaints of one congress, or of the area, with the verifier's and the outcome's forms for
/// those who may use them.
pub(crate) fn complaint_table(signed: &Signed, list: &[ComplaintView]) -> Markup {
    let verify = signed.actor.role.may(Permission::VerifyComplaint);
    html! {
        @if list.is_empty() {
            p.muted { "Không có khiếu nại." }
        } @else {
            table.list.complaints {
                thead { tr { th { "Số" } th { "Ngày nhận" } th { "Người khiếu nại" } th { "Về" } th { "Nội dung" } th { "Người xác minh" } th { "Tình trạng" } } }
                tbody {
                    @for c in list {
                        tr data-complaint=(c.id) {
                            td.num { (c.id) }
                            td { (c.received_on_vn) @if c.late { br; span.warn { "quá hạn khiếu nại" } } }
                            td { (c.complainant) }
                            td { (c.about_label) }
                            td { (c.summary) }
                            td {
                                (c.verifier.as_deref().unwrap_or("—"))
                                @if verify && c.pending {
                                    form.inline method="post" action={ "/complaints/" (c.id) "/verifier" } {
                                        (csrf(signed))
                                        input name="verifier" maxlength="200" placeholder="Họ tên người xác minh" required;
                                        button.small type="submit" { "Giao xác minh" }
                                    }
                                }
                            }
                            td {
                                (c.status_label)
                                @if let Some(o) = &c.outcome { br; (o) }
                                @if verify && c.pending {
                                    form.inline method="post" action={ "/complaints/" (c.id) "/outcome" } {
                                        (csrf(signed))
                                        select name="outcome" {
                                            option value="upheld" { "Khiếu nại đúng" }
                                            option value="dismissed" { "Khiếu nại không đúng" }
                                            option value="withdrawn" { "Đã rút khiếu nại" }
                                        }
                                        input type="date" name="closed_on" required;
                                        input name="text" maxlength="4000" placeholder="Kết luận" required;
                                        button.small type="submit" { "Ghi kết quả" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

pub async fn complaints_page(
    State(state): State<AggState>,
    Extension(signed): Extension<Signed>,
    Query(q): Query<NoticeQuery>,
) -> Response {
    let (db, actor) = (state.db.clone(), signed.actor.clone());
    match blocking(move || complaints::pending(&db, &actor)).await {
        Ok(list) => {
            let content = html! {
                p.muted { "Các khiếu nại đang chờ giải quyết trong phạm vi của bạn. Khiếu nại được ghi nhận ở trang đại hội của đơn vị; khiếu nại đang chờ giải quyết chặn việc chuẩn y phần nó liên quan." }
                (complaint_table(&signed, &list))
            };
            page("Khiếu nại", &signed, "/complaints", &Notice::from(q), content)
        }
        Err(e) => failed(&signed, e),
    }
}

#[derive(Debug, Deserialize)]
pub struct ComplaintForm {
    received_on: String,
    complainant: String,
    #[serde(default)]
    about: String,
    summary: String,
}

pub async fn complaint_log(
    State(state): State<AggState>,
    Extension(signed): Extension<Signed>,
    Path(unit): Path<String>,
    Form(f): Form<ComplaintForm>,
) -> Response {
    let (db, actor, unit2) = (state.db.clone(), signed.actor.clone(), unit.clone());
    let result = blocking(move || {
        let received_on = calendar::parse_date("received_on", &f.received_on)?;
        let about = match f.about.trim() {
            "" => About::Congress,
            target => {
                let (body, person) = split_target(target)?;
                About::parse(&body, &person.map(|p| p.to_string()).unwrap_or_default())?
            }
        };
        let new = NewComplaint { received_on, complainant: f.complainant, about, summary: f.summary };
        let logged = complaints::log(&db, &actor, &unit2, new, today())?;
        Ok(if logged.late {
            format!(
                "Đã ghi nhận khiếu nại số {}; khiếu nại nhận sau hạn ({}).",
                logged.id,
                calendar::vn_date(logged.window_ends)
            )
        } else {
            format!("Đã ghi nhận khiếu nại số {}.", logged.id)
        })
    })
    .await;
    back(&format!("/congress/{unit}"), result)
}

#[derive(Debug, Deserialize)]
pub struct VerifierForm {
    verifier: String,
}

pub async fn complaint_verifier(
    State(state): State<AggState>,
    Extension(signed): Extension<Signed>,
    Path(id): Path<i64>,
    Form(f): Form<VerifierForm>,
) -> Response {
    let (db, actor) = (state.db.clone(), signed.actor.clone());
    let result = blocking(move || complaints::assign_verifier(&db, &actor, id, &f.verifier)).await;
    back("/complaints", result.map(|()| format!("Đã giao xác minh khiếu nại số {id}.")))
}

#[derive(Debug, Deserialize)]
pub struct OutcomeForm {
    outcome: String,
    closed_on: String,
    text: String,
}

pub async fn complaint_outcome(
    State(state): State<AggState>,
    Extension(signed): Extension<Signed>,
    Path(id): Path<i64>,
    Form(f): Form<OutcomeForm>,
) -> Response {
    let (db, actor) = (state.db.clone(), signed.actor.clone());
    let result = blocking(move || {
        let outcome = Outcome::parse(&f.outcome)?;
        let closed_on = calendar::parse_date("closed_on", &f.closed_on)?;
        complaints::close(&db, &actor, id, outcome, &f.text, closed_on, today())
    })
    .await;
    back("/complaints", result.map(|()| format!("Đã ghi kết quả giải quyết khiếu nại số {id}.")))
}
