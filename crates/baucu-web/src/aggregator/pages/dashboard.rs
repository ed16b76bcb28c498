//! The first page after signing in: the progress of the actor's area with its charts, and what is
//! due soon or late.

use super::congress::today;
use super::{failed, page, svg};
use crate::aggregator::guard::Signed;
use crate::aggregator::{AggState, blocking};
use crate::pages::{Notice, NoticeQuery};
use axum::Extension;
use axum::extract::{Query, State};
use axum::response::Response;
use baucu_aggregator::calendar::Urgency;
use baucu_aggregator::{complaints, report, workflow};
use maud::html;

pub async fn dashboard(
    State(state): State<AggState>,
    Extension(signed): Extension<Signed>,
    Query(q): Query<NoticeQuery>,
) -> Response {
    let (db, actor) = (state.db.clone(), signed.actor.clone());
    let loaded = blocking(move || {
        let day = today();
        let r = report::report(&db, &actor, None, day)?;
        let alerts = workflow::alerts(&db, &actor, day)?;
        let pending = complaints::pending(&db, &actor)?;
        Ok((r, alerts, pending))
    })
    .await;
    let (r, alerts, pending) = match loaded {
        Ok(v) => v,
        Err(e) => return failed(&signed, e),
    };
    let p = &r.totals.progress;
    let share = |s: &report::Share| match s.percent {
        Some(x) => format!("{} ({} %)", s.count, report::vn_percent(x)),
        None => s.count.to_string(),
    };
    let content = html! {
        p { "Phạm vi: " strong { (r.area.name) } }
        div.grid {
            div.card { p.big data-figure="units" { (p.units) } p { "tổ chức đảng" } }
            div.card { p.big data-figure="organised" { (share(&p.organised)) } p { "đã tổ chức đại hội" } }
            div.card { p.big data-figure="reported" { (share(&p.reported_total)) } p { "đã báo cáo kết quả" } }
            div.card { p.big data-figure="approved" { (share(&p.approved_share)) } p { "đã chuẩn y" } }
        }
        h2 { "Việc sắp đến hạn và quá hạn" }
        @if alerts.is_empty() {
            p.muted { "Không có việc nào sắp đến hạn hay quá hạn." }
        } @else {
            table.list.alerts {
                thead { tr { th { "Đơn vị" } th { "Việc" } th { "Hạn" } th { "" } } }
                tbody {
                    @for a in &alerts {
                        tr class=(if a.urgency == Urgency::Overdue { "alert-late" } else { "alert-soon" }) {
                            td { a href={ "/congress/" (a.unit_code) } { (a.unit_name) } }
                            td { (a.label) } td { (a.due_vn) } td { (a.urgency_label) }
                        }
                    }
                }
            }
        }
        @if !pending.is_empty() {
            p { a href="/complaints" { (pending.len()) " khiếu nại đang chờ giải quyết" } }
        }
        h2 { "Biểu đồ" }
        div.charts {
            figure { figcaption { "Tiến độ đại hội" } (svg(&report::charts::progress_svg(&r))) }
            figure { figcaption { "Cơ cấu cấp ủy, ban thường vụ, ủy ban kiểm tra" } (svg(&report::charts::composition_svg(&r))) }
        }
        p { a href="/reports" { "Xem báo cáo đầy đủ" } }
    };
    page("Tổng quan", &signed, "/", &Notice::from(q), content)
}
