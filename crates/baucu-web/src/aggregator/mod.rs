//! The web face of the superior committee's aggregator (`baucu serve --role aggregator`): Vietnamese
//! pages for the office's clerks and the one API route the congress nodes post their signed result
//! packages to. As on the node, every route is declared once in [`table`] with who may use it; the
//! guard reads that table (session → CSRF for what changes state → the role's permission), and every
//! action goes through the aggregator's application functions (`baucu_aggregator`), which check the
//! actor's role and area again.

mod api;
mod guard;
mod pages;
mod throttle;
pub mod upload;

use crate::DEFAULT_BODY_LIMIT;
use axum::Router;
use axum::http::Method;
use axum::routing::MethodRouter;
use baucu_aggregator::AppError;
use baucu_aggregator::accounts::Permission;
use baucu_app::baucu_store::aggregator::db::AggDb;
use std::sync::Arc;

pub use guard::Signed;
pub use throttle::Throttle;

/// Who may use a route of the aggregator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone (the login page, the stylesheet, the package endpoint whose signature is its proof).
    Public,
    /// Any signed-in account.
    SignedIn,
    /// Accounts whose role has this permission.
    Needs(Permission),
}

/// One route of the aggregator.
#[derive(Debug, Clone)]
pub struct AggRoute {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    pub summary: &'static str,
    /// The largest request body read, in bytes.
    pub body_limit: usize,
}

impl AggRoute {
    fn limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// Whether a request changes state (and so needs the session's CSRF token).
    pub fn mutates(&self) -> bool {
        !matches!(self.method, Method::GET | Method::HEAD | Method::OPTIONS)
    }

    pub fn is_api(&self) -> bool {
        self.path.starts_with("/api/")
    }
}

/// The shared state of the aggregator's handlers.
#[derive(Clone)]
pub struct AggState {
    pub db: AggDb,
    pub throttle: Arc<Throttle>,
    /// Sign-in throttling per account name.
    pub logins: Arc<baucu_aggregator::accounts::LoginThrottle>,
    /// Served over HTTPS: the session cookie gets `Secure`.
    pub secure: bool,
}

impl std::fmt::Debug for AggState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AggState").field("secure", &self.secure).finish_non_exhaustive()
    }
}

/// Runs a blocking application function on the blocking pool.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(f).await.unwrap_or_else(|e| {
        Err(AppError::Store(baucu_app::baucu_store::StoreError::Data(format!("tác vụ bị hủy: {e}"))))
    })
}

type Route = (AggRoute, MethodRouter<AggState>);

fn spec(method: Method, path: &'static str, access: Access, summary: &'static str) -> AggRoute {
    AggRoute { method, path, access, summary, body_limit: DEFAULT_BODY_LIMIT }
}

/// Every route of the aggregator, with its access rule and handler.
fn table() -> Vec<Route> {
    use Access::*;
    use Permission::*;
    use axum::routing::{get, post};
    vec![
        (spec(Method::GET, "/healthz", Public, "Kiểm tra máy chủ còn chạy"), get(crate::pages::healthz)),
        (spec(Method::GET, "/static/style.css", Public, "Bảng kiểu của các trang"), get(pages::stylesheet)),
        (spec(Method::GET, "/login", Public, "Trang đăng nhập"), get(pages::login_page)),
        (spec(Method::POST, "/login", Public, "Đăng nhập"), post(pages::login_submit)),
        (spec(Method::POST, "/logout", SignedIn, "Đăng xuất"), post(pages::logout)),
        (
            spec(Method::GET, "/", Needs(ViewReports), "Tổng quan: tiến độ, việc sắp đến hạn và quá hạn"),
            get(pages::dashboard),
        ),
        (
            spec(Method::GET, "/units", Needs(ViewReports), "Cây đơn vị: tình trạng, thời hạn"),
            get(pages::units_page),
        ),
        (
            spec(Method::POST, "/units/import", Needs(Import), "Nhập danh sách đơn vị (Excel)")
                .limit(pages::UNITS_BODY_LIMIT),
            post(pages::units_import),
        ),
        (spec(Method::GET, "/packages", Needs(Import), "Nhận gói kết quả"), get(pages::packages_page)),
        (
            spec(Method::POST, "/packages", Needs(Import), "Nhận một thư mục gói kết quả")
                .limit(upload::BODY_LIMIT),
            post(pages::packages_upload),
        ),
        (
            spec(Method::GET, "/congress/{unit}", Needs(ViewReports), "Đại hội của một đơn vị"),
            get(pages::congress_page),
        ),
        (
            spec(
                Method::GET,
                "/congress/{unit}/packages/{version}/summary.pdf",
                Needs(ViewReports),
                "Tải bản tóm tắt PDF của gói",
            ),
            get(pages::package_summary),
        ),
        (
            spec(
                Method::GET,
                "/congress/{unit}/packages/{version}/package",
                Needs(ViewReports),
                "Tải gói kết quả",
            ),
            get(pages::package_file),
        ),
        (
            spec(Method::POST, "/congress/{unit}/held", Needs(Decide), "Ghi đại hội đã tổ chức"),
            post(pages::mark_held),
        ),
        (
            spec(Method::POST, "/congress/{unit}/approve", Needs(Decide), "Chuẩn y kết quả bầu một cơ quan"),
            post(pages::approve),
        ),
        (
            spec(
                Method::POST,
                "/congress/{unit}/refuse",
                Needs(Decide),
                "Không chuẩn y một người hay một cơ quan",
            ),
            post(pages::refuse),
        ),
        (
            spec(
                Method::POST,
                "/congress/{unit}/annul",
                Needs(Decide),
                "Hủy kết quả đại hội hay một cuộc bầu",
            ),
            post(pages::annul),
        ),
        (
            spec(Method::POST, "/congress/{unit}/keys/revoke", Needs(Import), "Thu hồi khóa ký của đơn vị"),
            post(pages::revoke_key),
        ),
        (
            spec(Method::POST, "/congress/{unit}/complaints", Needs(LogComplaint), "Ghi nhận đơn khiếu nại"),
            post(pages::complaint_log),
        ),
        (
            spec(Method::GET, "/complaints", Needs(ViewReports), "Danh sách khiếu nại"),
            get(pages::complaints_page),
        ),
        (
            spec(
                Method::POST,
                "/complaints/{id}/verifier",
                Needs(VerifyComplaint),
                "Giao người xác minh khiếu nại",
            ),
            post(pages::complaint_verifier),
        ),
        (
            spec(
                Method::POST,
                "/complaints/{id}/outcome",
                Needs(VerifyComplaint),
                "Ghi kết quả giải quyết khiếu nại",
            ),
            post(pages::complaint_outcome),
        ),
        (
            spec(Method::GET, "/calendar", Needs(ViewReports), "Ngày nghỉ và thời hạn"),
            get(pages::calendar_page),
        ),
        (
            spec(Method::POST, "/calendar/holidays", Needs(EditHolidays), "Thêm ngày nghỉ"),
            post(pages::holiday_add),
        ),
        (
            spec(Method::POST, "/calendar/holidays/remove", Needs(EditHolidays), "Bỏ một ngày nghỉ"),
            post(pages::holiday_remove),
        ),
        (
            spec(Method::POST, "/calendar/deadlines", Needs(Administer), "Sửa thời hạn (số ngày làm việc)"),
            post(pages::deadlines_save),
        ),
        (spec(Method::GET, "/reports", Needs(ViewReports), "Báo cáo tổng hợp"), get(pages::reports_page)),
        (
            spec(Method::GET, "/reports/bao-cao.xlsx", Needs(ViewReports), "Tải báo cáo (Excel)"),
            get(pages::report_xlsx),
        ),
        (
            spec(Method::GET, "/reports/bao-cao.pdf", Needs(ViewReports), "Tải báo cáo (PDF)"),
            get(pages::report_pdf),
        ),
        (spec(Method::GET, "/users", Needs(Administer), "Quản lý tài khoản"), get(pages::users_page)),
        (spec(Method::POST, "/users", Needs(Administer), "Tạo tài khoản"), post(pages::user_create)),
        (
            spec(
                Method::POST,
                "/api/packages",
                Public,
                "Nhận một gói kết quả từ máy đại hội (chữ ký là bằng chứng)",
            )
            .limit(upload::MAX_FILE_BYTES),
            post(api::package_post),
        ),
    ]
}

/// The aggregator's route table, for the guard and the tests.
pub fn routes() -> Vec<AggRoute> {
    table().into_iter().map(|(s, _)| s).collect()
}

/// The aggregator as an axum router.
pub fn router(db: AggDb, secure: bool) -> Router {
    let state = AggState {
        db,
        throttle: Arc::new(Throttle::new(throttle::BURST, throttle::PER_MINUTE)),
        logins: Arc::new(baucu_aggregator::accounts::LoginThrottle::default()),
        secure,
    };
    crate::routes_of(table().into_iter().map(|(spec, handler)| (spec.path, spec.body_limit, handler)))
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), guard::guard))
        .fallback(guard::not_found)
        .layer(axum::middleware::from_fn(crate::extract::error_shape))
        .layer(axum::middleware::map_response(move |response| crate::secure_cookies(response, secure)))
        .layer(axum::middleware::map_response(crate::hall_headers))
        .with_state(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_declared_once_and_every_mutation_but_the_package_endpoint_is_signed_in() {
        let routes = routes();
        let mut seen = std::collections::BTreeSet::new();
        for r in &routes {
            assert!(seen.insert((r.method.as_str().to_owned(), r.path)), "{} {} twice", r.method, r.path);
            if r.mutates() && r.access == Access::Public {
                assert!(["/login", "/api/packages"].contains(&r.path), "{} is public", r.path);
            }
        }
        let upload = routes.iter().find(|r| r.path == "/packages" && r.method == Method::POST);
        assert_eq!(upload.map(|r| r.body_limit), Some(upload::BODY_LIMIT));
    }
}
