//! The server-rendered pages, in Vietnamese. Every form posts to a route of the table; actions
//! redirect back with a notice (post/redirect/get), and longer forms are shown again with what the
//! user typed when something is wrong.

use crate::AppState;
use crate::guard::{CSRF_FIELD, Current, SESSION_COOKIE};
use axum::extract::{ConnectInfo, Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use baucu_app::attendance::Attendance;
use baucu_app::congress::{CongressForm, Level, REGULATIONS, assembly_label};
use baucu_app::elections::{CandidateStatus, ElectionForm, Source};
use baucu_app::roster::{
    ABSENCES, COLUMNS, DELEGATE_KINDS, PARTY_STATUSES, Person, PersonFields, SEXES, THEORY_LEVELS, label_of,
};
use baucu_app::{AppError, Permission, Role};
use baucu_rules::assembly::AssemblyKind;
use baucu_rules::election::Body;
use baucu_rules::messages;
use maud::{DOCTYPE, Markup, html};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::net::SocketAddr;

const STYLE: &str = include_str!("assets/style.css");

/// A message at the top of a page: what just happened, or what went wrong.
#[derive(Debug, Default, Deserialize)]
pub struct Notice {
    #[serde(default)]
    pub ok: Option<String>,
    #[serde(default)]
    pub err: Option<String>,
}

fn vn_date(d: Option<jiff::civil::Date>) -> String {
    d.map(|d| format!("{:02}/{:02}/{}", d.day(), d.month(), d.year())).unwrap_or_default()
}

fn csrf(current: &Current) -> Markup {
    html! { input type="hidden" name=(CSRF_FIELD) value=(current.session.csrf_token); }
}

/// Redirects to `to` with a notice.
pub(crate) fn back(to: &str, result: Result<String, AppError>) -> Response {
    let (key, text) = match result {
        Ok(m) => ("ok", m),
        Err(e) => ("err", e.message()),
    };
    let query = serde_urlencoded::to_string([(key, text.as_str())]).unwrap_or_default();
    let sep = if to.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{to}{sep}{query}")).into_response()
}

fn nav_item(href: &str, label: &str, key: &str, active: &str) -> Markup {
    html! { a href=(href) accesskey=(key) class=[(href == active).then_some("active")] { (label) } }
}

/// The frame of every page.
pub(crate) fn layout(
    title: &str,
    current: Option<&Current>,
    active: &str,
    notice: &Notice,
    content: Markup,
) -> Markup {
    html! {
        (DOCTYPE)
        html lang="vi" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — baucu" }
                link rel="stylesheet" href="/static/style.css";
            }
            body {
                header.top {
                    a.brand href="/" { "baucu" span { "Bầu cử trong Đảng" } }
                    @if let Some(c) = current {
                        @let role = c.session.actor.role;
                        nav {
                            @if role.may(Permission::ViewSetup) {
                                (nav_item("/congress", "Đại hội", "1", active))
                                (nav_item("/roster", "Đảng viên", "2", active))
                                (nav_item("/attendance", "Điểm danh", "3", active))
                                (nav_item("/elections", "Bầu cử", "4", active))
                                (nav_item("/audit", "Nhật ký", "5", active))
                            }
                            @if role.may(Permission::EnterBallots) {
                                (nav_item("/entry", "Nhập phiếu", "7", active))
                            }
                            @if role.may(Permission::ManageUsers) {
                                (nav_item("/admin/users", "Tài khoản", "6", active))
                            }
                        }
                        form.logout method="post" action="/logout" {
                            (csrf(c))
                            span.who { (c.session.actor.full_name) " · " (role.label()) }
                            a.who href="/account/password" { "Đổi mật khẩu" }
                            button.link type="submit" { "Đăng xuất" }
                        }
                    }
                }
                main {
                    h1 { (title) }
                    @if let Some(ok) = &notice.ok { p.notice.ok role="status" { (ok) } }
                    @if let Some(err) = &notice.err { p.notice.err role="alert" { (err) } }
                    (content)
                }
            }
        }
    }
}

pub fn error_page(status: StatusCode, message: &str) -> Markup {
    let title = match status {
        StatusCode::FORBIDDEN => "Không có quyền",
        StatusCode::NOT_FOUND => "Không tìm thấy",
        StatusCode::UNAUTHORIZED => "Chưa đăng nhập",
        _ => "Có lỗi",
    };
    layout(
        title,
        None,
        "",
        &Notice::default(),
        html! { p { (message) } p { a href="/" { "Về trang tổng quan" } } },
    )
}

pub(crate) fn app_error(e: AppError) -> Response {
    let status = match &e {
        AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
        AppError::Forbidden => StatusCode::FORBIDDEN,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    (status, error_page(status, &e.message())).into_response()
}

pub async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, error_page(StatusCode::NOT_FOUND, "Trang này không có.")).into_response()
}

pub async fn healthz() -> &'static str {
    "ok"
}

pub async fn stylesheet() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "max-age=3600")], STYLE)
        .into_response()
}

// ---------------------------------------------------------------------------------------------
// Login

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    err: Option<String>,
}

fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/login") => n.to_owned(),
        _ => "/".to_owned(),
    }
}

fn login_form(next: &str, username: &str, error: Option<&str>) -> Markup {
    let notice = Notice { ok: None, err: error.map(str::to_owned) };
    layout(
        "Đăng nhập",
        None,
        "",
        &notice,
        html! {
            form.card.narrow method="post" action="/login" {
                input type="hidden" name="next" value=(next);
                label { "Tên đăng nhập" input name="username" value=(username) autocomplete="username" autofocus required; }
                label { "Mật khẩu" input name="password" type="password" autocomplete="current-password" required; }
                button.primary type="submit" { "Đăng nhập" }
            }
        },
    )
}

pub async fn login_page(Query(q): Query<LoginQuery>) -> Markup {
    login_form(&safe_next(q.next.as_deref()), "", q.err.as_deref())
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    next: Option<String>,
}

pub fn session_cookie(token: &str) -> String {
    format!(
        "{SESSION_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}",
        baucu_app::auth::SESSION_HOURS * 3600
    )
}

pub async fn login_submit(
    State(state): State<AppState>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    Form(form): Form<LoginForm>,
) -> Response {
    let address = connect.map(|c| c.0.0.ip().to_string()).unwrap_or_else(|| "local".into());
    let next = safe_next(form.next.as_deref());
    match state.app.login(&form.username, &form.password, &address).await {
        Ok((token, _)) => {
            ([(header::SET_COOKIE, session_cookie(&token))], Redirect::to(&next)).into_response()
        }
        Err(e) => {
            let status = if matches!(e, AppError::RateLimited) {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::UNAUTHORIZED
            };
            (status, login_form(&next, &form.username, Some(&e.message()))).into_response()
        }
    }
}

pub async fn logout(State(state): State<AppState>, Extension(current): Extension<Current>) -> Response {
    let _ = state.app.logout(&current.session.actor, &current.token).await;
    let clear = format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
    ([(header::SET_COOKIE, clear)], Redirect::to("/login")).into_response()
}

// ---------------------------------------------------------------------------------------------
// Own password

pub async fn password_page(Extension(current): Extension<Current>, Query(notice): Query<Notice>) -> Markup {
    password_view(&current, &notice)
}

fn password_view(current: &Current, notice: &Notice) -> Markup {
    let content = html! {
        @if current.session.must_change_password {
            p.notice.warn { "Bạn đang dùng mật khẩu một lần. Hãy đặt mật khẩu mới (ít nhất 8 ký tự) trước khi làm việc." }
        }
        form.card.narrow method="post" action="/account/password" {
            (csrf(current))
            label { "Mật khẩu hiện tại" input name="current" type="password" autocomplete="current-password" required autofocus; }
            label { "Mật khẩu mới" input name="new" type="password" autocomplete="new-password" required; }
            label { "Nhập lại mật khẩu mới" input name="repeated" type="password" autocomplete="new-password" required; }
            button.primary type="submit" { "Đổi mật khẩu" }
        }
    };
    layout("Đổi mật khẩu", Some(current), "", notice, content)
}

#[derive(Debug, Deserialize)]
pub struct OwnPasswordForm {
    current: String,
    new: String,
    repeated: String,
}

pub async fn password_submit(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Form(f): Form<OwnPasswordForm>,
) -> Response {
    match state
        .app
        .change_own_password(&current.session.actor, &current.token, &f.current, &f.new, &f.repeated)
        .await
    {
        Ok(()) => back("/", Ok("Đã đổi mật khẩu.".into())),
        Err(e) => {
            let notice = Notice { ok: None, err: Some(e.message()) };
            (StatusCode::UNPROCESSABLE_ENTITY, password_view(&current, &notice)).into_response()
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Home

pub async fn home(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Query(notice): Query<Notice>,
) -> Response {
    let actor = &current.session.actor;
    if !actor.role.may(Permission::ViewSetup) {
        let text = match actor.role {
            Role::Operator => {
                "Ban kiểm phiếu sẽ giao cho bạn các chồng phiếu cần nhập; màn hình nhập phiếu hiện ra tại đây khi được giao."
            }
            _ => "Kết quả bầu cử được công bố sẽ hiện ra tại đây.",
        };
        return layout("Tổng quan", Some(&current), "/", &notice, html! { p.card { (text) } })
            .into_response();
    }
    let congress = match state.app.congress().await {
        Ok(c) => c,
        Err(e) => return app_error(e),
    };
    let persons = state.app.persons(actor).await.map(|p| p.len()).unwrap_or(0);
    let elections = state.app.elections(actor).await.unwrap_or_default();
    let content = html! {
        @match &congress {
            Some(c) => {
                section.card {
                    h2 { (c.name) }
                    p { (c.organisation) " · " (c.level.label()) " · " (assembly_label(c.assembly_kind)) " · Nhiệm kỳ " (c.term) }
                    @if c.opens_on.is_some() { p { "Khai mạc " (vn_date(c.opens_on)) @if c.closes_on.is_some() { ", bế mạc " (vn_date(c.closes_on)) } } }
                }
            }
            None => {
                section.card { p { "Chưa khai báo đại hội. " a href="/congress" { "Khai báo đại hội" } " để bắt đầu." } }
            }
        }
        div.steps {
            a.step href="/roster" { strong { "1. Danh sách" } span { (persons) " người" } }
            a.step href="/attendance" { strong { "2. Điểm danh" } span { "Số làm căn cứ tính kết quả" } }
            a.step href="/elections" { strong { "3. Bầu cử" } span { (elections.len()) " cuộc bầu" } }
        }
    };
    layout("Tổng quan", Some(&current), "/", &notice, content).into_response()
}

// ---------------------------------------------------------------------------------------------
// Congress

fn congress_form_page(current: &Current, form: &CongressForm, notice: &Notice) -> Markup {
    let editable = current.session.actor.role.may(Permission::EditCongress);
    let content = html! {
        form.card.grid method="post" action="/congress" {
            (csrf(current))
            fieldset disabled[!editable] {
                label.wide { "Tên đại hội" input name="name" value=(form.name) required autofocus placeholder="Đại hội Đảng bộ xã … lần thứ …, nhiệm kỳ …"; }
                label { "Tổ chức đảng" input name="organisation" value=(form.organisation) required; }
                label { "Cấp" select name="level" {
                    @for l in Level::ALL { option value=(l.code()) selected[form.level == l.code()] { (l.label()) } }
                } }
                label { "Hình thức" select name="assembly_kind" {
                    @for k in [AssemblyKind::MembersCongress, AssemblyKind::DelegatesCongress] {
                        option value=(k.code()) selected[form.assembly_kind == k.code()] { (assembly_label(k)) }
                    }
                } }
                label { "Nhiệm kỳ" input name="term" value=(form.term) required placeholder="2025–2030"; }
                label { "Địa điểm" input name="place" value=(form.place); }
                label { "Ngày khai mạc" input name="opens_on" value=(form.opens_on) placeholder="dd/mm/yyyy"; }
                label { "Ngày bế mạc" input name="closes_on" value=(form.closes_on) placeholder="dd/mm/yyyy"; }
                label.wide { "Cấp ủy triệu tập" input name="convening_committee" value=(form.convening_committee); }
                label { "Quy chế áp dụng" select name="regulation" {
                    @for (code, label) in REGULATIONS { option value=(code) selected[form.regulation == code] { (label) } }
                } }
                div.actions.wide { button.primary type="submit" { "Lưu thông tin đại hội" } }
            }
        }
    };
    layout("Thông tin đại hội", Some(current), "/congress", notice, content)
}

pub async fn congress_page(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Query(notice): Query<Notice>,
) -> Response {
    let form = match state.app.congress().await {
        Ok(Some(c)) => CongressForm {
            name: c.name,
            organisation: c.organisation,
            level: c.level.code().into(),
            assembly_kind: c.assembly_kind.code().into(),
            term: c.term,
            place: c.place,
            opens_on: vn_date(c.opens_on),
            closes_on: vn_date(c.closes_on),
            convening_committee: c.convening_committee,
            regulation: c.regulation,
        },
        Ok(None) => CongressForm {
            regulation: "190-QD/TW".into(),
            level: "grassroots".into(),
            ..CongressForm::default()
        },
        Err(e) => return app_error(e),
    };
    congress_form_page(&current, &form, &notice).into_response()
}

pub async fn congress_submit(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Form(form): Form<CongressForm>,
) -> Response {
    match state.app.save_congress(&current.session.actor, form.clone()).await {
        Ok(_) => back("/congress", Ok("Đã lưu thông tin đại hội.".into())),
        Err(e) => {
            let notice = Notice { ok: None, err: Some(e.message()) };
            (StatusCode::UNPROCESSABLE_ENTITY, congress_form_page(&current, &form, &notice)).into_response()
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Roster

#[derive(Debug, Default, Deserialize)]
pub struct RosterQuery {
    #[serde(default)]
    q: Option<String>,
    #[serde(default)]
    ok: Option<String>,
    #[serde(default)]
    err: Option<String>,
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
        Ok(people) => {
            roster_view(&current, &people, &query, &Notice { ok: q.ok, err: q.err }, &[]).into_response()
        }
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
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("file") {
            bytes = field.bytes().await.ok().map(|b| b.to_vec());
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

// ---------------------------------------------------------------------------------------------
// Attendance

#[derive(Debug, Default, Deserialize)]
pub struct AttendanceQuery {
    #[serde(default)]
    sitting: Option<i64>,
    #[serde(default)]
    ok: Option<String>,
    #[serde(default)]
    err: Option<String>,
}

fn attendance_view(current: &Current, a: &Attendance, kind: Option<AssemblyKind>, notice: &Notice) -> Markup {
    let can = current.session.actor.role.may(Permission::TakeAttendance);
    let sid = a.sitting.as_ref().map(|s| s.id);
    let here = match sid {
        Some(id) => format!("/attendance?sitting={id}"),
        None => "/attendance".into(),
    };
    let checked = a.rows.iter().filter(|r| r.checked_in).count();
    let alternates: Vec<&Person> = a
        .rows
        .iter()
        .map(|r| &r.person)
        .filter(|p| p.delegate_kind.as_deref() == Some("alternate"))
        .collect();
    let content = html! {
        div.columns {
            section.card {
                h2 { "Phiên họp" }
                @if a.sittings.is_empty() { p { "Chưa có phiên họp nào." } }
                ul.tabs { @for s in &a.sittings {
                    li { a href={ "/attendance?sitting=" (s.id) } class=[(Some(s.id) == sid).then_some("active")] { (s.name) } }
                } }
                @if can {
                    form.inline method="post" action="/attendance/sittings" {
                        (csrf(current))
                        label { "Thêm phiên họp" input name="name" placeholder="Phiên thứ hai (chiều 20/5)" required; }
                        button type="submit" { "Thêm" }
                    }
                }
                @if let (true, Some(id)) = (can, sid) {
                    form.inline method="post" action="/attendance/check-in-name" {
                        (csrf(current))
                        input type="hidden" name="sitting" value=(id);
                        label { "Điểm danh theo họ tên (gõ rồi Enter)" input name="query" autofocus autocomplete="off" required; }
                        button.primary type="submit" { "Có mặt" }
                    }
                }
                p { strong { (checked) } " người đã điểm danh ở phiên này." }
            }
            section.card.base {
                h2 { "Số làm căn cứ tính kết quả bầu cử" }
                @match &a.report {
                    Some(r) => {
                        table.base {
                            @for line in &r.lines {
                                tr class=[(line.sign == "=").then_some("total")] {
                                    td { (line.label) } td.num { (line.sign) " " (line.count) }
                                }
                            }
                            tr { td { "Có mặt tại phiên họp" } td.num { (r.present) } }
                            tr { td { "Vắng mặt tại phiên họp" } td.num { (r.absent) } }
                            tr.total { td { "Trúng cử phải được quá một nửa: ít nhất" } td.num { (r.threshold) " phiếu" } }
                        }
                        p.muted { "Theo Điều 30 Quy chế bầu cử: số làm căn cứ là số được triệu tập trừ các trường hợp trên; không phải số phiếu, số phiếu hợp lệ hay số người có mặt." }
                    }
                    None => { p { "Danh sách chưa có ai thuộc diện triệu tập." } }
                }
            }
        }
        table.list.attendance {
            thead { tr { th { "TT" } th { "Họ và tên" } th { "Có mặt phiên này" } th { "Cả đại hội" } th { "Tính số làm căn cứ" } } }
            tbody { @for (i, row) in a.rows.iter().enumerate() {
                @let p = &row.person;
                tr class=[row.checked_in.then_some("present")] {
                    td.num { (i + 1) }
                    td { (p.full_name) @if p.party_status == "probationary" { span.tag { "dự bị" } } }
                    td {
                        @if let (true, Some(id)) = (can, sid) {
                            form.inline method="post" action="/attendance/check-in" {
                                (csrf(current))
                                input type="hidden" name="sitting" value=(id);
                                input type="hidden" name="person" value=(p.id);
                                input type="hidden" name="present" value=(if row.checked_in { "0" } else { "1" });
                                button.small type="submit" aria-label={ "Điểm danh " (p.full_name) } {
                                    @if row.checked_in { "✓ Có mặt" } @else { "Điểm danh" }
                                }
                            }
                        } @else { @if row.checked_in { "✓" } }
                    }
                    td {
                        @if can {
                            form.inline method="post" action="/attendance/absence" {
                                (csrf(current))
                                input type="hidden" name="person" value=(p.id);
                                input type="hidden" name="back" value=(here);
                                select name="absence" aria-label={ "Vắng mặt cả đại hội: " (p.full_name) } {
                                    @for (code, label) in ABSENCES { option value=(code) selected[p.absence == code] { (label) } }
                                }
                                button.small type="submit" { "Ghi" }
                            }
                        } @else { (label_of(&ABSENCES, &p.absence)) }
                    }
                    td.small { (row.standing) }
                }
            } }
        }
        @if can && kind == Some(AssemblyKind::DelegatesCongress) && !alternates.is_empty() {
            section.card {
                h2 { "Triệu tập đại biểu dự khuyết" }
                form.inline method="post" action="/attendance/alternate" {
                    (csrf(current))
                    label { "Đại biểu dự khuyết" select name="alternate" { @for p in &alternates { option value=(p.id) { (p.full_name) } } } }
                    label { "Thay cho" select name="replaces" {
                        option value="" { "— (rút triệu tập)" }
                        @for r in &a.rows { @if matches!(r.person.delegate_kind.as_deref(), Some("elected" | "appointed")) && r.person.absence != "none" {
                            option value=(r.person.id) { (r.person.full_name) }
                        } }
                    } }
                    button type="submit" { "Triệu tập" }
                }
            }
        }
    };
    layout("Điểm danh", Some(current), "/attendance", notice, content)
}

pub async fn attendance_page(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Query(q): Query<AttendanceQuery>,
) -> Response {
    let kind = state.app.congress().await.ok().flatten().map(|c| c.assembly_kind);
    match state.app.attendance(&current.session.actor, q.sitting).await {
        Ok(a) => attendance_view(&current, &a, kind, &Notice { ok: q.ok, err: q.err }).into_response(),
        Err(AppError::Conflict(m)) => back("/congress", Err(AppError::Conflict(m))),
        Err(e) => app_error(e),
    }
}

#[derive(Debug, Deserialize)]
pub struct SittingForm {
    name: String,
}

pub async fn sitting_create(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Form(f): Form<SittingForm>,
) -> Response {
    match state.app.add_sitting(&current.session.actor, &f.name).await {
        Ok(id) => back(&format!("/attendance?sitting={id}"), Ok(format!("Đã thêm {}.", f.name.trim()))),
        Err(e) => back("/attendance", Err(e)),
    }
}

#[derive(Debug, Deserialize)]
pub struct CheckInForm {
    sitting: i64,
    person: i64,
    present: String,
}

pub async fn check_in(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Form(f): Form<CheckInForm>,
) -> Response {
    let present = f.present == "1";
    let to = format!("/attendance?sitting={}", f.sitting);
    let r = state.app.set_check_in(&current.session.actor, f.sitting, f.person, present).await;
    back(&to, r.map(|()| if present { "Đã điểm danh." } else { "Đã bỏ điểm danh." }.to_owned()))
}

#[derive(Debug, Deserialize)]
pub struct CheckInNameForm {
    sitting: i64,
    query: String,
}

pub async fn check_in_name(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Form(f): Form<CheckInNameForm>,
) -> Response {
    let to = format!("/attendance?sitting={}", f.sitting);
    let r = state.app.check_in_by_name(&current.session.actor, f.sitting, &f.query).await;
    back(&to, r.map(|p| format!("{} có mặt.", p.full_name)))
}

#[derive(Debug, Deserialize)]
pub struct AbsenceForm {
    person: i64,
    absence: String,
    #[serde(default)]
    back: Option<String>,
}

pub async fn absence(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Form(f): Form<AbsenceForm>,
) -> Response {
    let to = safe_next(f.back.as_deref());
    let r = state.app.set_absence(&current.session.actor, f.person, &f.absence).await;
    back(&to, r.map(|()| "Đã ghi tình trạng vắng mặt.".to_owned()))
}

#[derive(Debug, Deserialize)]
pub struct AlternateForm {
    alternate: i64,
    #[serde(default)]
    replaces: Option<String>,
}

pub async fn alternate(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Form(f): Form<AlternateForm>,
) -> Response {
    let replaces = f.replaces.as_deref().and_then(|r| r.parse().ok());
    let r = state.app.summon_alternate(&current.session.actor, f.alternate, replaces).await;
    back("/attendance", r.map(|()| "Đã ghi việc triệu tập đại biểu dự khuyết.".to_owned()))
}

// ---------------------------------------------------------------------------------------------
// Elections

fn body_label(b: Body) -> String {
    let s = messages::body(b);
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

pub async fn elections_page(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Query(notice): Query<Notice>,
) -> Response {
    let actor = &current.session.actor;
    let elections = match state.app.elections(actor).await {
        Ok(e) => e,
        Err(e) => return app_error(e),
    };
    let can = actor.role.may(Permission::DefineElections);
    let content = html! {
        @if elections.is_empty() { p.card { "Chưa có cuộc bầu cử nào." } }
        @else {
            table.list {
                thead { tr { th { "TT" } th { "Cuộc bầu" } th { "Số lượng bầu" } th { "Hội nghị / đại hội" } th { "Danh sách" } } }
                tbody { @for (i, e) in elections.iter().enumerate() {
                    tr {
                        td.num { (i + 1) }
                        td { a href={ "/elections/" (e.id) } { (e.title()) } }
                        td.num { (e.seats) @if e.alternate_seats > 0 { " + " (e.alternate_seats) " dự khuyết" } }
                        td { (assembly_label(e.assembly_kind)) }
                        td { @if e.approved { span.tag.ok { "Đã thông qua" } } @else { span.tag { "Đang lập" } } }
                    }
                } }
            }
        }
        @if can {
            form.card.grid method="post" action="/elections" {
                h2.wide { "Thêm cuộc bầu cử" }
                (csrf(&current))
                label { "Nội dung bầu" select name="body" autofocus {
                    @for b in Body::ALL { option value=(b.code()) { (body_label(b)) } }
                } }
                label { "Số lượng cần bầu (đại hội đã biểu quyết)" input name="seats" inputmode="numeric" required; }
                label { "Số đại biểu dự khuyết (chỉ bầu đại biểu)" input name="alternate_seats" inputmode="numeric"; }
                label { "Biểu quyết số lượng: tán thành" input name="seats_for" inputmode="numeric"; }
                label { "Không tán thành" input name="seats_against" inputmode="numeric"; }
                label.check { input type="checkbox" name="direct" value="1"; "Bầu trực tiếp bí thư tại đại hội" }
                p.muted.wide { "Ban thường vụ được bầu trong số ủy viên ban chấp hành (chỉ khi ban chấp hành có từ 9 ủy viên); bí thư, phó bí thư trong số ủy viên ban thường vụ (hoặc ban chấp hành nếu không có ban thường vụ); chủ nhiệm, phó chủ nhiệm trong số ủy viên ủy ban kiểm tra." }
                div.actions.wide { button.primary type="submit" { "Thêm cuộc bầu" } }
            }
        }
    };
    layout("Bầu cử", Some(&current), "/elections", &notice, content).into_response()
}

pub async fn election_create(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Form(f): Form<ElectionForm>,
) -> Response {
    match state.app.create_election(&current.session.actor, f).await {
        Ok(id) => back(&format!("/elections/{id}"), Ok("Đã thêm cuộc bầu cử.".into())),
        Err(e) => back("/elections", Err(e)),
    }
}

pub async fn election_page(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
    Query(notice): Query<Notice>,
) -> Response {
    let actor = &current.session.actor;
    let d = match state.app.election(actor, id).await {
        Ok(d) => d,
        Err(e) => return app_error(e),
    };
    let rounds = if actor.role.may(Permission::ViewCounting) {
        state.app.rounds_of(actor, id).await.unwrap_or_default()
    } else {
        Vec::new()
    };
    let run = actor.role.may(Permission::RunRounds);
    let e = &d.election;
    let edit = actor.role.may(Permission::EditLists) && !e.approved;
    let decide = actor.role.may(Permission::DecideLists) && !e.approved;
    let action = |what: &str| format!("/elections/{id}/{what}");
    let pending: Vec<_> = d
        .candidates
        .iter()
        .filter(|c| {
            c.status != CandidateStatus::Withdrawn
                && c.source != Source::Convening
                && c.status != CandidateStatus::WithdrawalRequested
        })
        .collect();
    let tied: Vec<_> = d.candidates.iter().filter(|c| c.status == CandidateStatus::TiedAtCap).collect();
    let requested: Vec<_> =
        d.candidates.iter().filter(|c| c.status == CandidateStatus::WithdrawalRequested).collect();
    let check = &d.list_check;
    let content = html! {
        @if e.approved && (run || !rounds.is_empty()) {
            section.card {
                h2 { "Các lần bầu" }
                @if rounds.is_empty() { p { "Chưa mở lần bầu nào." } }
                ul { @for r in &rounds {
                    li { a href={ "/rounds/" (r.id) } { (r.title()) } " — "
                        @if r.published { "đã công bố" } @else if r.closed { "đã có kết quả" } @else { "đang kiểm phiếu" } }
                } }
                @if rounds.iter().any(|r| r.closed) {
                    p.files {
                        a.button href={ "/elections/" (id) "/files/trung-cu.pdf" } { "Danh sách trúng cử và cơ cấu (PDF)" } " "
                        a.button href={ "/elections/" (id) "/files/trung-cu.xlsx" } { "(Excel)" }
                    }
                }
                @if run && rounds.is_empty() {
                    form.inline method="post" action={ "/elections/" (id) "/rounds" } {
                        (csrf(&current))
                        label { "Mỗi chồng phiếu nhập độc lập" select name="entries_per_stack" {
                            option value="2" selected { "2 lần (khuyến nghị)" } option value="3" { "3 lần" } option value="1" { "1 lần" }
                        } }
                        button.primary type="submit" { "Mở lần bầu thứ nhất" }
                    }
                }
            }
        }
        section.card.summary {
            p {
                "Số lượng cần bầu: " strong { (e.seats) } @if e.alternate_seats > 0 { " chính thức, " strong { (e.alternate_seats) } " dự khuyết" }
                @if let (Some(f), Some(a)) = (e.seats_for, e.seats_against) { " (biểu quyết: " (f) " tán thành, " (a) " không tán thành)" }
                " · " (assembly_label(e.assembly_kind))
                @if let Some(src) = &d.drawn_from { " · Bầu trong số ủy viên " (src) }
            }
            p {
                "Danh sách: " strong { (d.ballot.len()) } " người · tối thiểu " (check.min_list_size)
                @if let Some(max) = check.max_list_size { ", tối đa " (max) } @else { ", không hạn chế tối đa" }
                @if let Some(l) = d.layout { " · Phiếu: " (messages::layout(l)) }
            }
            @for f in &check.findings { p class={ "notice " (if f.severity == "error" { "err" } else { "warn" }) } { (f.message) } }
            @if e.approved {
                p.notice.ok { "Danh sách bầu cử đã được đại hội biểu quyết thông qua"
                    @if let (Some(f), Some(a)) = (e.approve_for, e.approve_against) { " (" (f) " tán thành, " (a) " không tán thành)" } "." }
            }
        }
        div.columns {
            section.card {
                h2 { "Danh sách bầu cử (thứ tự trên phiếu)" }
                @if d.ballot.is_empty() { p { "Chưa có ai trong danh sách." } }
                ol.ballot id="ballot-order" {
                    @for c in &d.ballot {
                        li {
                            span.name { (c.full_name) }
                            @if decide {
                                form.inline method="post" action=(action("move")) {
                                    (csrf(&current))
                                    input type="hidden" name="candidate" value=(c.id);
                                    button.small name="up" value="1" type="submit" aria-label={ "Đưa " (c.full_name) " lên" } { "↑" }
                                    button.small name="up" value="0" type="submit" aria-label={ "Đưa " (c.full_name) " xuống" } { "↓" }
                                }
                            }
                        }
                    }
                }
                @if decide && e.manual_order {
                    form.inline method="post" action=(action("order-reset")) {
                        (csrf(&current)) button.small type="submit" { "Xếp lại theo vần chữ cái (tên, họ, tên đệm)" }
                    }
                }
                p.muted {
                    @if e.approved { "Thứ tự trên phiếu đã cố định khi danh sách được thông qua." }
                    @else if e.manual_order { "Thứ tự do đoàn chủ tịch sắp xếp." }
                    @else { "Xếp theo vần chữ cái tiếng Việt: tên, rồi họ, rồi tên đệm." }
                }
            }
            section.card {
                h2 { "Giới thiệu, đề cử, ứng cử" }
                table.list {
                    thead { tr { th { "Họ và tên" } th { "Nguồn" } th { "Đồng ý" } th { "Tình trạng" } th {} } }
                    tbody { @for c in &d.candidates {
                        tr {
                            td { (c.full_name) }
                            td { (c.source.label()) }
                            td.num { (c.poll_agree.map(|a| a.to_string()).unwrap_or_default()) }
                            td { (c.status.label()) }
                            td { @if edit && matches!(c.status, CandidateStatus::Listed | CandidateStatus::PendingPoll) {
                                form.inline method="post" action=(action("withdrawal")) {
                                    (csrf(&current)) input type="hidden" name="candidate" value=(c.id);
                                    button.small type="submit" { "Xin rút" }
                                }
                            } }
                        }
                    } }
                }
                @if edit {
                    form.grid method="post" action=(action("candidates")) {
                        (csrf(&current))
                        label { "Người" select name="person" required {
                            @for p in &d.eligible { option value=(p.id) { (p.full_name) " (" (vn_date(p.birth_date)) ")" } }
                        } }
                        label { "Nguồn" select name="source" {
                            @for s in Source::ALL { option value=(s.code()) { (s.label()) } }
                        } }
                        div.actions.wide { button type="submit" { "Thêm vào danh sách" } }
                    }
                }
            }
        }
        @if decide && !requested.is_empty() {
            section.card {
                h2 { "Đại hội quyết định việc xin rút" }
                @for c in &requested {
                    form.inline method="post" action=(action("withdrawal-decision")) {
                        (csrf(&current)) input type="hidden" name="candidate" value=(c.id);
                        span { (c.full_name) }
                        button.small name="accepted" value="1" type="submit" { "Đồng ý cho rút" }
                        button.small name="accepted" value="0" type="submit" { "Không đồng ý" }
                    }
                }
            }
        }
        @if decide && !pending.is_empty() {
            section.card {
                h2 { "Lấy phiếu xin ý kiến về người được đề cử, ứng cử" }
                p.muted { "Người ngoài danh sách cấp ủy giới thiệu chỉ được đưa vào danh sách bầu cử khi có trên 30% số đại biểu (đảng viên) có mặt đồng ý." }
                form.grid method="post" action=(action("poll")) {
                    (csrf(&current))
                    label { "Số có mặt khi lấy phiếu" input name="present" inputmode="numeric" value=(d.present.map(|p| p.to_string()).unwrap_or_default()) required; }
                    @if let Some(g) = d.poll_gate { p.wide { "Lần ghi trước: cần ít nhất " strong { (g) } " phiếu đồng ý." } }
                    @for c in &pending {
                        label { "Số đồng ý: " (c.full_name) input name={ "agree_" (c.id) } inputmode="numeric" value=(c.poll_agree.map(|a| a.to_string()).unwrap_or_default()) required; }
                    }
                    div.actions.wide { button.primary type="submit" { "Ghi kết quả lấy phiếu" } }
                }
            }
        }
        @if decide && !tied.is_empty() {
            section.card {
                h2 { "Bằng phiếu ở giới hạn số dư" }
                p { "Còn " (d.poll_tie_seats.unwrap_or(0)) " chỗ; đại hội chọn người được đưa vào danh sách:" }
                form method="post" action=(action("poll-tie")) {
                    (csrf(&current))
                    @for c in &tied { label.check { input type="checkbox" name="chosen" value=(c.id); (c.full_name) " (" (c.poll_agree.unwrap_or(0)) " đồng ý)" } }
                    button type="submit" { "Ghi quyết định của đại hội" }
                }
            }
        }
        @if decide {
            section.card {
                h2 { "Biểu quyết thông qua danh sách bầu cử" }
                @if d.blockers.is_empty() {
                    form.grid method="post" action=(action("approval")) {
                        (csrf(&current))
                        p.wide { "Số có mặt: " strong { (d.present.map(|p| p.to_string()).unwrap_or_else(|| "chưa điểm danh".into())) } }
                        label { "Tán thành" input name="in_favour" inputmode="numeric" required; }
                        label { "Không tán thành" input name="against" inputmode="numeric" value="0" required; }
                        div.actions.wide { button.primary type="submit" { "Ghi kết quả biểu quyết" } }
                    }
                } @else {
                    p { "Chưa thể biểu quyết:" }
                    ul { @for b in &d.blockers { li { (b) } } }
                }
            }
        }
    };
    layout(&e.title(), Some(&current), "/elections", &notice, content).into_response()
}

#[derive(Debug, Deserialize)]
pub struct CandidateForm {
    person: i64,
    source: String,
}

pub async fn candidate_add(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
    Form(f): Form<CandidateForm>,
) -> Response {
    let to = format!("/elections/{id}");
    let Some(source) = Source::from_code(&f.source) else {
        return back(&to, Err(AppError::invalid("source", "Chọn nguồn giới thiệu.")));
    };
    let r = state.app.add_candidate(&current.session.actor, id, f.person, source).await;
    back(&to, r.map(|_| "Đã thêm.".into()))
}

#[derive(Debug, Deserialize)]
pub struct CandidateRef {
    candidate: i64,
    #[serde(default)]
    accepted: Option<String>,
    #[serde(default)]
    up: Option<String>,
}

pub async fn withdrawal_request(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
    Form(f): Form<CandidateRef>,
) -> Response {
    let r = state.app.request_withdrawal(&current.session.actor, id, f.candidate).await;
    back(&format!("/elections/{id}"), r.map(|()| "Đã ghi đơn xin rút; chờ đại hội quyết định.".into()))
}

pub async fn withdrawal_decision(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
    Form(f): Form<CandidateRef>,
) -> Response {
    let accepted = f.accepted.as_deref() == Some("1");
    let r = state.app.decide_withdrawal(&current.session.actor, id, f.candidate, accepted).await;
    back(&format!("/elections/{id}"), r.map(|()| "Đã ghi quyết định của đại hội.".into()))
}

pub async fn move_on_ballot(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
    Form(f): Form<CandidateRef>,
) -> Response {
    let up = f.up.as_deref() == Some("1");
    let r = state.app.move_on_ballot(&current.session.actor, id, f.candidate, up).await;
    back(&format!("/elections/{id}"), r.map(|()| "Đã đổi thứ tự.".into()))
}

pub async fn order_reset(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
) -> Response {
    let r = state.app.reset_ballot_order(&current.session.actor, id).await;
    back(&format!("/elections/{id}"), r.map(|()| "Đã xếp lại theo vần chữ cái.".into()))
}

fn parse_count(field: &str, text: Option<&String>) -> Result<u32, AppError> {
    let t = text.map(|s| s.trim()).unwrap_or("");
    t.parse::<u32>().map_err(|_| AppError::invalid(field, format!("\"{t}\" không phải là số hợp lệ.")))
}

pub async fn poll(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let to = format!("/elections/{id}");
    let map: BTreeMap<String, String> = f.into_iter().collect();
    let present = match parse_count("present", map.get("present")) {
        Ok(p) => p,
        Err(e) => return back(&to, Err(e)),
    };
    let mut agrees = Vec::new();
    for (k, v) in &map {
        if let Some(cid) = k.strip_prefix("agree_").and_then(|c| c.parse::<i64>().ok()) {
            match parse_count(k, Some(v)) {
                Ok(a) => agrees.push((cid, a)),
                Err(e) => return back(&to, Err(e)),
            }
        }
    }
    let r = state.app.record_poll(&current.session.actor, id, present, agrees).await;
    back(&to, r.map(|()| "Đã ghi kết quả lấy phiếu xin ý kiến.".into()))
}

pub async fn poll_tie(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let chosen: Vec<i64> =
        f.iter().filter(|(k, _)| k == "chosen").filter_map(|(_, v)| v.parse().ok()).collect();
    let r = state.app.decide_poll_tie(&current.session.actor, id, chosen).await;
    back(&format!("/elections/{id}"), r.map(|()| "Đã ghi quyết định của đại hội.".into()))
}

#[derive(Debug, Deserialize)]
pub struct ApprovalForm {
    in_favour: String,
    against: String,
}

pub async fn approval(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
    Form(f): Form<ApprovalForm>,
) -> Response {
    let to = format!("/elections/{id}");
    let (yes, no) =
        match (parse_count("in_favour", Some(&f.in_favour)), parse_count("against", Some(&f.against))) {
            (Ok(y), Ok(n)) => (y, n),
            (Err(e), _) | (_, Err(e)) => return back(&to, Err(e)),
        };
    match state.app.approve_list(&current.session.actor, id, yes, no).await {
        Ok(true) => back(&to, Ok("Danh sách bầu cử đã được thông qua.".into())),
        Ok(false) => back(
            &to,
            Err(AppError::Conflict(
                "Danh sách chưa được thông qua: số tán thành chưa quá một nửa số có mặt.".into(),
            )),
        ),
        Err(e) => back(&to, Err(e)),
    }
}

// ---------------------------------------------------------------------------------------------
// Accounts

pub async fn users_page(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Query(notice): Query<Notice>,
) -> Response {
    let users = match state.app.list_users(&current.session.actor).await {
        Ok(u) => u,
        Err(e) => return app_error(e),
    };
    let content = html! {
        table.list {
            thead { tr { th { "Tên đăng nhập" } th { "Họ và tên" } th { "Vai trò" } th { "Hoạt động" } th {} th { "Đặt lại mật khẩu" } } }
            tbody { @for u in &users {
                tr {
                    td { (u.username) }
                    td colspan="3" {
                        form.inline method="post" action={ "/admin/users/" (u.id) } {
                            (csrf(&current))
                            input name="full_name" value=(u.full_name) aria-label="Họ và tên";
                            select name="role" aria-label="Vai trò" { @for r in Role::ALL { option value=(r.code()) selected[r == u.role] { (r.label()) } } }
                            label.check { input type="checkbox" name="active" value="1" checked[u.active]; "Hoạt động" }
                            button.small type="submit" { "Lưu" }
                        }
                    }
                    td {}
                    td {
                        form.inline method="post" action={ "/admin/users/" (u.id) "/password" } {
                            (csrf(&current))
                            input name="password" type="password" autocomplete="new-password" aria-label="Mật khẩu mới" required;
                            button.small type="submit" { "Đặt" }
                        }
                    }
                }
            } }
        }
        form.card.grid method="post" action="/admin/users" {
            h2.wide { "Tạo tài khoản" }
            (csrf(&current))
            label { "Tên đăng nhập" input name="username" required autocomplete="off"; }
            label { "Họ và tên" input name="full_name" required; }
            label { "Vai trò" select name="role" { @for r in Role::ALL { option value=(r.code()) selected[r == Role::Organiser] { (r.label()) } } } }
            label { "Mật khẩu (ít nhất 8 ký tự)" input name="password" type="password" autocomplete="new-password" required; }
            div.actions.wide { button.primary type="submit" { "Tạo tài khoản" } }
        }
    };
    layout("Tài khoản", Some(&current), "/admin/users", &notice, content).into_response()
}

#[derive(Debug, Deserialize)]
pub struct UserForm {
    #[serde(default)]
    username: String,
    full_name: String,
    role: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    active: Option<String>,
}

pub async fn user_create(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Form(f): Form<UserForm>,
) -> Response {
    let Some(role) = Role::from_code(&f.role) else {
        return back("/admin/users", Err(AppError::invalid("role", "Chọn vai trò.")));
    };
    let r = state.app.create_user(&current.session.actor, &f.username, &f.full_name, role, &f.password).await;
    back("/admin/users", r.map(|_| format!("Đã tạo tài khoản {}.", f.username.trim().to_lowercase())))
}

pub async fn user_update(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
    Form(f): Form<UserForm>,
) -> Response {
    let Some(role) = Role::from_code(&f.role) else {
        return back("/admin/users", Err(AppError::invalid("role", "Chọn vai trò.")));
    };
    let r = state.app.update_user(&current.session.actor, id, &f.full_name, role, f.active.is_some()).await;
    back("/admin/users", r.map(|()| "Đã lưu tài khoản.".into()))
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    password: String,
}

pub async fn user_password(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
    Form(f): Form<PasswordForm>,
) -> Response {
    let r = state.app.set_password(&current.session.actor, id, &f.password).await;
    back(
        "/admin/users",
        r.map(|()| "Đã đặt lại mật khẩu; các phiên đăng nhập cũ của tài khoản này đã bị hủy.".into()),
    )
}

// ---------------------------------------------------------------------------------------------
// Audit log

pub async fn audit_page(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Query(notice): Query<Notice>,
) -> Response {
    let actor = &current.session.actor;
    let (entries, verified) = match (state.app.recent_audit(actor, 300).await, state.app.verify_audit().await)
    {
        (Ok(e), Ok(v)) => (e, v),
        (Err(e), _) | (_, Err(e)) => return app_error(e),
    };
    let content = html! {
        @match verified {
            Ok(n) => { p.notice.ok { "Chuỗi nhật ký toàn vẹn: " (n) " mục, không mục nào bị sửa hay xóa." } }
            Err(b) => { p.notice.err { "Nhật ký đã bị can thiệp từ mục số " (b.seq) "." } }
        }
        table.list.audit {
            thead { tr { th { "Số" } th { "Thời gian (UTC)" } th { "Người thực hiện" } th { "Thao tác" } th { "Nội dung" } } }
            tbody { @for e in &entries {
                tr { td.num { (e.seq) } td { (e.at.get(..19).unwrap_or(&e.at).replace('T', " ")) } td { (e.actor) } td { code { (e.action) } } td.small { code { (e.data) } } }
            } }
        }
    };
    layout("Nhật ký thao tác", Some(&current), "/audit", &notice, content).into_response()
}
