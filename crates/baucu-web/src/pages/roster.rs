//! The roster of members and delegates: the list and search, the Excel template and import, and the
//! form to add or edit one person.

use super::{Notice, NoticeQuery, app_error, back, csrf, layout, vn_date};
use crate::AppState;
use crate::guard::{CSRF_FIELD, Current};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use baucu_app::roster::{
    COLUMNS, DELEGATE_KINDS, PARTY_STATUSES, Person, PersonFields, SEXES, THEORY_LEVELS, label_of,
};
use baucu_app::{AppError, Permission};
use maud::{Markup, html};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Default, Deserialize)]
pub struct RosterQuery {
    #[serde(default)]
    q: Option<String>,
    #[serde(default)]
    ok: Option<String>,
    #[serde(default)]
    err: Option<String>,
    #[serde(default)]
    sig: Option<String>,
}

fn flags(p: &Person) -> String {
    let mut f = Vec::new();
    if p.temporarily_transferred {
        f.push("Sinh hoạt tạm thời")
    }
    if p.exempted {
        f.push("Miễn sinh hoạt")
    }
    if p.suspended {
        f.push("Đình chỉ")
    }
    if p.prosecuted {
        f.push("Khởi tố, tạm giam")
    }
    f.join(", ")
}

fn roster_view(
    current: &Current,
    people: &[Person],
    q: &str,
    notice: &Notice,
    import_errors: &[baucu_app::FieldProblem],
) -> Markup {
    let can_edit = current.session.actor.role.may(Permission::EditRoster);
    let content = html! {
        div.toolbar {
            form.search method="get" action="/roster" role="search" {
                label { "Tìm theo họ tên (gõ không dấu cũng được)" input type="search" name="q" value=(q) autofocus; }
                button type="submit" { "Tìm" }
            }
            @if can_edit { a.button href="/roster/new" { "Thêm một người" } }
        }
        @if can_edit {
            details.card open[people.is_empty() || !import_errors.is_empty()] {
                summary { "Nhập danh sách từ tệp Excel (.xlsx)" }
                p { "Tải " a href="/roster/template.xlsx" { "tệp mẫu" } ", điền mỗi người một dòng rồi chọn tệp để nhập. Tệp có lỗi sẽ không được nhập dòng nào; mọi lỗi được liệt kê theo dòng và cột." }
                form method="post" action={ "/roster/import?" (CSRF_FIELD) "=" (current.session.csrf_token) } enctype="multipart/form-data" {
                    input type="file" name="file" accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required;
                    button.primary type="submit" { "Nhập danh sách" }
                }
                @if !import_errors.is_empty() {
                    table.errors {
                        caption { "Tệp chưa được nhập vì có " (import_errors.len()) " lỗi:" }
                        thead { tr { th { "Dòng" } th { "Cột" } th { "Ô" } th { "Lỗi" } } }
                        tbody { @for p in import_errors { tr {
                            td { (p.row.map(|r| r.to_string()).unwrap_or_default()) }
                            td { (p.column.clone().unwrap_or_default()) }
                            td { (p.field) }
                            td { (p.message) }
                        } } }
                    }
                }
            }
        }
        p.muted { (people.len()) " người" @if !q.is_empty() { " khớp với \"" (q) "\"" } }
        table.list {
            thead { tr {
                th { "TT" } th { "Họ và tên" } th { "Ngày sinh" } th { "Giới tính" } th { "Dân tộc" } th { "Tôn giáo" }
                th { "Đảng viên" } th { "Đại biểu" } th { "Đơn vị" } th { "Lý luận chính trị" } th { "Ghi chú" }
            } }
            tbody {
                @for (i, p) in people.iter().enumerate() {
                    tr {
                        td.num { (i + 1) }
                        td { @if can_edit { a href={ "/roster/" (p.id) } { (p.full_name) } } @else { (p.full_name) } }
                        td { (vn_date(p.birth_date)) }
                        td { (label_of(&SEXES, &p.sex)) }
                        td { (p.ethnicity) }
                        td { (p.religion) }
                        td { (label_of(&PARTY_STATUSES, &p.party_status)) }
                        td { (p.delegate_kind.as_deref().map(|k| label_of(&DELEGATE_KINDS, k)).unwrap_or("")) }
                        td { (p.unit) }
                        td { (label_of(&THEORY_LEVELS, &p.political_theory)) }
                        td { (flags(p)) }
                    }
                }
            }
        }
    };
    layout("Danh sách đảng viên, đại biểu", Some(current), "/roster", notice, content)
}

pub async fn roster_page(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Query(q): Query<RosterQuery>,
) -> Response {
    let query = q.q.clone().unwrap_or_default();
    let people = if query.trim().is_empty() {
        state.app.persons(&current.session.actor).await
    } else {
        state.app.search_persons(&current.session.actor, &query, 10_000).await
    };
    match people {
        Ok(people) => roster_view(
            &current,
            &people,
            &query,
            &Notice::from(NoticeQuery { ok: q.ok, err: q.err, sig: q.sig }),
            &[],
        )
        .into_response(),
        Err(e) => app_error(e),
    }
}

pub async fn roster_template() -> Response {
    match baucu_app::roster::roster_template() {
        Ok(bytes) => crate::counting::file_response(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "mau-danh-sach-dang-vien.xlsx",
            bytes,
        ),
        Err(e) => app_error(e),
    }
}

pub async fn roster_import(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    mut multipart: Multipart,
) -> Response {
    let mut bytes = None;
    // A body over the route's limit, or one that is not a form, is named as such (not "no file").
    let unread = |e: axum::extract::multipart::MultipartError| {
        let message = if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            format!(
                "Tệp gửi lên lớn quá {} MB: một danh sách không cần lớn như vậy.",
                baucu_app::limits::XLSX_MAX_BYTES / (1024 * 1024)
            )
        } else {
            "Không đọc được tệp gửi lên; hãy chọn lại tệp Excel rồi nhập.".to_owned()
        };
        back("/roster", Err(AppError::invalid("file", message)))
    };
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => match field.bytes().await {
                Ok(b) => bytes = Some(b.to_vec()),
                Err(e) => return unread(e),
            },
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(e) => return unread(e),
        }
    }
    let Some(bytes) = bytes.filter(|b| !b.is_empty()) else {
        return back("/roster", Err(AppError::invalid("file", "Chưa chọn tệp Excel.")));
    };
    match state.app.import_roster(&current.session.actor, bytes).await {
        Ok(report) => back("/roster", Ok(format!("Đã nhập {} người.", report.imported))),
        Err(AppError::Invalid(problems)) => {
            let people = state.app.persons(&current.session.actor).await.unwrap_or_default();
            let notice = Notice {
                ok: None,
                err: Some("Tệp có lỗi nên chưa nhập người nào. Sửa các lỗi dưới đây rồi nhập lại.".into()),
            };
            (StatusCode::UNPROCESSABLE_ENTITY, roster_view(&current, &people, "", &notice, &problems))
                .into_response()
        }
        Err(e) => back("/roster", Err(e)),
    }
}

fn person_fields(p: &Person) -> PersonFields {
    let mark = |b: bool| if b { "x" } else { "" }.to_owned();
    [
        ("full_name", p.full_name.clone()),
        ("birth_date", vn_date(p.birth_date)),
        ("sex", label_of(&SEXES, &p.sex).to_owned()),
        ("ethnicity", p.ethnicity.clone()),
        ("religion", p.religion.clone()),
        ("party_status", label_of(&PARTY_STATUSES, &p.party_status).to_owned()),
        (
            "delegate_kind",
            p.delegate_kind.as_deref().map(|k| label_of(&DELEGATE_KINDS, k)).unwrap_or("").to_owned(),
        ),
        ("unit", p.unit.clone()),
        ("education", p.education.clone()),
        ("political_theory", label_of(&THEORY_LEVELS, &p.political_theory).to_owned()),
        ("first_time", mark(p.first_time)),
        ("temporarily_transferred", mark(p.temporarily_transferred)),
        ("exempted", mark(p.exempted)),
        ("suspended", mark(p.suspended)),
        ("prosecuted", mark(p.prosecuted)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

fn choice(name: &str, label: &str, table: &[(&str, &str)], current: &str, allow_empty: bool) -> Markup {
    html! {
        label { (label) select name=(name) {
            @if allow_empty { option value="" { "—" } }
            @for (_, l) in table { option value=(l) selected[current == *l] { (l) } }
        } }
    }
}

fn person_form(current: &Current, action: &str, title: &str, f: &PersonFields, notice: &Notice) -> Markup {
    let v = |k: &str| f.get(k).cloned().unwrap_or_default();
    let checked = |k: &str| !v(k).trim().is_empty();
    let content = html! {
        form.card.grid method="post" action=(action) {
            (csrf(current))
            label.wide { "Họ và tên" input name="full_name" value=(v("full_name")) required autofocus; }
            label { "Ngày sinh" input name="birth_date" value=(v("birth_date")) placeholder="dd/mm/yyyy"; }
            (choice("sex", "Giới tính", &SEXES, &v("sex"), false))
            label { "Dân tộc" input name="ethnicity" value=(v("ethnicity")); }
            label { "Tôn giáo" input name="religion" value=(v("religion")); }
            (choice("party_status", "Đảng viên", &PARTY_STATUSES, &v("party_status"), false))
            (choice("delegate_kind", "Loại đại biểu", &DELEGATE_KINDS, &v("delegate_kind"), true))
            label { "Đơn vị" input name="unit" value=(v("unit")); }
            label { "Trình độ chuyên môn" input name="education" value=(v("education")); }
            (choice("political_theory", "Lý luận chính trị", &THEORY_LEVELS, &v("political_theory"), true))
            fieldset.wide.checks {
                legend { "Đánh dấu nếu đúng" }
                @for (key, title, _) in &COLUMNS[10..] {
                    label.check { input type="checkbox" name=(key) value="x" checked[checked(key)]; (title) }
                }
            }
            div.actions.wide { button.primary type="submit" { "Lưu" } a href="/roster" { "Quay lại danh sách" } }
        }
    };
    layout(title, Some(current), "/roster", notice, content)
}

pub async fn person_new(Extension(current): Extension<Current>) -> Markup {
    let mut f = PersonFields::new();
    f.insert("party_status".into(), "Chính thức".into());
    f.insert("sex".into(), "Nam".into());
    person_form(&current, "/roster/new", "Thêm một người", &f, &Notice::default())
}

pub async fn person_create(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Form(f): Form<BTreeMap<String, String>>,
) -> Response {
    match state.app.save_person(&current.session.actor, None, f.clone()).await {
        Ok(_) => back("/roster", Ok(format!("Đã thêm {}.", f.get("full_name").map_or("", |s| s.trim())))),
        Err(e) => {
            let notice = Notice { ok: None, err: Some(e.message()) };
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                person_form(&current, "/roster/new", "Thêm một người", &f, &notice),
            )
                .into_response()
        }
    }
}

pub async fn person_edit(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
) -> Response {
    match state.app.person(&current.session.actor, id).await {
        Ok(p) => person_form(
            &current,
            &format!("/roster/{id}"),
            &p.full_name.clone(),
            &person_fields(&p),
            &Notice::default(),
        )
        .into_response(),
        Err(e) => app_error(e),
    }
}

pub async fn person_update(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
    Form(f): Form<BTreeMap<String, String>>,
) -> Response {
    match state.app.save_person(&current.session.actor, Some(id), f.clone()).await {
        Ok(_) => back("/roster", Ok("Đã lưu.".into())),
        Err(e) => {
            let notice = Notice { ok: None, err: Some(e.message()) };
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                person_form(&current, &format!("/roster/{id}"), "Sửa thông tin", &f, &notice),
            )
                .into_response()
        }
    }
}
