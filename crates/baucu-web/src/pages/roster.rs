//! The roster of members and delegates: the list and search, the Excel template, the import with its
//! preview (what will be added, changed, removed; errors by row and column; the column mapping; the
//! text converted from legacy encodings) and the user's choice, and the form to add, edit or delete
//! one person.

use super::{Notice, NoticeQuery, app_error, back, csrf, layout, vn_date};
use crate::AppState;
use crate::guard::{CSRF_FIELD, Current};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use baucu_app::attendance::BY_ELECTION_NOMINEE_LABEL;
use baucu_app::roster::{
    COLUMNS, DELEGATE_KINDS, FLAG_KEYS, ImportChoice, ImportPreview, PARTY_STATUSES, Person, PersonFields,
    SEXES, THEORY_LEVELS, label_of, mapping_choices,
};
use baucu_app::{AppError, Permission};
use maud::{Markup, html};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

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

fn birth(p: &Person) -> String {
    p.birth_date.map(|b| b.to_string()).unwrap_or_default()
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

/// `nominees`: on a by-election node, the persons nominated from outside the committee.
fn roster_view(
    current: &Current,
    people: &[Person],
    nominees: &BTreeSet<i64>,
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
                summary { "Nhập danh sách từ tệp (.xlsx, .xls, .ods, .csv)" }
                p { "Chọn tệp danh sách như văn phòng đang giữ (có thể có tên đơn vị, tiêu đề ở trên dòng tiêu đề), hoặc tải " a href="/roster/template.xlsx" { "tệp mẫu" } " để điền. Chữ gõ bằng phông TCVN3 (.VnTime) hay VNI được tự chuyển sang Unicode. Sau khi chọn tệp, trang sẽ cho xem trước những người được thêm, sửa, bớt và mọi lỗi theo dòng và cột; chưa ghi gì cho đến khi bạn chọn cách nhập." }
                form method="post" action={ "/roster/import?" (CSRF_FIELD) "=" (current.session.csrf_token) } enctype="multipart/form-data" {
                    input type="file" name="file" accept=".xlsx,.xls,.ods,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,application/vnd.ms-excel,application/vnd.oasis.opendocument.spreadsheet,text/csv" required;
                    button.primary type="submit" { "Xem trước" }
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
                        td { (birth(p)) }
                        td { (label_of(&SEXES, &p.sex)) }
                        td { (p.ethnicity) }
                        td { (p.religion) }
                        td { (label_of(&PARTY_STATUSES, &p.party_status)) }
                        td { (p.delegate_kind.as_deref().map(|k| label_of(&DELEGATE_KINDS, k)).unwrap_or("")) }
                        td { (p.unit) }
                        td { (label_of(&THEORY_LEVELS, &p.political_theory)) }
                        td {
                            (flags(p))
                            @if nominees.contains(&p.id) { span.tag { (BY_ELECTION_NOMINEE_LABEL) } }
                        }
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
    let nominees = state.app.by_election_nominee_ids(&current.session.actor).await;
    match people.and_then(|people| nominees.map(|n| (people, n.unwrap_or_default()))) {
        Ok((people, nominees)) => roster_view(
            &current,
            &people,
            &nominees,
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
            "Không đọc được tệp gửi lên; hãy chọn lại tệp rồi nhập.".to_owned()
        };
        back("/roster", Err(AppError::invalid("file", message)))
    };
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => {
                let named = field.file_name().is_some_and(|n| !n.is_empty());
                match field.bytes().await {
                    // A file chosen but empty is the app's to name ("tệp trống"); no file chosen is not.
                    Ok(b) if named || !b.is_empty() => bytes = Some(b.to_vec()),
                    Ok(_) => {}
                    Err(e) => return unread(e),
                }
            }
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(e) => return unread(e),
        }
    }
    let Some(bytes) = bytes else {
        return back("/roster", Err(AppError::invalid("file", "Chưa chọn tệp danh sách.")));
    };
    match state.app.preview_import(&current.session.actor, bytes).await {
        Ok(preview) => preview_view(&current, &preview, &Notice::default()).into_response(),
        Err(AppError::Invalid(problems)) => {
            let people = state.app.persons(&current.session.actor).await.unwrap_or_default();
            let nominees = state
                .app
                .by_election_nominee_ids(&current.session.actor)
                .await
                .ok()
                .flatten()
                .unwrap_or_default();
            let notice = Notice {
                ok: None,
                err: Some(
                    "Không đọc được tệp nên chưa nhập người nào. Sửa các lỗi dưới đây rồi chọn lại tệp."
                        .into(),
                ),
            };
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                roster_view(&current, &people, &nominees, "", &notice, &problems),
            )
                .into_response()
        }
        Err(e) => back("/roster", Err(e)),
    }
}

/// The preview of a file read, kept on the server under its token.
pub async fn roster_import_preview(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(token): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Response {
    match state.app.import_preview(&current.session.actor, &token).await {
        Ok(preview) => preview_view(&current, &preview, &Notice::from(q)).into_response(),
        Err(e) => back("/roster", Err(e)),
    }
}

/// Saves the column mapping chosen on the preview (`col.<header key>` = mapping code) and shows the
/// preview again with it.
pub async fn roster_import_mapping(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(token): Path<String>,
    Form(f): Form<BTreeMap<String, String>>,
) -> Response {
    let mapping: BTreeMap<String, String> =
        f.into_iter().filter_map(|(k, v)| k.strip_prefix("col.").map(|k| (k.to_owned(), v))).collect();
    match state.app.save_import_mapping(&current.session.actor, &token, mapping).await {
        Ok(preview) => {
            let notice = Notice {
                ok: Some("Đã lưu cách đọc các cột; lần nhập sau sẽ dùng lại.".into()),
                err: None,
            };
            preview_view(&current, &preview, &notice).into_response()
        }
        Err(e @ AppError::Invalid(_)) => back(&format!("/roster/import/{token}"), Err(e)),
        Err(e) => back("/roster", Err(e)),
    }
}

#[derive(Debug, Deserialize)]
pub struct ChoiceForm {
    choice: String,
    added: usize,
    changed: usize,
    removed: usize,
}

/// Applies the user's choice to the previewed file.
pub async fn roster_import_apply(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(token): Path<String>,
    Form(f): Form<ChoiceForm>,
) -> Response {
    let choice = match ImportChoice::parse(&f.choice) {
        Ok(c) => c,
        Err(e) => return back(&format!("/roster/import/{token}"), Err(e)),
    };
    match state
        .app
        .apply_import(&current.session.actor, &token, choice, (f.added, f.changed, f.removed))
        .await
    {
        Ok(r) => {
            let mut message = format!("Đã nhập: thêm {} người, sửa {} người", r.imported, r.changed);
            if choice == ImportChoice::Replace {
                message.push_str(&format!(", xóa {} người không có trong tệp", r.removed));
            }
            message.push('.');
            back("/roster", Ok(message))
        }
        Err(e @ AppError::NotFound(_)) => back("/roster", Err(e)),
        Err(e) => back(&format!("/roster/import/{token}"), Err(e)),
    }
}

fn person_line(p: &baucu_app::roster::PreviewPerson) -> Markup {
    html! {
        td.num { @if p.row > 0 { (p.row) } }
        td { (p.full_name) }
        td { (p.birth) }
    }
}

fn preview_view(current: &Current, p: &ImportPreview, notice: &Notice) -> Markup {
    let unknown: Vec<_> = p.columns.iter().filter(|c| c.how == "unknown").collect();
    let action = format!("/roster/import/{}", p.token);
    let content = html! {
        section.card {
            h2 { "Tóm tắt" }
            p {
                "Tệp " (p.format) ", dòng tiêu đề là dòng " (p.header_row) ". "
                "Thêm " strong { (p.added.len()) } " người, sửa " strong { (p.changed.len()) } " người, "
                (p.unchanged) " người không đổi, " strong { (p.removed.len()) } " người trong danh sách không có trong tệp, "
                strong { (p.errors.len()) } " lỗi."
            }
            p.muted { "Chưa có gì được ghi: hãy xem kỹ rồi chọn cách nhập ở cuối trang." }
        }
        section.card {
            h3 { "Các cột của tệp" }
            form method="post" action={ (action) "/mapping" } {
                (csrf(current))
                table.list {
                    thead { tr { th { "Cột" } th { "Tiêu đề trong tệp" } th { "Đọc là" } } }
                    tbody { @for c in &p.columns { tr {
                        td { (c.letter) }
                        td { (c.header) }
                        td {
                            @if c.how == "known" { (c.target_label) }
                            @else {
                                select name={ "col." (c.key) } aria-label={ "Cột " (c.letter) ": " (c.header) } {
                                    option value="" selected[c.target.is_none()] { "— chọn —" }
                                    @for (code, label) in mapping_choices() {
                                        option value=(code) selected[c.target.as_deref() == Some(code)] { (label) }
                                    }
                                }
                                @if c.how == "remembered" { " (đã nhớ từ lần trước)" }
                            }
                        }
                    } } }
                }
                @if !unknown.is_empty() {
                    p { "Có " (unknown.len()) " cột chưa rõ: chọn mỗi cột là trường nào hoặc \"Bỏ qua\"; cách chọn được nhớ cho lần nhập sau." }
                }
                @if p.columns.iter().any(|c| c.how != "known") {
                    button type="submit" { "Lưu cách đọc cột và xem lại" }
                }
            }
        }
        @if p.conversions_total > 0 {
            section.card {
                h3 { "Chữ đã chuyển từ bảng mã cũ sang Unicode (" (p.conversions_total) " ô)" }
                table.list {
                    thead { tr { th { "Ô" } th { "Bảng mã" } th { "Trước" } th { "Sau" } } }
                    tbody { @for c in &p.conversions { tr {
                        td { (c.cell) } td { (c.encoding) } td { (c.before) } td { (c.after) }
                    } } }
                }
                @if p.conversions_total > p.conversions.len() { p.muted { "Chỉ hiện " (p.conversions.len()) " ô đầu." } }
            }
        }
        @if !p.errors.is_empty() {
            section.card {
                table.errors {
                    caption { "Các dòng có lỗi (" (p.errors.len()) "):" }
                    thead { tr { th { "Dòng" } th { "Ô" } th { "Cột" } th { "Lỗi" } } }
                    tbody { @for e in &p.errors { tr {
                        td { (e.row.map(|r| r.to_string()).unwrap_or_default()) }
                        td { (e.field) }
                        td { (e.column.clone().unwrap_or_default()) }
                        td { (e.message) }
                    } } }
                }
            }
        }
        @if !p.added.is_empty() {
            section.card {
                h3 { "Thêm (" (p.added.len()) ")" }
                table.list id="preview-added" {
                    thead { tr { th { "Dòng" } th { "Họ và tên" } th { "Ngày sinh" } } }
                    tbody { @for a in &p.added { tr { (person_line(a)) } } }
                }
            }
        }
        @if !p.changed.is_empty() {
            section.card {
                h3 { "Sửa (" (p.changed.len()) ")" }
                table.list id="preview-changed" {
                    thead { tr { th { "Dòng" } th { "Họ và tên" } th { "Ngày sinh" } th { "Thay đổi" } } }
                    tbody { @for c in &p.changed { tr {
                        (person_line(&c.person))
                        td { @for (field, before, after) in &c.fields {
                            div { (field) ": " del { (before) } " → " ins { (after) } }
                        } }
                    } } }
                }
            }
        }
        @if !p.removed.is_empty() {
            section.card {
                h3 { "Có trong danh sách nhưng không có trong tệp (" (p.removed.len()) ")" }
                p.muted { "Những người này chỉ bị xóa nếu chọn \"Thay toàn bộ danh sách\"." }
                table.list id="preview-removed" {
                    thead { tr { th { "" } th { "Họ và tên" } th { "Ngày sinh" } } }
                    tbody { @for r in &p.removed { tr { (person_line(r)) } } }
                }
            }
        }
        section.card {
            h3 { "Chọn cách nhập" }
            div.actions {
                @for (code, label, allowed, why) in [
                    ("all", "Nhập tất cả", p.errors.is_empty(), (!p.errors.is_empty()).then(|| "Tệp còn lỗi: sửa lỗi, hoặc chỉ nhập các dòng hợp lệ.".to_owned())),
                    ("valid", "Chỉ nhập các dòng hợp lệ", true, (!p.errors.is_empty()).then(|| format!("{} lỗi ở trên sẽ bị bỏ qua.", p.errors.len()))),
                    ("replace", "Thay toàn bộ danh sách", p.replace_refused.is_none(), p.replace_refused.clone()),
                ] {
                    form method="post" action=(action) {
                        (csrf(current))
                        input type="hidden" name="choice" value=(code);
                        input type="hidden" name="added" value=(p.added.len());
                        input type="hidden" name="changed" value=(p.changed.len());
                        input type="hidden" name="removed" value=(p.removed.len());
                        button.primary[code == "all"] type="submit" disabled[!allowed] { (label) }
                        @if let Some(why) = why { p.muted { (why) } }
                    }
                }
            }
            p.muted { "\"Thay toàn bộ danh sách\" xóa " (p.removed.len()) " người không có trong tệp; chỉ làm được trước khi điểm danh và trước khi có danh sách bầu cử." }
            a href="/roster" { "Hủy, quay lại danh sách" }
        }
    };
    layout("Xem trước tệp danh sách", Some(current), "/roster", notice, content)
}

/// Deletes a person nothing uses yet.
pub async fn person_delete(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
) -> Response {
    match state.app.delete_person(&current.session.actor, id).await {
        Ok(name) => back("/roster", Ok(format!("Đã xóa {name} khỏi danh sách."))),
        Err(e @ AppError::NotFound(_)) => back("/roster", Err(e)),
        Err(e) => back(&format!("/roster/{id}"), Err(e)),
    }
}

fn person_fields(p: &Person) -> PersonFields {
    let mark = |b: bool| if b { "x" } else { "" }.to_owned();
    [
        ("full_name", p.full_name.clone()),
        ("birth_date", birth(p)),
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
        ("hometown", p.hometown.clone()),
        ("position", p.position.clone()),
        ("joined_on", vn_date(p.joined_on)),
        ("official_on", vn_date(p.official_on)),
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

/// The form of a person; `delete` is the person's id when they may be deleted, or why not (on the
/// page of a stored person only); `nominee`, on a by-election node, the person's id and whether they
/// are nominated from outside the committee (on the page of a stored person only).
fn person_form(
    current: &Current,
    action: &str,
    title: &str,
    f: &PersonFields,
    notice: &Notice,
    delete: Option<Result<i64, String>>,
    nominee: Option<(i64, bool)>,
) -> Markup {
    let v = |k: &str| f.get(k).cloned().unwrap_or_default();
    let checked = |k: &str| !v(k).trim().is_empty();
    let content = html! {
        form.card.grid method="post" action=(action) {
            (csrf(current))
            label.wide { "Họ và tên" input name="full_name" value=(v("full_name")) required autofocus; }
            label { "Ngày sinh" input name="birth_date" value=(v("birth_date")) placeholder="dd/mm/yyyy hoặc năm sinh"; }
            (choice("sex", "Giới tính", &SEXES, &v("sex"), false))
            label { "Dân tộc" input name="ethnicity" value=(v("ethnicity")); }
            label { "Tôn giáo" input name="religion" value=(v("religion")); }
            (choice("party_status", "Đảng viên", &PARTY_STATUSES, &v("party_status"), false))
            (choice("delegate_kind", "Loại đại biểu", &DELEGATE_KINDS, &v("delegate_kind"), true))
            label { "Đơn vị" input name="unit" value=(v("unit")); }
            label { "Trình độ chuyên môn" input name="education" value=(v("education")); }
            (choice("political_theory", "Lý luận chính trị", &THEORY_LEVELS, &v("political_theory"), true))
            label { "Quê quán" input name="hometown" value=(v("hometown")); }
            label { "Chức vụ hiện tại" input name="position" value=(v("position")); }
            label { "Ngày vào Đảng" input name="joined_on" value=(v("joined_on")) placeholder="dd/mm/yyyy"; }
            label { "Ngày chính thức" input name="official_on" value=(v("official_on")) placeholder="dd/mm/yyyy"; }
            fieldset.wide.checks {
                legend { "Đánh dấu nếu đúng" }
                @for (key, title, _) in COLUMNS.iter().filter(|(k, _, _)| FLAG_KEYS.contains(k)) {
                    label.check { input type="checkbox" name=(key) value="x" checked[checked(key)]; (title) }
                }
            }
            div.actions.wide { button.primary type="submit" { "Lưu" } a href="/roster" { "Quay lại danh sách" } }
        }
        @if let Some((id, nominee)) = nominee {
            section.card id="by-election-nominee" {
                h3 { "Hội nghị bầu bổ sung" }
                @if nominee {
                    p { strong { (BY_ELECTION_NOMINEE_LABEL) } ": không được triệu tập dự hội nghị, không tính vào số làm căn cứ; được đưa vào danh sách bầu bổ sung ban chấp hành (hoặc ủy ban kiểm tra), không được bầu vào chức vụ chỉ bầu trong số các ủy viên (ban thường vụ, bí thư, phó bí thư…)." }
                } @else {
                    p { "Ủy viên Ban Chấp hành: được triệu tập dự hội nghị và tính vào số làm căn cứ. Nếu người này là người được giới thiệu để bầu bổ sung vào ban chấp hành (chưa phải ủy viên), ghi lại dưới đây." }
                }
                form method="post" action={ "/roster/" (id) "/by-election-nominee" } {
                    (csrf(current))
                    input type="hidden" name="nominee" value=(if nominee { "0" } else { "1" });
                    button type="submit" {
                        @if nominee { "Ghi là ủy viên Ban Chấp hành" } @else { "Ghi là " (BY_ELECTION_NOMINEE_LABEL.to_lowercase()) }
                    }
                }
            }
        }
        @if let Some(delete) = delete {
            section.card id="delete" {
                h3 { "Xóa khỏi danh sách" }
                @match delete {
                    Err(why) => p { (why) },
                    Ok(id) => form method="post" action={ "/roster/" (id) "/delete" } onsubmit="return confirm('Xóa hẳn người này khỏi danh sách? Việc xóa được ghi vào nhật ký và không hoàn tác được.')" {
                        (csrf(current))
                        p { "Người này chưa được dùng ở đâu (chưa điểm danh, không có trong danh sách bầu cử) nên có thể xóa." }
                        button.danger type="submit" { "Xóa người này" }
                    },
                }
            }
        }
    };
    layout(title, Some(current), "/roster", notice, content)
}

pub async fn person_new(Extension(current): Extension<Current>) -> Markup {
    let mut f = PersonFields::new();
    f.insert("party_status".into(), "Chính thức".into());
    f.insert("sex".into(), "Nam".into());
    person_form(&current, "/roster/new", "Thêm một người", &f, &Notice::default(), None, None)
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
                person_form(&current, "/roster/new", "Thêm một người", &f, &notice, None, None),
            )
                .into_response()
        }
    }
}

pub async fn person_edit(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
    Query(q): Query<NoticeQuery>,
) -> Response {
    let person = state.app.person(&current.session.actor, id).await;
    let in_use = state.app.person_in_use(&current.session.actor, id).await;
    let nominees = state.app.by_election_nominee_ids(&current.session.actor).await;
    match (person, in_use, nominees) {
        (Ok(p), Ok(in_use), Ok(nominees)) => person_form(
            &current,
            &format!("/roster/{id}"),
            &p.full_name.clone(),
            &person_fields(&p),
            &Notice::from(q),
            Some(in_use.map_or(Ok(id), |why| Err(format!("Không xóa được: {why}")))),
            nominees.map(|n| (id, n.contains(&id))),
        )
        .into_response(),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => app_error(e),
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
                person_form(&current, &format!("/roster/{id}"), "Sửa thông tin", &f, &notice, None, None),
            )
                .into_response()
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct NomineeForm {
    nominee: String,
}

/// Marks a person of a by-election node's roster as nominated from outside the committee (`1`) or as
/// a member again (`0`); anything else is refused.
pub async fn person_nominee(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Path(id): Path<i64>,
    Form(f): Form<NomineeForm>,
) -> Response {
    let to = format!("/roster/{id}");
    let nominee = match f.nominee.trim() {
        "1" => true,
        "0" => false,
        _ => {
            return back(
                &to,
                Err(AppError::invalid(
                    "nominee",
                    "Chọn: ủy viên Ban Chấp hành, hoặc người được giới thiệu bầu bổ sung (không phải ủy viên).",
                )),
            );
        }
    };
    let r = state.app.set_by_election_nominee(&current.session.actor, id, nominee).await;
    let done = if nominee {
        format!("Đã ghi là {}.", BY_ELECTION_NOMINEE_LABEL.to_lowercase())
    } else {
        "Đã ghi là ủy viên Ban Chấp hành.".to_owned()
    };
    back(&to, r.map(|()| done))
}
