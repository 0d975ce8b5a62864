//! [`DeviceAuthorization`]: the device authorization grant (RFC 8628), for programs
//! without a browser: the user reads a code off the screen and enters it on another
//! device while the program polls.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use tokio::time::Instant;

use super::client_auth::Form;
use super::discovery::ServerMetadata;
use super::endpoint::{TokenEndpoint, refusal};
use super::grant::{Grant, GrantCore};
use super::id_token::IdTokens;
use super::identity::scope_param;
use super::store::TokenStore;
use super::{ClientAuth, OAuthError};
use crate::token::{AccessToken, TokenError};
use crate::{Config, Secret};

const GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
/// RFC 8628 §3.2: the interval when the server states none, and §3.5: what `slow_down` adds.
const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);
const SLOW_DOWN: Duration = Duration::from_secs(5);

/// What the user must see: the code, and where to enter it.
#[derive(Debug, Clone)]
pub struct UserCode {
    user_code: String,
    verification_uri: String,
    verification_uri_complete: Option<String>,
    expires_in: Duration,
}

impl UserCode {
    /// The code the user enters.
    pub fn user_code(&self) -> &str {
        &self.user_code
    }

    /// Where the user enters it.
    pub fn verification_uri(&self) -> &str {
        &self.verification_uri
    }

    /// The same page with the code filled in (for a QR code), if the server gives one.
    pub fn verification_uri_complete(&self) -> Option<&str> {
        self.verification_uri_complete.as_deref()
    }

    /// How long the code is valid.
    pub fn expires_in(&self) -> Duration {
        self.expires_in
    }
}

/// RFC 8628 §3.2 (`verification_url` is Google's spelling).
#[derive(Deserialize)]
struct Authorization {
    device_code: Secret,
    user_code: String,
    #[serde(alias = "verification_url")]
    verification_uri: String,
    verification_uri_complete: Option<String>,
    expires_in: u64,
    interval: Option<u64>,
}

type Show = Arc<dyn Fn(&UserCode) + Send + Sync>;

/// The device authorization grant. As a [`TokenSource`](crate::token::TokenSource) it refreshes with the refresh
/// token it keeps and, when there is none or the server refused it, runs the grant
/// again: the user code goes to the callback, then the token endpoint is polled at the
/// server's interval (5 seconds longer after each `slow_down`) until the user approves,
/// refuses, or the code expires.
pub struct DeviceAuthorization {
    core: GrantCore,
    device_authorization_url: String,
    show: Show,
}

impl fmt::Debug for DeviceAuthorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceAuthorization")
            .field("core", &self.core)
            .field("device_authorization_url", &self.device_authorization_url)
            .finish()
    }
}

impl DeviceAuthorization {
    /// The grant with the device authorization endpoint at `device_authorization_url`,
    /// showing each user code through `show`.
    pub fn new(
        endpoint: TokenEndpoint,
        device_authorization_url: &str,
        show: impl Fn(&UserCode) + Send + Sync + 'static,
    ) -> Result<DeviceAuthorization, OAuthError> {
        endpoint.http().check(device_authorization_url)?;
        Ok(DeviceAuthorization {
            core: GrantCore::for_user(endpoint, "device_code"),
            device_authorization_url: device_authorization_url.to_string(),
            show: Arc::new(show),
        })
    }

    /// The grant with the endpoints of `metadata`, its ID tokens verified against the
    /// server's `jwks_uri`.
    pub fn from_metadata(
        metadata: &ServerMetadata,
        auth: ClientAuth,
        config: &Config,
        show: impl Fn(&UserCode) + Send + Sync + 'static,
    ) -> Result<DeviceAuthorization, OAuthError> {
        let url = metadata
            .device_authorization_endpoint
            .as_deref()
            .ok_or(OAuthError::MissingEndpoint("device_authorization_endpoint"))?;
        let id_tokens = IdTokens::for_client(metadata, auth.client_id(), config)?;
        let mut flow = DeviceAuthorization::new(metadata.token_endpoint(auth, config)?, url, show)?;
        flow.core.set_id_tokens(id_tokens);
        Ok(flow)
    }

    /// Verifies the ID tokens the server issues (with `openid` asked for) with
    /// `id_tokens`: see [`AuthorizationCode::id_tokens`](super::AuthorizationCode::id_tokens)
    /// (the device flow sends no nonce).
    pub fn id_tokens(mut self, id_tokens: IdTokens) -> DeviceAuthorization {
        self.core.set_id_tokens(Some(id_tokens));
        self
    }

    /// Asks for these scopes.
    pub fn scopes<I, S>(mut self, scopes: I) -> DeviceAuthorization
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.core.set_scopes(scopes);
        self
    }

    /// Keeps the refresh token in `store` (see [`AuthorizationCode::store`](super::AuthorizationCode::store)).
    pub fn store(mut self, store: impl TokenStore) -> DeviceAuthorization {
        self.core.set_store(store);
        self
    }

    /// Names whose tokens these are: see [`RefreshTokens::account`](super::RefreshTokens::account).
    pub fn account(mut self, account: impl Into<String>) -> DeviceAuthorization {
        self.core.set_account(account.into());
        self
    }

    /// Runs the whole grant once: asks for a code, shows it, polls until the user answers.
    pub async fn authorize(&self) -> Result<AccessToken, TokenError> {
        let authorization = self.request_code().await?;
        let deadline = Instant::now() + Duration::from_secs(authorization.expires_in);
        (self.show)(&UserCode {
            user_code: authorization.user_code,
            verification_uri: authorization.verification_uri,
            verification_uri_complete: authorization.verification_uri_complete,
            expires_in: Duration::from_secs(authorization.expires_in),
        });
        let mut interval = authorization.interval.map_or(DEFAULT_INTERVAL, Duration::from_secs);
        loop {
            tokio::time::sleep(interval).await;
            if Instant::now() >= deadline {
                return Err(TokenError::new("the user code expired before the user approved it", false));
            }
            let mut form = Form::new(GRANT);
            form.push_secret("device_code", authorization.device_code.expose_secret());
            match self.core.request(form).await {
                Ok(token) => return self.core.signed_in(token, None).await,
                Err(error) if error.oauth_error() == Some("authorization_pending") => {}
                Err(error) if error.oauth_error() == Some("slow_down") => interval += SLOW_DOWN,
                Err(error) => return Err(error),
            }
        }
    }

    async fn request_code(&self) -> Result<Authorization, TokenError> {
        let mut form = Form::default();
        if let Some(scope) = scope_param(self.core.scopes()) {
            form.push("scope", &scope);
        }
        let (answer, sent) =
            self.core.endpoint().post(&self.device_authorization_url, &form, "device_authorization").await?;
        if !answer.status.is_success() {
            return Err(refusal("device authorization", "device authorization endpoint", &answer, &sent));
        }
        serde_json::from_slice(&answer.body).map_err(|e| {
            TokenError::new(format!("the device authorization answer is not RFC 8628's: {e}"), false)
        })
    }
}

impl Grant for DeviceAuthorization {
    fn core(&self) -> &GrantCore {
        &self.core
    }

    fn obtain(&self) -> impl Future<Output = Result<AccessToken, TokenError>> + Send {
        self.authorize()
    }
}
