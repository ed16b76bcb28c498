//! The JSON API: the same actions as the pages, for scripts and tests. Errors are
//! `{"error": {"code": "...", "message": "...", "problems": [...]}}` with a fitting status.

use crate::extract::{ApiBytes, ApiJson, ApiPath, ApiQuery};
use crate::guard::Current;
use crate::{Access, AppState, routes};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use baucu_app::AppError;
use baucu_app::auth::LoginError;
use baucu_app::congress::CongressForm;
use baucu_app::counting::{NextDecision, StackRequest};
use baucu_app::elections::{ElectionForm, Source};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::net::SocketAddr;

pub fn error(e: AppError) -> Response {
    let status = match &e {
        AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
        AppError::Forbidden => StatusCode::FORBIDDEN,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        AppError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
        AppError::Conflict(_) => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let problems = match &e {
        AppError::Invalid(p) => serde_json::to_value(p).unwrap_or(Value::Null),
        _ => Value::Array(Vec::new()),
    };
    (status, Json(json!({ "error": { "code": e.code(), "message": e.message(), "problems": problems } })))
        .into_response()
}

fn reply<T: serde::Serialize>(r: Result<T, AppError>) -> Response {
    match r {
        Ok(v) => Json(v).into_response(),
        Err(e) => error(e),
    }
}

#[derive(Debug, Deserialize)]
pub struct LoginBody {
    username: String,
    password: String,
}

pub async fn login(
    State(state): State<AppState>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    ApiJson(b): ApiJson<LoginBody>,
) -> Response {
    let from = crate::guard::source_address(connect);
    match state.app.sign_in(&b.username, &b.password, from).await {
        Ok((token, session)) => (
            [(header::SET_COOKIE, crate::pages::session_cookie(&token))],
            Json(json!({ "csrf_token": session.csrf_token, "username": session.actor.username, "role": session.actor.role })),
        )
            .into_response(),
        Err(LoginError::App(e)) => error(e),
        Err(e) => {
            let (status, retry_after) = match &e {
                LoginError::Throttled { retry_after } => (StatusCode::TOO_MANY_REQUESTS, Some(*retry_after)),
                _ => (StatusCode::UNAUTHORIZED, None),
            };
            let body = json!({ "error": { "code": e.code(), "message": e.message(), "problems": [] } });
            let mut response = (status, Json(body)).into_response();
            if let Some(seconds) = retry_after
                && let Ok(v) = HeaderValue::from_str(&seconds.to_string())
            {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
            response
        }
    }
}

pub async fn congress(State(state): State<AppState>) -> Response {
    reply(state.app.congress().await)
}

pub async fn congress_save(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    ApiJson(f): ApiJson<CongressForm>,
) -> Response {
    reply(state.app.save_congress(&c.session.actor, f).await)
}

#[derive(Debug, Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: Option<String>,
}

pub async fn persons(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> Response {
    match q.q.filter(|s| !s.trim().is_empty()) {
        Some(q) => reply(state.app.search_persons(&c.session.actor, &q, 10_000).await),
        None => reply(state.app.persons(&c.session.actor).await),
    }
}

pub async fn person_create(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    ApiJson(f): ApiJson<BTreeMap<String, String>>,
) -> Response {
    reply(state.app.save_person(&c.session.actor, None, f).await.map(|id| json!({ "id": id })))
}

pub async fn person_update(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(f): ApiJson<BTreeMap<String, String>>,
) -> Response {
    reply(state.app.save_person(&c.session.actor, Some(id), f).await.map(|id| json!({ "id": id })))
}

pub async fn roster_import(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    ApiBytes(body): ApiBytes,
) -> Response {
    reply(state.app.import_roster(&c.session.actor, body.to_vec()).await)
}

#[derive(Debug, Deserialize)]
pub struct SittingQuery {
    #[serde(default)]
    sitting: Option<i64>,
}

pub async fn attendance(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    ApiQuery(q): ApiQuery<SittingQuery>,
) -> Response {
    reply(state.app.attendance(&c.session.actor, q.sitting).await)
}

#[derive(Debug, Deserialize)]
pub struct SittingBody {
    name: String,
}

pub async fn sitting_create(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    ApiJson(b): ApiJson<SittingBody>,
) -> Response {
    reply(state.app.add_sitting(&c.session.actor, &b.name).await.map(|id| json!({ "id": id })))
}

#[derive(Debug, Deserialize)]
pub struct PlenumBody {
    body: String,
}

pub async fn plenum_summon(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    ApiJson(b): ApiJson<PlenumBody>,
) -> Response {
    reply(state.app.summon_plenum(&c.session.actor, &b.body).await.map(|id| json!({ "sitting_id": id })))
}

#[derive(Debug, Deserialize)]
pub struct CheckInBody {
    sitting_id: i64,
    person_id: i64,
    present: bool,
}

pub async fn check_in(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    ApiJson(b): ApiJson<CheckInBody>,
) -> Response {
    reply(
        state
            .app
            .set_check_in(&c.session.actor, b.sitting_id, b.person_id, b.present)
            .await
            .map(|()| json!({ "ok": true })),
    )
}

#[derive(Debug, Deserialize)]
pub struct AbsenceBody {
    absence: String,
}

pub async fn absence(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<AbsenceBody>,
) -> Response {
    reply(state.app.set_absence(&c.session.actor, id, &b.absence).await.map(|()| json!({ "ok": true })))
}

#[derive(Debug, Deserialize)]
pub struct NomineeBody {
    nominee: bool,
}

/// Marks a person of a by-election node's roster as nominated from outside the committee, or as a
/// member again (`App::set_by_election_nominee`).
pub async fn by_election_nominee(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<NomineeBody>,
) -> Response {
    let r = state.app.set_by_election_nominee(&c.session.actor, id, b.nominee).await;
    reply(r.map(|()| json!({ "ok": true })))
}

pub async fn elections(State(state): State<AppState>, Extension(c): Extension<Current>) -> Response {
    reply(state.app.elections(&c.session.actor).await)
}

pub async fn election_create(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    ApiJson(f): ApiJson<ElectionForm>,
) -> Response {
    reply(state.app.create_election(&c.session.actor, f).await.map(|id| json!({ "id": id })))
}

pub async fn election(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    ApiPath(id): ApiPath<i64>,
) -> Response {
    reply(state.app.election(&c.session.actor, id).await)
}

#[derive(Debug, Deserialize)]
pub struct CandidateBody {
    person_id: i64,
    source: String,
    /// The member who nominated from the floor (a nomination only).
    #[serde(default)]
    nominator_id: Option<i64>,
}

pub async fn candidate_add(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<CandidateBody>,
) -> Response {
    let Some(source) = Source::from_code(&b.source) else {
        return error(AppError::invalid("source", "source: convening, nomination hoặc self_nomination."));
    };
    reply(
        state
            .app
            .put_forward(&c.session.actor, id, b.person_id, source, b.nominator_id)
            .await
            .map(|cid| json!({ "id": cid })),
    )
}

#[derive(Debug, Deserialize)]
pub struct RemovalBody {
    candidate_id: i64,
    reason: String,
}

pub async fn removal(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<RemovalBody>,
) -> Response {
    reply(
        state
            .app
            .remove_from_list(&c.session.actor, id, b.candidate_id, &b.reason)
            .await
            .map(|()| json!({ "ok": true })),
    )
}

#[derive(Debug, Deserialize)]
pub struct PollBody {
    present: u32,
    /// Candidate id → agreements.
    agree: BTreeMap<String, u32>,
}

pub async fn poll(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<PollBody>,
) -> Response {
    let agrees = b.agree.iter().filter_map(|(k, v)| k.parse().ok().map(|k| (k, *v))).collect();
    reply(
        state.app.record_poll(&c.session.actor, id, b.present, agrees).await.map(|()| json!({ "ok": true })),
    )
}

#[derive(Debug, Deserialize)]
pub struct ApprovalBody {
    in_favour: u32,
    against: u32,
}

pub async fn approval(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ApprovalBody>,
) -> Response {
    reply(
        state
            .app
            .approve_list(&c.session.actor, id, b.in_favour, b.against)
            .await
            .map(|passed| json!({ "passed": passed })),
    )
}

/// What every failure under `/api/` answers, and its stable codes (`crate::extract`).
const ERROR_DESCRIPTION: &str = "Every failure under /api/ (including a malformed body, a wrong content type, a bad path \
parameter, an unknown path, a method the path does not take and a body too large) answers \
{\"error\": {\"code\", \"message\", \"problems\"}}. Stable codes: malformed_json (400, the body is not JSON), \
bad_body (400, the body could not be read), bad_path (400, a path parameter is not an integer), bad_query (400), \
bad_request (400), unauthenticated (401, no valid session), bad_credentials (401, wrong name or password), \
forbidden (403, the role may not), csrf (403, missing CSRF token), password_change_required (403), \
not_found (404), method_not_allowed (405, with Allow), conflict (409), too_large (413), \
unsupported_media_type (415, not application/json), invalid_body (422, a missing, unknown or mistyped field, \
named in problems[].field), invalid_input (422, the action refused the values; problems name the fields), \
the rules engine's codes (422), rate_limited (429, with Retry-After), storage_error and internal_error (500).";

/// The OpenAPI 3.1 document, made from the route table.
pub async fn openapi() -> Json<Value> {
    let mut paths: BTreeMap<String, serde_json::Map<String, Value>> = BTreeMap::new();
    for spec in routes().into_iter().filter(|s| s.is_api()) {
        let mut op = serde_json::Map::new();
        op.insert("summary".into(), json!(spec.summary));
        let params: Vec<Value> = spec
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "integer" } }))
            .collect();
        if !params.is_empty() {
            op.insert("parameters".into(), Value::Array(params));
        }
        if spec.mutates() {
            let content = if spec.path == "/api/roster/import" {
                json!({ "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": { "schema": { "type": "string", "format": "binary" } } })
            } else {
                json!({ "application/json": { "schema": { "type": "object" } } })
            };
            op.insert("requestBody".into(), json!({ "required": true, "content": content }));
        }
        let mut security = Vec::new();
        if spec.access != Access::Public {
            security.push(json!({ "session": [] }));
            if spec.mutates() {
                security[0] = json!({ "session": [], "csrf": [] });
            }
        }
        op.insert("security".into(), Value::Array(security));
        let access = match spec.access {
            Access::Public => "anyone".to_owned(),
            Access::LoggedIn => "any logged-in account".to_owned(),
            Access::Needs(p) => format!("roles with {p:?}"),
        };
        op.insert("description".into(), json!(format!("Access: {access}.")));
        op.insert(
            "responses".into(),
            {
                let error = json!({ "$ref": "#/components/responses/Error" });
                let mut responses = serde_json::Map::new();
                responses.insert(
                    "200".into(),
                    json!({ "description": "OK", "content": { "application/json": { "schema": { "type": "object" } } } }),
                );
                let mut statuses = vec!["400", "401", "403", "404", "405", "422"];
                if spec.mutates() {
                    statuses.extend(["409", "413", "415"]);
                }
                if spec.path == "/api/login" {
                    statuses.push("429");
                }
                statuses.push("500");
                for status in statuses {
                    responses.insert(status.into(), error.clone());
                }
                Value::Object(responses)
            },
        );
        paths
            .entry(spec.path.to_owned())
            .or_default()
            .insert(spec.method.as_str().to_lowercase(), Value::Object(op));
    }
    Json(json!({
        "openapi": "3.1.0",
        "info": { "title": "baucu", "version": env!("CARGO_PKG_VERSION"),
                  "description": "Bầu cử trong Đảng theo Quy chế 190-QĐ/TW: API của máy chủ đại hội." },
        "paths": paths,
        "components": {
            "securitySchemes": {
                "session": { "type": "apiKey", "in": "cookie", "name": crate::SESSION_COOKIE },
                "csrf": { "type": "apiKey", "in": "header", "name": crate::guard::CSRF_HEADER }
            },
            "responses": {
                "Error": { "description": ERROR_DESCRIPTION, "content": { "application/json": { "schema": {
                    "type": "object", "required": ["error"],
                    "properties": { "error": { "type": "object", "required": ["code", "message"], "properties": {
                        "code": { "type": "string", "description": "Stable; one of the codes listed in the description (and the rules engine's codes)." },
                        "message": { "type": "string", "description": "In Vietnamese, for people." },
                        "problems": { "type": "array", "items": { "type": "object" } } } } } } } } }
            }
        }
    }))
}

// ---------------------------------------------------------------------------------------------
// Counting

#[derive(Debug, Deserialize)]
pub struct RoundOpenBody {
    #[serde(default = "two")]
    entries_per_stack: u32,
}

fn two() -> u32 {
    2
}

pub async fn round_open(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<RoundOpenBody>,
) -> Response {
    reply(
        state
            .app
            .open_first_round(&c.session.actor, id, b.entries_per_stack)
            .await
            .map(|id| json!({ "id": id })),
    )
}

pub async fn poll_round_open(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<RoundOpenBody>,
) -> Response {
    reply(
        state
            .app
            .open_poll_round(&c.session.actor, id, b.entries_per_stack)
            .await
            .map(|id| json!({ "id": id })),
    )
}

pub async fn plan(State(state): State<AppState>, Extension(c): Extension<Current>) -> Response {
    reply(state.app.plan(&c.session.actor).await)
}

pub async fn round(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    ApiPath(id): ApiPath<i64>,
) -> Response {
    reply(state.app.round(&c.session.actor, id).await)
}

pub async fn round_ballots(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    ApiPath(id): ApiPath<i64>,
) -> Response {
    reply(state.app.agreed_ballots(&c.session.actor, id).await)
}

#[derive(Debug, Deserialize)]
pub struct IssuedBody {
    issued: u32,
    collected: Option<u32>,
}

pub async fn issued(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<IssuedBody>,
) -> Response {
    reply(
        state
            .app
            .set_issued(&c.session.actor, id, b.issued, b.collected)
            .await
            .map(|()| json!({ "ok": true })),
    )
}

pub async fn stack_create(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<StackRequest>,
) -> Response {
    reply(state.app.create_stack(&c.session.actor, id, b).await.map(|id| json!({ "id": id })))
}

/// The body of an irreversible step: `"confirm": true`, nothing else confirms it.
#[derive(Debug, Deserialize)]
pub struct ConfirmBody {
    #[serde(default)]
    confirm: bool,
}

/// The refusal of an irreversible step sent without `"confirm": true`: nothing was done; the message
/// states the consequence.
fn unconfirmed(consequence: &str) -> Response {
    error(AppError::invalid(
        "confirm",
        format!("Chưa thực hiện, cần xác nhận (gửi \"confirm\": true). {consequence}"),
    ))
}

pub async fn close(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ConfirmBody>,
) -> Response {
    if !b.confirm {
        return unconfirmed(crate::counting::CLOSE_CONSEQUENCE);
    }
    reply(state.app.close_round(&c.session.actor, id).await)
}

/// The presidium's decision and its confirmation.
#[derive(Debug, Deserialize)]
pub struct DecideBody {
    #[serde(flatten)]
    decision: NextDecision,
    #[serde(default)]
    confirm: bool,
}

pub async fn decide(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<DecideBody>,
) -> Response {
    if !b.confirm {
        return unconfirmed(&crate::counting::decide_consequence(&b.decision));
    }
    reply(
        state
            .app
            .decide_next(&c.session.actor, id, b.decision)
            .await
            .map(|next| json!({ "next_round": next })),
    )
}

pub async fn publish(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ConfirmBody>,
) -> Response {
    if !b.confirm {
        return unconfirmed(crate::counting::PUBLISH_CONSEQUENCE);
    }
    reply(state.app.publish(&c.session.actor, id).await.map(|()| json!({ "ok": true })))
}

/// A reason for undoing a step (required; the app bounds it).
#[derive(Debug, Deserialize)]
pub struct ReasonBody {
    #[serde(default)]
    reason: String,
}

pub async fn unpublish(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ReasonBody>,
) -> Response {
    reply(state.app.unpublish(&c.session.actor, id, &b.reason).await.map(|()| json!({ "ok": true })))
}

pub async fn reopen(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ReasonBody>,
) -> Response {
    reply(state.app.reopen_round(&c.session.actor, id, &b.reason).await.map(|()| json!({ "ok": true })))
}

#[derive(Debug, Deserialize)]
pub struct ResolveBody {
    seq: i64,
    /// The correct reading; `null` when the ballot does not exist.
    code: Option<String>,
}

pub async fn resolve(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ResolveBody>,
) -> Response {
    reply(
        state
            .app
            .resolve(&c.session.actor, id, b.seq, b.code)
            .await
            .map(|status| json!({ "stack_status": status })),
    )
}

pub async fn my_entries(State(state): State<AppState>, Extension(c): Extension<Current>) -> Response {
    reply(state.app.my_entries(&c.session.actor).await.map(|v| {
        v.into_iter()
            .map(|(e, stack, round)| json!({ "entry": e, "stack": stack, "round": round }))
            .collect::<Vec<_>>()
    }))
}

pub async fn entry(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    ApiPath(id): ApiPath<i64>,
) -> Response {
    reply(state.app.entry(&c.session.actor, id).await)
}

#[derive(Debug, Deserialize)]
pub struct CodeQuery {
    code: String,
}

pub async fn check(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<CodeQuery>,
) -> Response {
    reply(state.app.check_ballot(&c.session.actor, id, q.code).await)
}

#[derive(Debug, Deserialize)]
pub struct BallotBody {
    code: String,
    key: String,
}

pub async fn submit(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<BallotBody>,
) -> Response {
    reply(state.app.submit_ballot(&c.session.actor, id, b.code, b.key).await)
}

#[derive(Debug, Deserialize)]
pub struct CorrectBody {
    code: String,
}

pub async fn correct(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    ApiPath((id, seq)): ApiPath<(i64, i64)>,
    ApiJson(b): ApiJson<CorrectBody>,
) -> Response {
    reply(state.app.correct_ballot(&c.session.actor, id, seq, b.code).await)
}

pub async fn undo(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    ApiPath(id): ApiPath<i64>,
) -> Response {
    reply(state.app.undo_last_ballot(&c.session.actor, id).await.map(|removed| json!({ "removed": removed })))
}

pub async fn finish(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    ApiPath(id): ApiPath<i64>,
) -> Response {
    reply(state.app.finish_entry(&c.session.actor, id).await.map(|status| json!({ "stack_status": status })))
}
