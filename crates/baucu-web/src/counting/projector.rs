//! The public projector of published results, and the live updates (server-sent events) that the
//! projector and the round page listen to.

use super::{outcome_label, percent};
use crate::AppState;
use crate::pages::app_error;
use axum::extract::{ConnectInfo, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use baucu_app::counting::Round;
use maud::{Markup, html};
use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

const LIVE_JS: &str = include_str!("../assets/live.js");

pub async fn round_events(State(state): State<AppState>, Path(id): Path<i64>, request: Request) -> Response {
    events(state, &request, move |e| e.round_id == id)
}

pub async fn results_events(State(state): State<AppState>, request: Request) -> Response {
    events(state, &request, |e| e.published)
}

/// A live stream holds a connection for as long as the page is open, so streams are counted in all
/// and per address (`AppState::streams`); one over the cap is told to come back later.
fn events(
    state: AppState,
    request: &Request,
    keep: impl Fn(&baucu_app::counting::Event) -> bool + Send + 'static,
) -> Response {
    // Without the peer's address (a request not from the listener), all such streams share one.
    let address = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
    let pass = match state.streams.try_enter(address) {
        Ok(pass) => pass,
        Err(_) => {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::RETRY_AFTER, "30")],
                "Máy chủ đang có quá nhiều màn hình theo dõi trực tiếp. Hãy tải lại trang sau ít phút.",
            )
                .into_response();
        }
    };
    let rx = state.app.subscribe();
    let stream = futures_util::stream::unfold((rx, keep, pass), |(mut rx, keep, pass)| async move {
        loop {
            match rx.recv().await {
                Ok(e) if keep(&e) => {
                    return Some((
                        Ok::<_, Infallible>(SseEvent::default().data(e.round_id.to_string())),
                        (rx, keep, pass),
                    ));
                }
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::default()).into_response()
}

pub async fn live_script() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], LIVE_JS).into_response()
}

/// The rows of one column of the projector at most; longer lists take more columns (at most three).
const ROWS_PER_COLUMN: usize = 20;
const MAX_COLUMNS: usize = 3;
/// Lines a section takes besides its rows: its title, the basis, the table head and a margin.
const SECTION_LINES: usize = 4;

/// The published results as the projector shows them, fitted to one screen whatever its size: a
/// list of up to 20 names in one column, longer lists in two or three side by side, and every line
/// (titles and rows) sized from the screen's height divided by the number of lines shown
/// (`--units`), capped by its width for the columns (CSS `table.projector`). No paging: everything
/// published is on the screen at once, so nobody waits for a page to come round.
fn results_markup(rounds: &[Round]) -> Markup {
    let shown: Vec<(&Round, &baucu_app::record::RoundRecord)> =
        rounds.iter().take(2).filter_map(|r| r.record.as_ref().map(|rec| (r, rec))).collect();
    let layout: Vec<(usize, usize)> = shown
        .iter()
        .map(|(_, rec)| {
            let columns = rec.lines.len().div_ceil(ROWS_PER_COLUMN).clamp(1, MAX_COLUMNS);
            (columns, rec.lines.len().div_ceil(columns).max(1))
        })
        .collect();
    let units: usize = layout.iter().map(|(_, rows)| rows + SECTION_LINES).sum::<usize>().max(1);
    html! {
        @if rounds.is_empty() { p.waiting { "Chưa có kết quả nào được công bố." } }
        div.projected-all style={ "--units: " (units) } {
            @for ((r, record), (columns, rows)) in shown.iter().zip(&layout) {
                section.projected style={ "--cols: " (columns) } data-columns=(columns) {
                    h2 { (r.title()) }
                    p.basis { "Số làm căn cứ " strong { (record.base) } " · Trúng cử phải có ít nhất " strong { (record.threshold) } " phiếu · Phiếu hợp lệ " strong { (record.valid) } }
                    div.projector-columns {
                        @for chunk in record.lines.chunks(*rows) {
                            table.projector {
                                thead { tr { th { "Họ và tên" } th { "Số phiếu" } th { "Tỷ lệ" } th {} } }
                                tbody { @for c in chunk {
                                    @let outcome = c.outcome.code();
                                    tr class=(outcome) {
                                        td.name { (c.name) }
                                        td.num { (c.votes) }
                                        td.num { (percent(Some(c.percent_of_base.to_vietnamese()))) }
                                        // Side by side, "not elected" is left blank: the elected stand out.
                                        td.outcome { @if *columns == 1 || outcome != "not_elected" { (outcome_label(outcome)) } }
                                    }
                                } }
                            }
                        }
                    }
                }
            }
        }
    }
}

pub async fn results_fragment(State(state): State<AppState>) -> Response {
    match state.app.published_results().await {
        Ok(rounds) => results_markup(&rounds).into_response(),
        Err(e) => app_error(e),
    }
}

pub async fn results_page(State(state): State<AppState>) -> Response {
    let rounds = match state.app.published_results().await {
        Ok(r) => r,
        Err(e) => return app_error(e),
    };
    let congress = state.app.congress().await.ok().flatten().map(|c| c.name).unwrap_or_default();
    let page = html! {
        (maud::DOCTYPE)
        html lang="vi" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Kết quả bầu cử — baucu" }
                link rel="stylesheet" href="/static/style.css";
            }
            body.projector-page {
                header.projector-head { h1 { (congress) } p { "Kết quả bầu cử" } }
                main #results { (results_markup(&rounds)) }
                script src="/static/live.js" data-events="/results/events" data-target="results" data-fragment="/results/fragment" {}
            }
        }
    };
    page.into_response()
}
