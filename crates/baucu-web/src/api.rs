//! The JSON API: the same actions as the pages, for scripts and tests. Errors are
//! `{"error": {"code": "...", "message": "...", "problems": [...]}}` with a fitting status.

use crate::guard::Current;
use crate::{Access, AppState, routes};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use baucu_app::AppError;
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
    Json(b): Json<LoginBody>,
) -> Response {
    let address = connect.map(|c| c.0.0.ip().to_string()).unwrap_or_else(|| "local".into());
    match state.app.login(&b.username, &b.password, &address).await {
        Ok((token, session)) => (
            [(header::SET_COOKIE, crate::pages::session_cookie(&token))],
            Json(json!({ "csrf_token": session.csrf_token, "username": session.actor.username, "role": session.actor.role })),
        )
            .into_response(),
        Err(e) => error(e),
    }
}

pub async fn congress(State(state): State<AppState>) -> Response {
    reply(state.app.congress().await)
}

pub async fn congress_save(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    Json(f): Json<CongressForm>,
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
    Query(q): Query<SearchQuery>,
) -> Response {
    match q.q.filter(|s| !s.trim().is_empty()) {
        Some(q) => reply(state.app.search_persons(&c.session.actor, &q, 10_000).await),
        None => reply(state.app.persons(&c.session.actor).await),
    }
}

pub async fn person_create(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    Json(f): Json<BTreeMap<String, String>>,
) -> Response {
    reply(state.app.save_person(&c.session.actor, None, f).await.map(|id| json!({ "id": id })))
}

pub async fn person_update(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    Path(id): Path<i64>,
    Json(f): Json<BTreeMap<String, String>>,
) -> Response {
    reply(state.app.save_person(&c.session.actor, Some(id), f).await.map(|id| json!({ "id": id })))
}

pub async fn roster_import(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    body: Bytes,
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
    Query(q): Query<SittingQuery>,
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
    Json(b): Json<SittingBody>,
) -> Response {
    reply(state.app.add_sitting(&c.session.actor, &b.name).await.map(|id| json!({ "id": id })))
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
    Json(b): Json<CheckInBody>,
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
    Path(id): Path<i64>,
    Json(b): Json<AbsenceBody>,
) -> Response {
    reply(state.app.set_absence(&c.session.actor, id, &b.absence).await.map(|()| json!({ "ok": true })))
}

pub async fn elections(State(state): State<AppState>, Extension(c): Extension<Current>) -> Response {
    reply(state.app.elections(&c.session.actor).await)
}

pub async fn election_create(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    Json(f): Json<ElectionForm>,
) -> Response {
    reply(state.app.create_election(&c.session.actor, f).await.map(|id| json!({ "id": id })))
}

pub async fn election(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    Path(id): Path<i64>,
) -> Response {
    reply(state.app.election(&c.session.actor, id).await)
}

#[derive(Debug, Deserialize)]
pub struct CandidateBody {
    person_id: i64,
    source: String,
}

pub async fn candidate_add(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    Path(id): Path<i64>,
    Json(b): Json<CandidateBody>,
) -> Response {
    let Some(source) = Source::from_code(&b.source) else {
        return error(AppError::invalid("source", "source: convening, nomination hoặc self_nomination."));
    };
    reply(
        state
            .app
            .add_candidate(&c.session.actor, id, b.person_id, source)
            .await
            .map(|cid| json!({ "id": cid })),
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
    Path(id): Path<i64>,
    Json(b): Json<PollBody>,
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
    Path(id): Path<i64>,
    Json(b): Json<ApprovalBody>,
) -> Response {
    reply(
        state
            .app
            .approve_list(&c.session.actor, id, b.in_favour, b.against)
            .await
            .map(|passed| json!({ "passed": passed })),
    )
}

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
            json!({
                "200": { "description": "OK", "content": { "application/json": { "schema": { "type": "object" } } } },
                "401": { "$ref": "#/components/responses/Error" },
                "403": { "$ref": "#/components/responses/Error" },
                "422": { "$ref": "#/components/responses/Error" }
            }),
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
                "Error": { "description": "An error naming the problem", "content": { "application/json": { "schema": {
                    "type": "object", "required": ["error"],
                    "properties": { "error": { "type": "object", "required": ["code", "message"], "properties": {
                        "code": { "type": "string" }, "message": { "type": "string" },
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
    Path(id): Path<i64>,
    Json(b): Json<RoundOpenBody>,
) -> Response {
    reply(
        state
            .app
            .open_first_round(&c.session.actor, id, b.entries_per_stack)
            .await
            .map(|id| json!({ "id": id })),
    )
}

pub async fn round(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    Path(id): Path<i64>,
) -> Response {
    reply(state.app.round(&c.session.actor, id).await)
}

pub async fn round_ballots(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    Path(id): Path<i64>,
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
    Path(id): Path<i64>,
    Json(b): Json<IssuedBody>,
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
    Path(id): Path<i64>,
    Json(b): Json<StackRequest>,
) -> Response {
    reply(state.app.create_stack(&c.session.actor, id, b).await.map(|id| json!({ "id": id })))
}

pub async fn close(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    Path(id): Path<i64>,
) -> Response {
    reply(state.app.close_round(&c.session.actor, id).await)
}

pub async fn decide(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    Path(id): Path<i64>,
    Json(b): Json<NextDecision>,
) -> Response {
    reply(state.app.decide_next(&c.session.actor, id, b).await.map(|next| json!({ "next_round": next })))
}

pub async fn publish(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    Path(id): Path<i64>,
) -> Response {
    reply(state.app.publish(&c.session.actor, id).await.map(|()| json!({ "ok": true })))
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
    Path(id): Path<i64>,
    Json(b): Json<ResolveBody>,
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
    Path(id): Path<i64>,
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
    Path(id): Path<i64>,
    Query(q): Query<CodeQuery>,
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
    Path(id): Path<i64>,
    Json(b): Json<BallotBody>,
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
    Path((id, seq)): Path<(i64, i64)>,
    Json(b): Json<CorrectBody>,
) -> Response {
    reply(state.app.correct_ballot(&c.session.actor, id, seq, b.code).await)
}

pub async fn undo(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    Path(id): Path<i64>,
) -> Response {
    reply(state.app.undo_last_ballot(&c.session.actor, id).await.map(|removed| json!({ "removed": removed })))
}

pub async fn finish(
    State(state): State<AppState>,
    Extension(c): Extension<Current>,
    Path(id): Path<i64>,
) -> Response {
    reply(state.app.finish_entry(&c.session.actor, id).await.map(|status| json!({ "stack_status": status })))
}
