//! The JSON API under `/api/v1`, described by the OpenAPI document at `/api/openapi.json`.
//! Handlers are thin: read the input, call the use case, return JSON. Errors take the shape
//! of SPEC §5, rendered by [`render_errors`].

mod accounts;
mod challenges;
mod evaluations;
mod funding;
mod imports;
mod inspections;
mod ledger;
mod lookup;
mod mentorships;
mod notifications;
mod outcomes;
mod people;
mod plans;
mod projects;
mod rounds;
mod session;
mod stats;
mod studios;
mod suggestions;
mod team;
mod units;

pub use imports::template_response;
pub use studios::attachment_response;

use super::error::Problem;
use crate::app::AppState;
use crate::domain::schema as input;
use crate::error::Error;
use crate::i18n::Locale;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::Schema;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Ref, RefOr, Required};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The error body of every 4xx/5xx answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable code: `validation_failed`, `not_found`, `unauthenticated`, `forbidden`,
    /// `invalid_transition`, `too_many_requests`…
    pub code: String,
    /// The message, in the language of `Accept-Language` (zh-CN by default).
    pub message: String,
    /// Messages per input field (only when some field is at fault).
    #[schema(value_type = std::collections::HashMap<String, String>, required = false)]
    pub fields: Option<serde_json::Value>,
}

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("jx_…").build()),
        );
        components
            .add_security_scheme("session", SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("jx_session"))));
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Jiangxin (匠心) API",
        description = "Organisation units, people, studios, teams and their life cycle. Log in with \
            `POST /api/v1/session` (a session cookie) or send an API token as `Authorization: Bearer …`. \
            Lists take `limit` and an opaque `cursor`; errors are `{\"error\": {\"code\", \"message\", \"fields\"}}` \
            in the language of `Accept-Language`.\n\n\
            The schemas give the codes, required fields, formats, lengths and bounds the server checks. \
            Some rules no schema can state; a request breaking one is answered 422 with a message on the field: \
            an id in a body must name a record that exists and that the caller may see (and of the right kind: \
            a studio's unit an enterprise or part of one, a person of the studio's enterprise); days on which \
            something happened may not lie in the future, a period's end may not come before its start, a deadline \
            may not be past; a field may be required by the value of another (a refusal, a return or a \
            cancellation needs a reason; a rejection needs a note; each step of a life cycle asks for what it \
            records); a project category must be one of the deployment's; a password may not be the login name \
            nor one of the commonest."
    ),
    // The schemas only parameters name (the derives register those of bodies and answers).
    components(schemas(
        ErrorBody, ErrorDetail, input::Line20, input::Line40, input::Line50, input::Line60, input::Line100,
        input::Line200, input::NonBlankLine50, input::NonBlankLine100, input::Text4000, input::NonBlankText4000,
        input::OptionalDate, input::Yuan, input::LevelFilter, input::ProjectSort, input::OutcomeSort, input::SuggestionView, input::ExpenseView,
        crate::domain::figures::Figure, crate::app::lookup::LookupKind
    )),
    modifiers(&Security),
    security(("token" = []), ("session" = []))
)]
struct ApiDoc;

/// The API routes and their OpenAPI document.
pub fn router() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(session::login, session::me, session::logout))
        .routes(routes!(units::tops_or_search, units::create))
        .routes(routes!(units::get, units::rename))
        .routes(routes!(units::children))
        .routes(routes!(units::stats))
        .routes(routes!(people::list, people::create))
        .routes(routes!(people::get, people::update))
        .routes(routes!(studios::list, studios::create))
        .routes(routes!(studios::get, studios::update))
        .routes(routes!(studios::transition, studios::transitions))
        .routes(routes!(studios::namings, studios::register_naming))
        .routes(routes!(studios::checklist))
        .routes(routes!(studios::evidence, studios::upload))
        .routes(routes!(studios::remove_evidence))
        .routes(routes!(studios::attachment))
        .routes(routes!(team::members, team::propose))
        .routes(routes!(team::proposals))
        .routes(routes!(team::decide))
        .routes(routes!(team::candidates))
        .routes(routes!(team::review))
        .routes(routes!(accounts::list, accounts::create))
        .routes(routes!(accounts::get))
        .routes(routes!(accounts::grant))
        .routes(routes!(accounts::revoke))
        .routes(routes!(accounts::password))
        .routes(routes!(accounts::active))
        .routes(routes!(accounts::tokens, accounts::create_token))
        .routes(routes!(accounts::revoke_token))
        .routes(routes!(accounts::history))
        .routes(routes!(projects::list, projects::create))
        .routes(routes!(projects::get, projects::update))
        .routes(routes!(projects::step, projects::transitions))
        .routes(routes!(projects::milestones, projects::add_milestone))
        .routes(routes!(projects::milestone_done))
        .routes(routes!(projects::report))
        .routes(routes!(projects::chase))
        .routes(routes!(projects::request_extension))
        .routes(routes!(projects::decide_extension))
        .routes(routes!(ledger::list, ledger::record))
        .routes(routes!(ledger::get, ledger::update, ledger::delete))
        .routes(routes!(ledger::sign))
        .routes(routes!(ledger::photo))
        .routes(routes!(ledger::verify))
        .routes(routes!(ledger::figures))
        .routes(routes!(plans::get, plans::save))
        .routes(routes!(plans::step))
        .routes(routes!(plans::waiting))
        .routes(routes!(notifications::list))
        .routes(routes!(notifications::unread))
        .routes(routes!(notifications::read))
        .routes(routes!(notifications::read_all))
        .routes(routes!(suggestions::list, suggestions::submit))
        .routes(routes!(suggestions::similar))
        .routes(routes!(suggestions::figures))
        .routes(routes!(suggestions::get))
        .routes(routes!(suggestions::step))
        .routes(routes!(suggestions::merge))
        .routes(routes!(suggestions::convert))
        .routes(routes!(suggestions::settings))
        .routes(routes!(suggestions::set_rules))
        .routes(routes!(suggestions::add_route))
        .routes(routes!(suggestions::remove_route))
        .routes(routes!(challenges::list, challenges::post))
        .routes(routes!(challenges::get))
        .routes(routes!(challenges::bid))
        .routes(routes!(challenges::choose))
        .routes(routes!(challenges::close))
        .routes(routes!(outcomes::list, outcomes::create))
        .routes(routes!(outcomes::get, outcomes::update))
        .routes(routes!(outcomes::verify))
        .routes(routes!(outcomes::promote))
        .routes(routes!(outcomes::evidence))
        .routes(routes!(mentorships::list, mentorships::propose))
        .routes(routes!(mentorships::rewards))
        .routes(routes!(mentorships::get))
        .routes(routes!(mentorships::step))
        .routes(routes!(mentorships::assess))
        .routes(routes!(mentorships::result))
        .routes(routes!(mentorships::settings))
        .routes(routes!(stats::headline))
        .routes(routes!(stats::dashboard))
        .routes(routes!(stats::records))
        .routes(routes!(imports::template))
        .routes(routes!(imports::start))
        .routes(routes!(imports::status))
        .routes(routes!(imports::confirm))
        .routes(routes!(lookup::find))
        .routes(routes!(funding::get, funding::save))
        .routes(routes!(funding::list, funding::submit))
        .routes(routes!(funding::detail))
        .routes(routes!(funding::step))
        .routes(routes!(funding::receipt))
        .routes(routes!(rounds::list, rounds::open))
        .routes(routes!(rounds::get))
        .routes(routes!(rounds::applications, rounds::apply))
        .routes(routes!(rounds::announce))
        .routes(routes!(rounds::application))
        .routes(routes!(rounds::recommend))
        .routes(routes!(rounds::score))
        .routes(routes!(rounds::conflict))
        .routes(routes!(rounds::decide))
        .routes(routes!(rounds::object))
        .routes(routes!(rounds::attach))
        .routes(routes!(inspections::list, inspections::record))
        .routes(routes!(inspections::due))
        .routes(routes!(inspections::overdue))
        .routes(routes!(inspections::get, inspections::update))
        .routes(routes!(inspections::report_follow_up))
        .routes(routes!(inspections::close_follow_up))
        .routes(routes!(inspections::reopen_follow_up))
        .routes(routes!(inspections::photo))
        .routes(routes!(inspections::get_report, inspections::save_report))
        .routes(routes!(inspections::submit_report))
        .routes(routes!(inspections::return_report))
        .routes(routes!(inspections::reports))
        .routes(routes!(evaluations::list))
        .routes(routes!(evaluations::get))
        .routes(routes!(evaluations::judge))
        .routes(routes!(evaluations::confirm))
        .routes(routes!(evaluations::reopen))
        .routes(routes!(evaluations::confirm_all))
        .routes(routes!(evaluations::start))
        .routes(routes!(evaluations::run))
        .routes(routes!(evaluations::template, evaluations::set_template))
        .routes(routes!(evaluations::at_risk, evaluations::forecast))
        .routes(routes!(evaluations::cases, evaluations::open))
        .routes(routes!(evaluations::case))
        .routes(routes!(evaluations::case_step))
        .split_for_parts();
    let mut doc = doc;
    finish_document(&mut doc);
    (router, doc)
}

/// The bodies of updates that share a creation's input struct, and the fields only a creation
/// reads (an update ignores them): (path, method, creation's schema, update's schema, fields).
const UPDATE_BODIES: &[(&str, &str, &str, &str, &[&str])] = &[
    ("/api/v1/org-units/{id}", "patch", "UnitInput", "UnitRename", &["parent_id", "kind"]),
    ("/api/v1/studios/{id}", "put", "StudioInput", "StudioUpdate", &["unit_id", "leader_person_id"]),
    (
        "/api/v1/projects/{id}",
        "put",
        "ProjectInput",
        "ProjectUpdate",
        &[
            "studio_id",
            "milestones",
            "approved_on",
            "completed_on",
            "number",
            "conclusion",
            "acceptance_record",
            "achieved_benefit_yuan",
        ],
    ),
    ("/api/v1/outcomes/{id}", "put", "OutcomeInput", "OutcomeUpdate", &["studio_id"]),
];

fn operation_mut<'a>(doc: &'a mut utoipa::openapi::OpenApi, path: &str, method: &str) -> Option<&'a mut Operation> {
    let item = doc.paths.paths.get_mut(path)?;
    match method {
        "get" => item.get.as_mut(),
        "post" => item.post.as_mut(),
        "put" => item.put.as_mut(),
        "patch" => item.patch.as_mut(),
        "delete" => item.delete.as_mut(),
        _ => None,
    }
}

/// What the derives cannot say: the bodies of updates (see [`UPDATE_BODIES`]), empty query
/// parameters, the names of the parts of an upload.
fn finish_document(doc: &mut utoipa::openapi::OpenApi) {
    for (path, method, from, to, creation_only) in UPDATE_BODIES {
        let schemas = &mut doc.components.get_or_insert_with(Default::default).schemas;
        let Some(RefOr::T(Schema::Object(mut update))) = schemas.get(*from).cloned() else {
            panic!("{from} is an object schema");
        };
        for field in *creation_only {
            assert!(update.properties.remove(*field).is_some(), "{from} has no field {field}");
        }
        update.required.retain(|f| !creation_only.contains(&f.as_str()));
        update.description = update
            .description
            .map(|d| format!("{d} (an update: the fields of a creation but {})", creation_only.join(", ")));
        schemas.insert(to.to_string(), RefOr::T(Schema::Object(update)));
        let op = operation_mut(doc, path, method).unwrap_or_else(|| panic!("{method} {path}"));
        let Some(RefOr::T(body)) = op.request_body.as_mut() else { panic!("{method} {path} has a body") };
        for content in body.content.values_mut() {
            if let RefOr::T(content) = content {
                content.schema = Some(RefOr::Ref(Ref::from_schema_name(*to)));
            }
        }
    }
    // A query parameter left empty counts as not given (`allowEmptyValue`, which utoipa's
    // `Parameter` lacks: it is written among the extensions, which are written as they are).
    for item in doc.paths.paths.values_mut() {
        for op in
            [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete].into_iter().flatten()
        {
            for p in op.parameters.iter_mut().flatten() {
                let RefOr::T(p) = p else { continue };
                if p.parameter_in == ParameterIn::Query && p.required == Required::False {
                    p.extensions.get_or_insert_with(Default::default).insert("allowEmptyValue".into(), true.into());
                }
            }
        }
    }
    // Every POST takes an `Idempotency-Key` (one layer reads it: `web::idempotency`).
    let key = idempotency_key_parameter();
    for (path, item) in doc.paths.paths.iter_mut() {
        if let Some(op) = item.post.as_mut() {
            let mut p = key.clone();
            if crate::web::idempotency::NOT_KEPT.contains(&path.as_str()) {
                p.description =
                    Some("Accepted but not acted on here: the answer carries a secret, which is never kept.".into());
            }
            op.parameters.get_or_insert_with(Vec::new).push(RefOr::T(p));
        }
    }
    // Other parts of an upload are ignored, but their names go in a header: no control
    // characters there.
    let mut uploads = Vec::new();
    for item in doc.paths.paths.values() {
        for op in [&item.post, &item.put].into_iter().flatten() {
            let Some(RefOr::T(body)) = op.request_body.as_ref() else { continue };
            if let Some(RefOr::T(content)) = body.content.get("multipart/form-data")
                && let Some(RefOr::Ref(r)) = &content.schema
            {
                uploads.push(r.ref_location.rsplit('/').next().unwrap_or_default().to_string());
            }
        }
    }
    let schemas = &mut doc.components.get_or_insert_with(Default::default).schemas;
    for name in uploads {
        if let Some(RefOr::T(Schema::Object(o))) = schemas.get_mut(&name) {
            o.property_names = Some(Box::new(Schema::Object(
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .pattern(Some(r"^[^\x00-\x1f\x7f]*$"))
                    .build(),
            )));
        }
    }
}

/// The `Idempotency-Key` header of the POSTs.
fn idempotency_key_parameter() -> utoipa::openapi::path::Parameter {
    use utoipa::openapi::path::ParameterBuilder;
    use utoipa::openapi::schema::{SchemaFormat, Type};
    ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "Makes a retry safe: a request repeated with the same key by the same caller within 24 hours is not \
             run again but answered with the first answer (status and body, with `Idempotent-Replayed: true`). \
             The same key with a different request (method, path, query or body) answers 422 \
             `idempotency_key_reused`; a repeat arriving while the first request still runs answers 409 \
             `idempotency_in_progress`. Server errors (5xx) and 429 are not kept: a retry runs again. \
             Use a new random key (a UUID) for each new request.",
        ))
        .schema(Some(
            utoipa::openapi::ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::Custom("idempotency-key".into())))
                .min_length(Some(1))
                .max_length(Some(crate::app::idempotency::MAX_KEY_LEN))
                .pattern(Some(r"^[!-~]+$")),
        ))
        .build()
}

/// Renders errors of the API as JSON in the request's language; turns the router's own
/// plain-text answers (no such route, wrong method, body too large) into the same shape.
pub async fn render_errors(req: Request, next: Next) -> Response {
    let locale = req.extensions().get::<Locale>().copied().unwrap_or_default();
    let mut resp = next.run(req).await;
    if let Some(p) = resp.extensions_mut().remove::<Problem>() {
        return p.to_json(locale);
    }
    let status = resp.status();
    let is_json = resp
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if (status.is_client_error() || status.is_server_error()) && !is_json {
        let e = match status {
            StatusCode::NOT_FOUND => Error::NotFound,
            StatusCode::PAYLOAD_TOO_LARGE => Error::PayloadTooLarge { max_bytes: super::JSON_LIMIT as u64 },
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Error::UnsupportedMedia,
            StatusCode::METHOD_NOT_ALLOWED => {
                let mut p = Problem::from_error(&Error::NotFound);
                p.status = StatusCode::METHOD_NOT_ALLOWED;
                p.code = "method_not_allowed";
                p.msg = crate::error::Msg::new("error.method_not_allowed");
                return p.to_json(locale);
            }
            s if s.is_client_error() => {
                crate::error::FieldErrors::single("_body", crate::error::Msg::new("validation.invalid_request"))
            }
            _ => Error::internal(format!("status {status}")),
        };
        return Problem::from_error(&e).to_json(locale);
    }
    resp.into_response()
}
