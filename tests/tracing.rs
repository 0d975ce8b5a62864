//! What an operator sees: every span and event of a tour-like run (mutual TLS + Basic,
//! a bearer call with a cached token, a form token request, documented errors) is
//! captured, and none carries a secret, a token, a path value or a body value.

mod support;

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use authgen::runtime::token::TokenCache;
use authgen::{mogoplus, moota, uqudo};
use authgen_sandbox::Provider;
use support::{config, sandbox};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

/// Every span (with its fields, also those recorded later) and every event, as text.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<String>>>);

struct Fields(String);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={value:?}", field.name());
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = write!(self.0, " {}={value}", field.name());
    }
}

impl<S: Subscriber> Layer<S> for Capture {
    fn on_new_span(&self, attributes: &Attributes<'_>, _: &Id, _: Context<'_, S>) {
        let mut fields = Fields(format!("span {}", attributes.metadata().name()));
        attributes.record(&mut fields);
        self.0.lock().unwrap().push(fields.0);
    }

    fn on_record(&self, _: &Id, values: &Record<'_>, _: Context<'_, S>) {
        let mut fields = Fields("record".into());
        values.record(&mut fields);
        self.0.lock().unwrap().push(fields.0);
    }

    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let mut fields = Fields(format!("event {}", event.metadata().level()));
        event.record(&mut fields);
        self.0.lock().unwrap().push(fields.0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spans_and_events_name_operations_and_never_a_secret() {
    let capture = Capture::default();
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(capture.clone())).unwrap();
    let mut secrets: Vec<String> = Vec::new();

    let (mogo, moo, uq) =
        (sandbox(Provider::Mogoplus).await, sandbox(Provider::Moota).await, sandbox(Provider::Uqudo).await);

    // Mutual TLS + Basic, and a wrong password answered 401.
    let credentials = mogo.credentials();
    let client = mogoplus::Client::new(config(&mogo)).unwrap();
    let token = client
        .clone()
        .with_basic_auth(&credentials.username, credentials.password.as_str())
        .request_token()
        .await;
    secrets.push(token.unwrap().access_token.expose_secret().to_string());
    assert!(client.with_basic_auth(&credentials.username, "wrong-Secret-42").request_token().await.is_err());
    secrets.extend([credentials.password.clone(), "wrong-Secret-42".into()]);

    // A bearer call whose token comes from a cached login; a path value on the way.
    let credentials = moo.credentials();
    let login = moota::LoginRequest {
        username: credentials.username.clone(),
        password: credentials.password.clone().into(),
        scopes: vec![moota::Scope::Api, moota::Scope::MutationRead],
    };
    let client = moota::Client::new(config(&moo)).unwrap();
    let cache = TokenCache::new(client.login_token_source(login));
    let api = client.with_bearer_auth_cache(cache.clone());
    api.get_object("user").await.unwrap();
    secrets.extend([
        cache.token().await.unwrap().secret().expose_secret().to_string(),
        credentials.password.clone(),
    ]);

    // A form body with a client secret, through a cache.
    let credentials = uq.credentials();
    let request = uqudo::TokenRequest {
        grant_type: uqudo::GrantType::ClientCredentials,
        client_id: credentials.username.clone(),
        client_secret: credentials.password.clone().into(),
    };
    let cache = TokenCache::new(uqudo::Client::new(config(&uq)).unwrap().get_token_source(request));
    secrets.push(cache.token().await.unwrap().secret().expose_secret().to_string());
    secrets.push(credentials.password.clone());

    let lines = capture.0.lock().unwrap().join("\n");
    for secret in &secrets {
        assert!(!lines.contains(secret.as_str()), "a secret in the trace:\n{lines}");
    }
    assert!(!lines.contains("/user"), "the path value, not only its template, is in the trace:\n{lines}");
    for expected in [
        "span authgen.call otel.name=POST /api/v1/oauth2/token otel.kind=client http.request.method=POST url.template=/api/v1/oauth2/token server.address=127.0.0.1",
        "authgen.operation=request_token",
        "otel.name=GET /api/v2/{object} otel.kind=client http.request.method=GET url.template=/api/v2/{object}",
        "authgen.operation=get_object",
        "record http.response.status_code=401\nrecord error.type=401\nrecord otel.status_code=ERROR",
        "event DEBUG message=token refresh started source=moota.login",
        "event DEBUG message=token refreshed source=uqudo.get_token",
        "event TRACE message=token cache hit source=moota.login",
    ] {
        assert!(lines.contains(expected), "`{expected}` is not in the trace:\n{lines}");
    }
}
