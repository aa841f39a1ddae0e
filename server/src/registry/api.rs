//! The IPRS-style JSON API, served from a replica database:
//! `usajili registry serve`. It is what the HTTP adapter is tested against,
//! and a stand-in for IPRS in demos. Requests need `Authorization: Bearer <key>`.

use super::{Registry, replica::LocalReplica};
use app::identifiers::{BirthCertificateNumber, NationalIdNumber};
use axum::{
    Json, Router,
    extract::{Path, Request, State},
    http::{StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
};
use serde_json::json;
use std::sync::Arc;
use subtle::ConstantTimeEq as _;

#[derive(Clone)]
struct ApiState {
    replica: LocalReplica,
    api_key: Arc<str>,
}

pub fn router(replica: LocalReplica, api_key: &str) -> Router {
    let state = ApiState {
        replica,
        api_key: api_key.into(),
    };
    Router::new()
        .route("/v1/births/{birth_cert_no}", get(birth))
        .route("/v1/births/{birth_cert_no}/holder", get(holder))
        .route("/v1/persons/{id_no}", get(person))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            require_api_key,
        ))
        .with_state(state)
}

async fn require_api_key(State(state): State<ApiState>, request: Request, next: Next) -> Response {
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if bool::from(presented.as_bytes().ct_eq(state.api_key.as_bytes())) {
        next.run(request).await
    } else {
        error(StatusCode::UNAUTHORIZED, "a valid API key is required")
    }
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

fn answer<T: serde::Serialize>(result: Result<Option<T>, super::RegistryError>) -> Response {
    match result {
        Ok(Some(record)) => Json(record).into_response(),
        Ok(None) => error(StatusCode::NOT_FOUND, "no such record"),
        Err(e) => {
            tracing::error!(error = %e, "registry API: lookup failed");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the registry could not answer",
            )
        }
    }
}

async fn birth(State(state): State<ApiState>, Path(no): Path<String>) -> Response {
    match BirthCertificateNumber::parse(&no) {
        Ok(no) => answer(state.replica.birth_record(&no).await),
        Err(_) => error(StatusCode::BAD_REQUEST, "not a birth certificate number"),
    }
}

async fn person(State(state): State<ApiState>, Path(id): Path<String>) -> Response {
    match NationalIdNumber::parse(&id) {
        Ok(id) => answer(state.replica.person(&id).await),
        Err(_) => error(StatusCode::BAD_REQUEST, "not an ID number"),
    }
}

async fn holder(State(state): State<ApiState>, Path(no): Path<String>) -> Response {
    match BirthCertificateNumber::parse(&no) {
        Ok(no) => answer(state.replica.holder_of_birth_certificate(&no).await),
        Err(_) => error(StatusCode::BAD_REQUEST, "not a birth certificate number"),
    }
}
