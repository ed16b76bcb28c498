//! "Biểu quyết tại đại hội": the show-of-hands votes of the congress and of each plenum summoned
//! (presidium, secretariat, credentials committee, counting board, seats, the list, withdrawals,
//! other decisions), recorded by the organiser or the presidium at the chosen assembly, and the list
//! of those recorded with the assembly of each.

use super::{Notice, NoticeQuery, app_error, back, csrf, layout};
use crate::AppState;
use crate::guard::Current;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use baucu_app::Permission;
use baucu_app::votes::{Subject, Vote, VoteRequest, VoteRole, parse_assembly};
use maud::{Markup, html};
use serde::Deserialize;

/// The page's query: the assembly chosen (the congress when absent) and the notice.
#[derive(Debug, Default, Deserialize)]
pub struct VotesQuery {
    #[serde(default)]
    assembly: Option<String>,
    #[serde(default)]
    ok: Option<String>,
    #[serde(default)]
    err: Option<String>,
    #[serde(default)]
    sig: Option<String>,
}

fn persons_of(v: &Vote) -> Markup {
    html! {
        @for role in [VoteRole::Head, VoteRole::Member, VoteRole::Technical] {
            @let names: Vec<&str> = v.persons.iter().filter(|p| p.role == role).map(|p| p.name.as_str()).collect();
            @if !names.is_empty() {
                div { (role.label(v.subject)) ": " (names.join(", ")) }
            }
        }
    }
}

pub async fn votes_page(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Query(q): Query<VotesQuery>,
) -> Response {
    let notice = Notice::from(NoticeQuery { ok: q.ok, err: q.err, sig: q.sig });
    let actor = &current.session.actor;
    let which = match parse_assembly(q.assembly.as_deref().unwrap_or_default()) {
        Ok(w) => w,
        Err(e) => return app_error(e),
    };
    let votes = match state.app.votes(actor).await {
        Ok(v) => v,
        Err(e) => return app_error(e),
    };
    let setting = match state.app.vote_setting(actor, which).await {
        Ok(s) => s,
        Err(e) => return app_error(e),
    };
    let elections = state.app.elections(actor).await.unwrap_or_default();
    let title_of = |id: Option<i64>| {
        id.and_then(|id| elections.iter().find(|e| e.id == id)).map(|e| e.title()).unwrap_or_default()
    };
    let zone = state.app.zone();
    let can = actor.role.may(Permission::TakeAttendance);
    let content = html! {
        section.card {
            h2 { "Các biểu quyết đã ghi" }
            @if votes.is_empty() { p { "Chưa ghi biểu quyết nào." } } @else {
                table.list.votes {
                    thead { tr {
                        th { "TT" } th { "Hội nghị" } th { "Nội dung" } th { "Người được bầu" } th { "Có mặt" }
                        th { "Tán thành" } th { "Không tán thành" } th { "Không biểu quyết" } th { "Người ghi, lúc" }
                    } }
                    tbody { @for (i, v) in votes.iter().enumerate() {
                        tr {
                            td.num { (i + 1) }
                            td.small { (v.assembly_label) }
                            td {
                                (v.subject.label())
                                @if v.election_id.is_some() { " — " (title_of(v.election_id)) }
                                @if let Some(n) = v.seats { ": " (n) " người" }
                                @if !v.detail.is_empty() { div.small { (v.detail) } }
                            }
                            td { (persons_of(v)) }
                            td.num { (v.present) }
                            td.num { (v.votes_for) }
                            td.num { (v.votes_against) }
                            td.num { @if let Some(a) = v.abstain { (a) } @else { "—" } }
                            td.small { (v.recorded_by) ", " (zone.show_time(v.recorded_at)) }
                        }
                    } }
                }
            }
            p.muted { "Ban kiểm phiếu ký biên bản kiểm phiếu là ban được bầu ở lần biểu quyết gần nhất về ban kiểm phiếu của hội nghị tiến hành cuộc bầu (hội nghị ban chấp hành chưa bầu ban kiểm phiếu thì dùng ban của đại hội); khi chưa ghi biểu quyết này, biên bản ghi các tài khoản có vai trò ban kiểm phiếu." }
        }
        @if can {
            section.card {
                h2 { "Ghi một biểu quyết" }
                @if setting.assemblies.len() > 1 {
                    form.grid method="get" action="/votes" {
                        label { "Hội nghị biểu quyết"
                            select name="assembly" {
                                @for (code, label) in &setting.assemblies {
                                    option value=(code) selected[*code == setting.assembly.0] { (label) }
                                }
                            }
                        }
                        button type="submit" { "Chọn hội nghị" }
                    }
                }
                p { "Hội nghị biểu quyết: " strong { (setting.assembly.1) } "." }
                @match &setting.sitting {
                    Some((_, name)) => p { "Phiên họp hiện tại: " strong { (name) } " — " strong { (setting.present) } " người có mặt. Tổng số biểu quyết không được vượt quá số này." },
                    None => p { "Chưa có phiên họp: " a href="/attendance" { "tạo phiên họp và điểm danh" } " trước khi ghi biểu quyết." },
                }
                form.grid method="post" action="/votes" {
                    (csrf(&current))
                    input type="hidden" name="assembly" value=(setting.assembly.0);
                    label { "Nội dung biểu quyết"
                        select name="subject" required {
                            option value="" { "— chọn —" }
                            @for s in Subject::ALL { option value=(s.code()) { (s.label()) } }
                        }
                    }
                    label { "Cuộc bầu (số lượng bầu, danh sách, rút tên)"
                        select name="election_id" {
                            option value="" { "— không gắn với cuộc bầu —" }
                            @for e in elections.iter().filter(|e| setting.elections.contains(&e.id)) { option value=(e.id) { (e.title()) } }
                        }
                    }
                    label { "Số lượng bầu được biểu quyết" input name="seats" inputmode="numeric" autocomplete="off"; }
                    label { "Trưởng ban kiểm phiếu"
                        select name="head" {
                            option value="" { "—" }
                            @for (id, name) in &setting.delegates { option value=(id) { (name) } }
                        }
                    }
                    label { "Người được bầu (thành viên; người xin rút) — giữ Ctrl để chọn nhiều người"
                        select name="member" multiple size="8" {
                            @for (id, name) in &setting.delegates { option value=(id) { (name) } }
                        }
                    }
                    label { "Kỹ thuật viên vận hành máy (không phải đại biểu; mỗi dòng một người)"
                        textarea name="technical" rows="3" {}
                    }
                    label { "Nội dung (bắt buộc với vấn đề khác)" input name="detail" maxlength="500"; }
                    div.actions.wide {
                        label { "Tán thành" input name="votes_for" inputmode="numeric" required autocomplete="off"; }
                        label { "Không tán thành" input name="votes_against" inputmode="numeric" required autocomplete="off"; }
                        label { "Không biểu quyết (nếu có ghi)" input name="abstain" inputmode="numeric" autocomplete="off"; }
                    }
                    button.primary type="submit" { "Ghi biểu quyết" }
                }
            }
        }
    };
    layout("Biểu quyết tại đại hội", Some(&current), "/votes", &notice, content).into_response()
}

pub async fn vote_record(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let (to, r) = match VoteRequest::from_form(&f) {
        Ok(req) => {
            let to = serde_urlencoded::to_string([("assembly", req.assembly.code())])
                .map_or_else(|_| "/votes".to_owned(), |q| format!("/votes?{q}"));
            (to, state.app.record_vote(&current.session.actor, req).await)
        }
        Err(e) => ("/votes".to_owned(), Err(e)),
    };
    back(&to, r.map(|_| "Đã ghi biểu quyết.".to_owned()))
}
