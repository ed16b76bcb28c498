//! The web face of a congress node: server-rendered Vietnamese pages and a JSON API, both over the
//! application layer. Every route is declared once in [`routes`], with who may use it; the router,
//! the guard that enforces it, the OpenAPI document and the security tests all read that table.

pub mod aggregator;
mod api;
mod counting;
mod extract;
pub mod gate;
mod guard;
mod pages;
pub mod server;
pub mod tls;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::routing::MethodRouter;
use baucu_app::{App, Permission};
use std::collections::BTreeMap;
use std::sync::Arc;

pub use guard::SESSION_COOKIE;
pub use server::{Limits, ServeOptions, serve};

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, logged in or not.
    Public,
    /// Any logged-in account.
    LoggedIn,
    /// Accounts whose role has this permission.
    Needs(Permission),
}

/// One route of the application.
#[derive(Debug, Clone)]
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    /// What it does, for the OpenAPI document.
    pub summary: &'static str,
    /// The largest request body it reads, in bytes ([`DEFAULT_BODY_LIMIT`] unless set with
    /// [`RouteSpec::limit`]); a larger one is answered 413 in Vietnamese.
    pub body_limit: usize,
}

/// The body limit of a route that takes a form or JSON: far above any form of the application.
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;
/// The body limit of a route that takes a spreadsheet (the file and the multipart wrapping).
pub const UPLOAD_BODY_LIMIT: usize = baucu_app::limits::XLSX_MAX_BYTES + 64 * 1024;

impl RouteSpec {
    /// The route with another body limit, in bytes.
    pub fn limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// Whether a request changes state (and so needs a CSRF token).
    pub fn mutates(&self) -> bool {
        !matches!(self.method, Method::GET | Method::HEAD | Method::OPTIONS)
    }

    pub fn is_api(&self) -> bool {
        self.path.starts_with("/api/")
    }
}

#[derive(Clone, Debug)]
pub struct AppState {
    pub app: App,
    /// The public live-update streams open at once, in all and per address.
    pub streams: Arc<gate::AddressGate>,
}

/// How the router is set up for the way the node serves.
#[derive(Debug, Clone)]
pub struct RouterOptions {
    /// Served over HTTPS: every cookie gets `Secure`.
    pub secure_cookies: bool,
    pub streams: Arc<gate::AddressGate>,
}

impl Default for RouterOptions {
    fn default() -> Self {
        let limits = Limits::for_open_files(1024);
        RouterOptions {
            secure_cookies: false,
            streams: gate::AddressGate::new(limits.streams, limits.streams_per_address),
        }
    }
}

type Route = (RouteSpec, MethodRouter<AppState>);

fn spec(method: Method, path: &'static str, access: Access, summary: &'static str) -> RouteSpec {
    RouteSpec { method, path, access, summary, body_limit: DEFAULT_BODY_LIMIT }
}

/// Every route, with its access rule and handler.
fn table() -> Vec<Route> {
    use Access::*;
    use Permission::*;
    use axum::routing::{get, post, put};
    vec![
        (spec(Method::GET, "/healthz", Public, "Kiểm tra máy chủ còn chạy"), get(pages::healthz)),
        (spec(Method::GET, "/static/style.css", Public, "Bảng kiểu của các trang"), get(pages::stylesheet)),
        (spec(Method::GET, "/login", Public, "Trang đăng nhập"), get(pages::login_page)),
        (spec(Method::POST, "/login", Public, "Đăng nhập"), post(pages::login_submit)),
        (spec(Method::POST, "/logout", LoggedIn, "Đăng xuất"), post(pages::logout)),
        (spec(Method::GET, "/account/password", LoggedIn, "Đổi mật khẩu"), get(pages::password_page)),
        (spec(Method::POST, "/account/password", LoggedIn, "Lưu mật khẩu mới"), post(pages::password_submit)),
        (spec(Method::GET, "/", LoggedIn, "Trang tổng quan"), get(pages::home)),
        (spec(Method::GET, "/congress", Needs(ViewSetup), "Thông tin đại hội"), get(pages::congress_page)),
        (
            spec(Method::POST, "/congress", Needs(EditCongress), "Lưu thông tin đại hội"),
            post(pages::congress_submit),
        ),
        (
            spec(Method::GET, "/roster", Needs(ViewSetup), "Danh sách đảng viên, đại biểu"),
            get(pages::roster_page),
        ),
        (
            spec(Method::GET, "/roster/template.xlsx", Needs(ViewSetup), "Tệp Excel mẫu"),
            get(pages::roster_template),
        ),
        (
            spec(Method::POST, "/roster/import", Needs(EditRoster), "Đọc tệp danh sách để xem trước")
                .limit(UPLOAD_BODY_LIMIT),
            post(pages::roster_import),
        ),
        (
            spec(Method::GET, "/roster/import/{token}", Needs(EditRoster), "Xem trước tệp danh sách"),
            get(pages::roster_import_preview),
        ),
        (
            spec(Method::POST, "/roster/import/{token}", Needs(EditRoster), "Nhập tệp danh sách đã xem trước"),
            post(pages::roster_import_apply),
        ),
        (
            spec(Method::POST, "/roster/import/{token}/mapping", Needs(EditRoster), "Lưu cách đọc các cột của tệp"),
            post(pages::roster_import_mapping),
        ),
        (
            spec(Method::POST, "/roster/{id}/delete", Needs(EditRoster), "Xóa một người khỏi danh sách"),
            post(pages::person_delete),
        ),
        (spec(Method::GET, "/roster/new", Needs(EditRoster), "Thêm một người"), get(pages::person_new)),
        (spec(Method::POST, "/roster/new", Needs(EditRoster), "Lưu người mới"), post(pages::person_create)),
        (
            spec(Method::GET, "/roster/{id}", Needs(EditRoster), "Sửa thông tin một người"),
            get(pages::person_edit),
        ),
        (
            spec(
                Method::POST,
                "/roster/{id}/by-election-nominee",
                Needs(EditRoster),
                "Ghi người được giới thiệu bầu bổ sung (không phải ủy viên)",
            ),
            post(pages::person_nominee),
        ),
        (
            spec(Method::POST, "/roster/{id}", Needs(EditRoster), "Lưu thông tin một người"),
            post(pages::person_update),
        ),
        (
            spec(Method::GET, "/attendance", Needs(ViewSetup), "Điểm danh và số làm căn cứ"),
            get(pages::attendance_page),
        ),
        (
            spec(Method::POST, "/attendance/sittings", Needs(TakeAttendance), "Thêm phiên họp"),
            post(pages::sitting_create),
        ),
        (
            spec(
                Method::POST,
                "/attendance/plenum",
                Needs(TakeAttendance),
                "Triệu tập hội nghị lần thứ nhất từ kết quả bầu",
            ),
            post(pages::plenum_summon),
        ),
        (
            spec(Method::POST, "/attendance/check-in", Needs(TakeAttendance), "Điểm danh một người"),
            post(pages::check_in),
        ),
        (
            spec(Method::POST, "/attendance/check-in-name", Needs(TakeAttendance), "Điểm danh theo họ tên"),
            post(pages::check_in_name),
        ),
        (
            spec(Method::POST, "/attendance/absence", Needs(TakeAttendance), "Ghi vắng mặt cả đại hội"),
            post(pages::absence),
        ),
        (
            spec(
                Method::POST,
                "/attendance/alternate",
                Needs(TakeAttendance),
                "Triệu tập đại biểu dự khuyết",
            ),
            post(pages::alternate),
        ),
        (spec(Method::GET, "/votes", Needs(ViewSetup), "Biểu quyết tại đại hội"), get(pages::votes_page)),
        (
            spec(Method::POST, "/votes", Needs(TakeAttendance), "Ghi một biểu quyết của đại hội"),
            post(pages::vote_record),
        ),
        (spec(Method::GET, "/plan", Needs(ViewSetup), "Phương án nhân sự"), get(pages::plan_page)),
        (
            spec(Method::POST, "/plan", Needs(DefineElections), "Nhập phương án nhân sự của một cơ quan"),
            post(pages::plan_submit),
        ),
        (
            spec(Method::POST, "/plan/remove", Needs(DefineElections), "Xóa phương án nhân sự của một cơ quan"),
            post(pages::plan_remove),
        ),
        (spec(Method::GET, "/elections", Needs(ViewSetup), "Các cuộc bầu cử"), get(pages::elections_page)),
        (
            spec(Method::POST, "/elections", Needs(DefineElections), "Thêm cuộc bầu cử"),
            post(pages::election_create),
        ),
        (
            spec(Method::GET, "/elections/{id}", Needs(ViewSetup), "Danh sách bầu cử của một cuộc bầu"),
            get(pages::election_page),
        ),
        (
            spec(Method::POST, "/elections/{id}/candidates", Needs(EditLists), "Giới thiệu, đề cử, ứng cử"),
            post(pages::candidate_add),
        ),
        (
            spec(Method::POST, "/elections/{id}/withdrawal", Needs(EditLists), "Ghi đơn xin rút"),
            post(pages::withdrawal_request),
        ),
        (
            spec(Method::POST, "/elections/{id}/removal", Needs(EditLists), "Đưa tên ra khỏi danh sách"),
            post(pages::removal),
        ),
        (
            spec(
                Method::POST,
                "/elections/{id}/withdrawal-decision",
                Needs(DecideLists),
                "Đại hội quyết định việc xin rút",
            ),
            post(pages::withdrawal_decision),
        ),
        (
            spec(Method::POST, "/elections/{id}/poll", Needs(DecideLists), "Kết quả lấy phiếu xin ý kiến"),
            post(pages::poll),
        ),
        (
            spec(
                Method::POST,
                "/elections/{id}/poll-tie",
                Needs(DecideLists),
                "Đại hội quyết định người bằng phiếu",
            ),
            post(pages::poll_tie),
        ),
        (
            spec(Method::POST, "/elections/{id}/move", Needs(DecideLists), "Đổi thứ tự trên phiếu"),
            post(pages::move_on_ballot),
        ),
        (
            spec(Method::POST, "/elections/{id}/order-reset", Needs(DecideLists), "Xếp lại theo vần chữ cái"),
            post(pages::order_reset),
        ),
        (
            spec(
                Method::POST,
                "/elections/{id}/approval",
                Needs(DecideLists),
                "Biểu quyết thông qua danh sách",
            ),
            post(pages::approval),
        ),
        (spec(Method::GET, "/admin/users", Needs(ManageUsers), "Quản lý tài khoản"), get(pages::users_page)),
        (spec(Method::POST, "/admin/users", Needs(ManageUsers), "Tạo tài khoản"), post(pages::user_create)),
        (
            spec(Method::POST, "/admin/users/{id}", Needs(ManageUsers), "Sửa tài khoản"),
            post(pages::user_update),
        ),
        (
            spec(Method::POST, "/admin/users/{id}/password", Needs(ManageUsers), "Đặt lại mật khẩu"),
            post(pages::user_password),
        ),
        (
            spec(Method::POST, "/admin/throttles/lift", Needs(ManageUsers), "Gỡ giới hạn đăng nhập"),
            post(pages::throttle_lift),
        ),
        (spec(Method::GET, "/audit", Needs(ViewSetup), "Nhật ký thao tác"), get(pages::audit_page)),
        (
            spec(
                Method::GET,
                "/audit/nhat-ky-thao-tac.pdf",
                Needs(ViewSetup),
                "Nhật ký thao tác đã lọc (PDF)",
            ),
            get(pages::audit_pdf),
        ),
        (
            spec(Method::GET, "/backup", Needs(ManageCounting), "Sao lưu dữ liệu"),
            get(pages::backup::backup_page),
        ),
        (
            spec(Method::POST, "/backup", Needs(ManageCounting), "Tải về một bản sao lưu mới, đã kiểm tra"),
            post(pages::backup::backup_download),
        ),
        // Counting.
        (
            spec(Method::POST, "/elections/{id}/rounds", Needs(RunRounds), "Mở lần bầu thứ nhất"),
            post(counting::round_open),
        ),
        (
            spec(Method::POST, "/elections/{id}/poll-rounds", Needs(RunRounds), "Mở kiểm phiếu xin ý kiến bằng máy"),
            post(counting::poll_round_open),
        ),
        (
            spec(Method::GET, "/rounds/{id}", Needs(ViewCounting), "Lần bầu: tiến độ kiểm phiếu và kết quả"),
            get(counting::round_page),
        ),
        (
            spec(Method::GET, "/rounds/{id}/events", Needs(ViewCounting), "Cập nhật tiến độ trực tiếp"),
            get(counting::round_events),
        ),
        (
            spec(Method::GET, "/rounds/{id}/journal", Needs(ViewCounting), "Nhật ký nhập phiếu"),
            get(counting::journal_page),
        ),
        (
            spec(
                Method::GET,
                "/rounds/{id}/files/{file}",
                Needs(ViewCounting),
                "Tải tài liệu: phiếu bầu, biên bản, kết quả, nhật ký",
            ),
            get(counting::round_file),
        ),
        (spec(Method::GET, "/package", Needs(ExportPackage), "Gói kết quả gửi cấp trên"), get(pages::package_page)),
        (
            spec(Method::POST, "/package/unit-code", Needs(ExportPackage), "Lưu mã đơn vị"),
            post(pages::package_unit_code),
        ),
        (
            spec(Method::POST, "/package/export", Needs(ExportPackage), "Xuất gói kết quả đã ký"),
            post(pages::package_export),
        ),
        (
            spec(Method::GET, "/package/files/{version}", Needs(ExportPackage), "Tải gói kết quả"),
            get(pages::package_file),
        ),
        (
            spec(Method::POST, "/package/send", Needs(ExportPackage), "Gửi gói kết quả lên máy tổng hợp cấp trên"),
            post(pages::package_send),
        ),
        (
            spec(Method::GET, "/documents", Needs(ViewCounting), "Tài liệu đại hội"),
            get(pages::documents_page),
        ),
        (spec(Method::GET, "/guide", Needs(ViewCounting), "Điều hành đại hội"), get(pages::guide_page)),
        (
            spec(
                Method::GET,
                "/documents/files/{file}",
                Needs(ViewCounting),
                "Tải báo cáo thẩm tra tư cách, báo cáo kết quả đại hội",
            ),
            get(pages::congress_document),
        ),
        (
            spec(
                Method::GET,
                "/documents/elections/{id}/{file}",
                Needs(ViewCounting),
                "Tải danh sách trích ngang, phiếu giới thiệu, phiếu xin ý kiến",
            ),
            get(pages::election_document),
        ),
        (
            spec(
                Method::GET,
                "/elections/{id}/files/{file}",
                Needs(ViewCounting),
                "Tải danh sách trúng cử và cơ cấu",
            ),
            get(counting::election_file),
        ),
        (
            spec(Method::POST, "/rounds/{id}/issued", Needs(ManageCounting), "Ghi số phiếu phát ra"),
            post(counting::issued),
        ),
        (
            spec(Method::POST, "/rounds/{id}/stacks", Needs(ManageCounting), "Giao một chồng phiếu"),
            post(counting::stack_create),
        ),
        (
            spec(
                Method::POST,
                "/rounds/{id}/close",
                Needs(ManageCounting),
                "Kết thúc kiểm phiếu, tính kết quả",
            ),
            post(counting::close),
        ),
        (
            spec(
                Method::POST,
                "/rounds/{id}/decide",
                Needs(RunRounds),
                "Quyết định của đoàn chủ tịch sau kết quả",
            ),
            post(counting::decide),
        ),
        (
            spec(Method::POST, "/rounds/{id}/publish", Needs(RunRounds), "Công bố kết quả"),
            post(counting::publish),
        ),
        (
            spec(Method::POST, "/rounds/{id}/unpublish", Needs(RunRounds), "Gỡ công bố kết quả, có lý do"),
            post(counting::unpublish),
        ),
        (
            spec(
                Method::POST,
                "/rounds/{id}/reopen",
                Needs(RunRounds),
                "Mở lại lần bầu đã kết thúc, có lý do",
            ),
            post(counting::reopen_round),
        ),
        (
            spec(Method::GET, "/stacks/{id}", Needs(ViewCounting), "Đối chiếu một chồng phiếu"),
            get(counting::stack_page),
        ),
        (
            spec(
                Method::POST,
                "/stacks/{id}/resolve",
                Needs(ManageCounting),
                "Ban kiểm phiếu quyết định phiếu chênh lệch",
            ),
            post(counting::resolve),
        ),
        (
            spec(Method::POST, "/entries/{id}/reopen", Needs(ManageCounting), "Mở lại một lượt nhập"),
            post(counting::reopen),
        ),
        (
            spec(Method::GET, "/entry", Needs(EnterBallots), "Các chồng phiếu được giao"),
            get(counting::my_entries),
        ),
        (
            spec(Method::GET, "/entry/{id}", Needs(EnterBallots), "Màn hình nhập phiếu"),
            get(counting::entry_page),
        ),
        (
            spec(Method::GET, "/static/entry.js", Public, "Mã của màn hình nhập phiếu"),
            get(counting::entry_script),
        ),
        (spec(Method::GET, "/static/live.js", Public, "Mã cập nhật trực tiếp"), get(counting::live_script)),
        (
            spec(Method::GET, "/results", Public, "Kết quả đã công bố (màn chiếu)"),
            get(counting::results_page),
        ),
        (
            spec(Method::GET, "/results/fragment", Public, "Phần kết quả của màn chiếu"),
            get(counting::results_fragment),
        ),
        (
            spec(Method::GET, "/results/events", Public, "Báo có kết quả mới công bố"),
            get(counting::results_events),
        ),
        // JSON API: the same actions for scripts and tests.
        (spec(Method::GET, "/api/openapi.json", LoggedIn, "This document"), get(api::openapi)),
        (
            spec(
                Method::POST,
                "/api/login",
                Public,
                "Log in; returns the CSRF token and sets the session cookie",
            ),
            post(api::login),
        ),
        (spec(Method::GET, "/api/congress", Needs(ViewSetup), "The congress"), get(api::congress)),
        (
            spec(Method::PUT, "/api/congress", Needs(EditCongress), "Set up or change the congress"),
            put(api::congress_save),
        ),
        (
            spec(
                Method::GET,
                "/api/persons",
                Needs(ViewSetup),
                "The roster; ?q= searches names without diacritics",
            ),
            get(api::persons),
        ),
        (spec(Method::POST, "/api/persons", Needs(EditRoster), "Add a person"), post(api::person_create)),
        (
            spec(Method::PUT, "/api/persons/{id}", Needs(EditRoster), "Change a person"),
            put(api::person_update),
        ),
        (
            spec(
                Method::POST,
                "/api/roster/import",
                Needs(EditRoster),
                "Import a roster file (.xlsx, .xls, .ods or .csv, the request body) directly, without the page's preview; all or nothing",
            )
            .limit(UPLOAD_BODY_LIMIT),
            post(api::roster_import),
        ),
        (
            spec(
                Method::GET,
                "/api/attendance",
                Needs(ViewSetup),
                "Attendance of a sitting (?sitting=) and the base",
            ),
            get(api::attendance),
        ),
        (
            spec(Method::POST, "/api/sittings", Needs(TakeAttendance), "Add a sitting"),
            post(api::sitting_create),
        ),
        (
            spec(
                Method::POST,
                "/api/plenums",
                Needs(TakeAttendance),
                "Summon the first plenum of a decided body (committee, inspection_committee): its sitting",
            ),
            post(api::plenum_summon),
        ),
        (
            spec(
                Method::POST,
                "/api/attendance/check-in",
                Needs(TakeAttendance),
                "Check a person in or out of a sitting",
            ),
            post(api::check_in),
        ),
        (
            spec(
                Method::PUT,
                "/api/persons/{id}/absence",
                Needs(TakeAttendance),
                "Whole-congress absence of a person",
            ),
            put(api::absence),
        ),
        (
            spec(
                Method::PUT,
                "/api/persons/{id}/by-election-nominee",
                Needs(EditRoster),
                "By-election node: mark a person as nominated from outside the committee ({\"nominee\": true}: not summoned, not in the base) or as a member ({\"nominee\": false})",
            ),
            put(api::by_election_nominee),
        ),
        (spec(Method::GET, "/api/plan", Needs(ViewSetup), "The personnel plan"), get(api::plan)),
        (spec(Method::GET, "/api/elections", Needs(ViewSetup), "The elections"), get(api::elections)),
        (
            spec(Method::POST, "/api/elections", Needs(DefineElections), "Define an election"),
            post(api::election_create),
        ),
        (
            spec(
                Method::GET,
                "/api/elections/{id}",
                Needs(ViewSetup),
                "An election with its list, checked by the engine",
            ),
            get(api::election),
        ),
        (
            spec(Method::POST, "/api/elections/{id}/candidates", Needs(EditLists), "Put a person forward"),
            post(api::candidate_add),
        ),
        (
            spec(
                Method::POST,
                "/api/elections/{id}/removal",
                Needs(EditLists),
                "Take a name off a list not yet approved, with a reason",
            ),
            post(api::removal),
        ),
        (
            spec(Method::POST, "/api/elections/{id}/poll", Needs(DecideLists), "Record the opinion poll"),
            post(api::poll),
        ),
        (
            spec(
                Method::POST,
                "/api/elections/{id}/approval",
                Needs(DecideLists),
                "Record the approval vote of the list",
            ),
            post(api::approval),
        ),
        (
            spec(
                Method::POST,
                "/api/elections/{id}/rounds",
                Needs(RunRounds),
                "Open the first round of an election",
            ),
            post(api::round_open),
        ),
        (
            spec(
                Method::POST,
                "/api/elections/{id}/poll-rounds",
                Needs(RunRounds),
                "Open a poll counted like ballots on the list's outside nominees",
            ),
            post(api::poll_round_open),
        ),
        (
            spec(Method::GET, "/api/rounds/{id}", Needs(ViewCounting), "A round: stacks, progress, result"),
            get(api::round),
        ),
        (
            spec(
                Method::GET,
                "/api/rounds/{id}/ballots",
                Needs(ViewCounting),
                "The agreed ballot codes of the accepted stacks",
            ),
            get(api::round_ballots),
        ),
        (
            spec(Method::POST, "/api/rounds/{id}/issued", Needs(ManageCounting), "Record ballots issued"),
            post(api::issued),
        ),
        (
            spec(Method::POST, "/api/rounds/{id}/stacks", Needs(ManageCounting), "Hand a stack to operators"),
            post(api::stack_create),
        ),
        (
            spec(
                Method::POST,
                "/api/rounds/{id}/close",
                Needs(ManageCounting),
                "Close the round; the engine computes the result",
            ),
            post(api::close),
        ),
        (
            spec(
                Method::POST,
                "/api/rounds/{id}/decide",
                Needs(RunRounds),
                "The presidium's decision after the result",
            ),
            post(api::decide),
        ),
        (
            spec(Method::POST, "/api/rounds/{id}/publish", Needs(RunRounds), "Publish the result"),
            post(api::publish),
        ),
        (
            spec(
                Method::POST,
                "/api/rounds/{id}/unpublish",
                Needs(RunRounds),
                "Unpublish the result, with a reason",
            ),
            post(api::unpublish),
        ),
        (
            spec(
                Method::POST,
                "/api/rounds/{id}/reopen",
                Needs(RunRounds),
                "Reopen a closed round, with a reason",
            ),
            post(api::reopen),
        ),
        (
            spec(
                Method::POST,
                "/api/stacks/{id}/resolve",
                Needs(ManageCounting),
                "The board's reading of a differing ballot",
            ),
            post(api::resolve),
        ),
        (
            spec(Method::GET, "/api/entry", Needs(EnterBallots), "The entries assigned to me"),
            get(api::my_entries),
        ),
        (
            spec(Method::GET, "/api/entries/{id}", Needs(EnterBallots), "My entry with its ballots"),
            get(api::entry),
        ),
        (
            spec(
                Method::GET,
                "/api/entries/{id}/check",
                Needs(EnterBallots),
                "The engine's verdict on a ballot as typed (?code=)",
            ),
            get(api::check),
        ),
        (
            spec(
                Method::POST,
                "/api/entries/{id}/ballots",
                Needs(EnterBallots),
                "Store one ballot ({code, key}); idempotent by key",
            ),
            post(api::submit),
        ),
        (
            spec(
                Method::PUT,
                "/api/entries/{id}/ballots/{seq}",
                Needs(EnterBallots),
                "Correct an earlier ballot",
            ),
            put(api::correct),
        ),
        (
            spec(Method::POST, "/api/entries/{id}/undo", Needs(EnterBallots), "Take back the last ballot"),
            post(api::undo),
        ),
        (
            spec(
                Method::POST,
                "/api/entries/{id}/finish",
                Needs(EnterBallots),
                "The stack is keyed: finish the entry",
            ),
            post(api::finish),
        ),
    ]
}

/// The route table, for the guard, the OpenAPI document and the tests.
pub fn routes() -> Vec<RouteSpec> {
    table().into_iter().map(|(s, _)| s).collect()
}

/// The router of a route table: each route's handler with its body limit, the methods of one path
/// merged. The node's table and the aggregator's are built here alike.
pub(crate) fn routes_of<S: Clone + Send + Sync + 'static>(
    table: impl IntoIterator<Item = (&'static str, usize, MethodRouter<S>)>,
) -> Router<S> {
    let mut by_path: BTreeMap<&'static str, MethodRouter<S>> = BTreeMap::new();
    for (path, body_limit, handler) in table {
        let handler = handler.layer(DefaultBodyLimit::max(body_limit));
        let merged = match by_path.remove(path) {
            Some(existing) => existing.merge(handler),
            None => handler,
        };
        by_path.insert(path, merged);
    }
    by_path.into_iter().fold(Router::new(), |router, (path, handler)| router.route(path, handler))
}

/// The whole application as an axum router, as served over plain HTTP.
pub fn router(app: App) -> Router {
    router_with(app, RouterOptions::default())
}

/// The whole application as an axum router.
pub fn router_with(app: App, options: RouterOptions) -> Router {
    let state = AppState { app, streams: options.streams };
    routes_of(table().into_iter().map(|(spec, handler)| (spec.path, spec.body_limit, handler)))
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), guard::guard))
        .fallback(guard::not_found)
        .layer(axum::middleware::from_fn(extract::error_shape))
        .layer(axum::middleware::map_response(move |response| {
            secure_cookies(response, options.secure_cookies)
        }))
        .layer(axum::middleware::map_response(hall_headers))
        .with_state(state)
}

/// Headers on every answer: no page of the node may be framed by another site (a stranger's page in
/// the hall cannot overlay the node's buttons; the round page frames its own ballot preview), no
/// content-type guessing, and no address of a node page sent to another site.
async fn hall_headers(mut response: axum::response::Response) -> axum::response::Response {
    use axum::http::HeaderValue;
    let headers = response.headers_mut();
    headers.insert("x-frame-options", HeaderValue::from_static("SAMEORIGIN"));
    headers.insert("content-security-policy", HeaderValue::from_static("frame-ancestors 'self'"));
    headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    headers.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    response
}

/// Over HTTPS, every cookie the node sets is `Secure`: a browser never sends it over plain HTTP.
async fn secure_cookies(mut response: axum::response::Response, secure: bool) -> axum::response::Response {
    if !secure {
        return response;
    }
    use axum::http::header::SET_COOKIE;
    let headers = response.headers_mut();
    let cookies: Vec<String> =
        headers.get_all(SET_COOKIE).iter().filter_map(|c| c.to_str().ok()).map(str::to_owned).collect();
    headers.remove(SET_COOKIE);
    // A cookie that is not text is not set at all rather than set without `Secure`.
    for cookie in cookies {
        if let Ok(value) = format!("{cookie}; Secure").parse() {
            headers.append(SET_COOKIE, value);
        }
    }
    response
}
