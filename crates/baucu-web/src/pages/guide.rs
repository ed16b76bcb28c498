//! "Điều hành đại hội": the presidium's guided screen. It follows the live records through the
//! congress as the running script orders it — attendance, the show-of-hands votes, then each
//! election of the congress and of the first plenum (list approved, round opened, counted, next step
//! decided, published) — marks each step done or not, and links only the next one, with the words the
//! chair says at it. The steps and their state are the application's (`App::guide`); this page only
//! shows them.

use super::{Notice, app_error, layout};
use crate::AppState;
use crate::guard::Current;
use axum::Extension;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use baucu_app::documents::GuidePlace;
use maud::html;

fn href(place: GuidePlace) -> String {
    match place {
        GuidePlace::Attendance => "/attendance".into(),
        GuidePlace::Votes => "/votes".into(),
        GuidePlace::Election(id) => format!("/elections/{id}"),
        GuidePlace::Round(id) => format!("/rounds/{id}"),
    }
}

pub async fn guide_page(
    State(state): State<AppState>,
    Extension(current): Extension<Current>,
    Query(notice): Query<Notice>,
) -> Response {
    let actor = &current.session.actor;
    let guide = match state.app.guide(actor).await {
        Ok(g) => g,
        Err(e) => return app_error(e),
    };
    let content = html! {
        p {
            "Trình tự đại hội theo kịch bản điều hành, theo dõi từ số liệu đã ghi. Mỗi bước xong được đánh dấu ✓; "
            "chỉ bước tiếp theo có đường dẫn để làm, kèm lời chủ tọa. "
            a href="/documents/files/kich-ban-dieu-hanh.pdf" { "Tải kịch bản điều hành (PDF)" } " · "
            a href="/documents/files/the-le-bau-cu.pdf" { "Thể lệ bầu cử (PDF)" }
        }
        @match guide.next {
            None => { section.card {
                p { strong { "Đã xong mọi bước đã ghi." } }
                p { "Gửi kết quả lên cấp ủy cấp trên: " a href="/package" { "Gói kết quả" } "." }
            } }
            Some((i, j)) => {
                @let step = &guide.sections[i].steps[j];
                section.card.next {
                    h2 { "Bước tiếp theo: " (guide.sections[i].title) " — " (step.title) }
                    p { em { "Lời chủ tọa: " } (step.say) }
                    p { a.button.next-step href=(href(step.place)) { "Làm bước này" } }
                }
            }
        }
        @for (i, section) in guide.sections.iter().enumerate() {
            section.card {
                h2 { (section.title) }
                ol.guide {
                    @for (j, step) in section.steps.iter().enumerate() {
                        @let is_next = guide.next == Some((i, j));
                        li class=[is_next.then_some("next")] {
                            @if step.done { "✓ " (step.title) }
                            @else if is_next { strong { a href=(href(step.place)) { (step.title) } } " ← bước tiếp theo" }
                            @else { span.small { (step.title) " (chờ bước trước)" } }
                            @if is_next { div.small { (step.say) } }
                        }
                    }
                }
            }
        }
    };
    layout("Điều hành đại hội", Some(&current), "/guide", &notice, content).into_response()
}
