//! [`AuthorizationCode`]: a user signs in through a browser (RFC 6749 §4.1), with PKCE
//! S256 (RFC 7636; `plain` is not offered), `state` and `nonce`, and the RFC 9207 `iss`
//! check against mix-up attacks.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use super::OAuthError;
use super::client_auth::Form;
use super::discovery::ServerMetadata;
use super::endpoint::TokenEndpoint;
use super::grant::{Grant, GrantCore};
use super::id_token::IdTokens;
use super::identity::scope_param;
use super::loopback::{self, LoopbackRedirect};
use super::random;
use super::store::TokenStore;
use crate::token::{AccessToken, TokenError};
use crate::{Config, Secret};

/// What opens the authorization URL: a browser launcher, or a line printed for the user.
type Opener = Arc<dyn Fn(&str) + Send + Sync>;

/// The authorization code flow. As a [`TokenSource`](crate::token::TokenSource) it refreshes with the refresh token
/// it keeps (in a [`TokenStore`], so a user signs in once across runs) and, when there is
/// none or the server refuses it, signs the user in again through a
/// [`LoopbackRedirect`], showing the URL through [`on_authorize`](Self::on_authorize).
/// A web application uses [`start`](Self::start) and [`finish`](Self::finish) with its own
/// redirect URI instead.
pub struct AuthorizationCode {
    core: GrantCore,
    authorization_url: url::Url,
    issuer: Option<String>,
    require_iss: bool,
    /// Sent in the authorization request (the token request has the core's).
    params: Vec<(String, String)>,
    opener: Option<Opener>,
    loopback: (u16, String),
    login_timeout: Duration,
}

impl fmt::Debug for AuthorizationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizationCode")
            .field("core", &self.core)
            .field("authorization_url", &self.authorization_url.as_str())
            .field("issuer", &self.issuer)
            .finish()
    }
}

/// One authorization request in flight: the URL to send the browser to, and what
/// [`AuthorizationCode::finish`] checks the answer against. `Debug` leaves out the PKCE
/// verifier.
pub struct AuthorizationRequest {
    url: String,
    redirect_uri: String,
    state: String,
    nonce: String,
    verifier: Secret,
}

impl fmt::Debug for AuthorizationRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizationRequest")
            .field("url", &self.url)
            .field("redirect_uri", &self.redirect_uri)
            .finish_non_exhaustive()
    }
}

impl AuthorizationRequest {
    /// Where to send the user's browser.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The redirect URI it names.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// The `state` it sends, which the redirect must bring back.
    pub fn state(&self) -> &str {
        &self.state
    }

    /// The OpenID Connect `nonce` it sends, for checking an ID token's `nonce` claim.
    pub fn nonce(&self) -> &str {
        &self.nonce
    }
}

impl AuthorizationCode {
    /// The flow with the authorization endpoint at `authorization_url` and tokens from
    /// `endpoint`. Set [`issuer`](Self::issuer) for the `iss` check.
    pub fn new(endpoint: TokenEndpoint, authorization_url: &str) -> Result<AuthorizationCode, OAuthError> {
        let authorization_url = endpoint.http().check(authorization_url)?;
        Ok(AuthorizationCode {
            core: GrantCore::for_user(endpoint, "authorization_code"),
            authorization_url,
            issuer: None,
            require_iss: false,
            params: Vec::new(),
            opener: None,
            loopback: (0, loopback::DEFAULT_PATH.to_string()),
            login_timeout: Duration::from_secs(300),
        })
    }

    /// The flow with the endpoints of `metadata` (its issuer checked in each redirect's
    /// `iss`, required where the server says it sends one; its ID tokens verified against
    /// its `jwks_uri`) and the client `auth`.
    pub fn from_metadata(
        metadata: &ServerMetadata,
        auth: super::ClientAuth,
        config: &Config,
    ) -> Result<AuthorizationCode, OAuthError> {
        let authorization_url = metadata
            .authorization_endpoint
            .as_deref()
            .ok_or(OAuthError::MissingEndpoint("authorization_endpoint"))?;
        let client_id = auth.client_id().to_string();
        let mut flow = AuthorizationCode::new(metadata.token_endpoint(auth, config)?, authorization_url)?
            .issuer(metadata.issuer.clone());
        flow.require_iss = metadata.authorization_response_iss_parameter_supported == Some(true);
        flow.core.set_id_tokens(IdTokens::for_client(metadata, &client_id, config)?);
        Ok(flow)
    }

    /// The issuer whose `iss` each redirect must carry, if it carries one (RFC 9207).
    pub fn issuer(mut self, issuer: impl Into<String>) -> AuthorizationCode {
        self.issuer = Some(issuer.into());
        self
    }

    /// Verifies the ID tokens the server issues with `id_tokens` (set by
    /// [`from_metadata`](Self::from_metadata) where the server publishes its keys), at
    /// sign-in and at each refresh: the token's [`id_claims`](AccessToken::id_claims)
    /// are then set, and a token that fails a check (signature, issuer, audience, expiry,
    /// the sign-in's nonce) is refused.
    pub fn id_tokens(mut self, id_tokens: IdTokens) -> AuthorizationCode {
        self.core.set_id_tokens(Some(id_tokens));
        self
    }

    /// Asks for these scopes (`openid` for an ID token; `offline_access` where the server
    /// wants it for a refresh token).
    pub fn scopes<I, S>(mut self, scopes: I) -> AuthorizationCode
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.core.set_scopes(scopes);
        self
    }

    /// Adds `name=value` to the authorization request (`prompt`, `audience`, `resource`, …).
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> AuthorizationCode {
        self.params.push((name.into(), value.into()));
        self
    }

    /// Keeps the refresh token in `store`, so that the next run refreshes instead of
    /// asking the user to sign in again.
    pub fn store(mut self, store: impl TokenStore) -> AuthorizationCode {
        self.core.set_store(store);
        self
    }

    /// What shows the user the authorization URL when a sign-in is needed: open a
    /// browser, or print it. Without one, a sign-in the source needs fails.
    pub fn on_authorize(mut self, open: impl Fn(&str) + Send + Sync + 'static) -> AuthorizationCode {
        self.opener = Some(Arc::new(open));
        self
    }

    /// The loopback listener's port and path, where the server wants the registered
    /// redirect URI to the letter (unless set: a port the system picks, `/callback`).
    pub fn loopback(mut self, port: u16, path: impl Into<String>) -> AuthorizationCode {
        self.loopback = (port, path.into());
        self
    }

    /// How long a sign-in through the loopback listener may take (5 minutes unless set).
    pub fn login_timeout(mut self, timeout: Duration) -> AuthorizationCode {
        self.login_timeout = timeout;
        self
    }

    /// Names whose tokens these are: see [`RefreshTokens::account`](super::RefreshTokens::account).
    pub fn account(mut self, account: impl Into<String>) -> AuthorizationCode {
        self.core.set_account(account.into());
        self
    }

    /// A new authorization request sending the browser back to `redirect_uri`.
    pub fn start(&self, redirect_uri: &str) -> AuthorizationRequest {
        let (state, nonce, verifier) = (random::token(24), random::token(24), random::token(32));
        let mut url = self.authorization_url.clone();
        {
            let mut query = url.query_pairs_mut();
            query.append_pair("response_type", "code");
            query.append_pair("client_id", self.core.endpoint().auth().client_id());
            query.append_pair("redirect_uri", redirect_uri);
            if let Some(scope) = scope_param(self.core.scopes()) {
                query.append_pair("scope", &scope);
            }
            query.append_pair("state", &state);
            query.append_pair("nonce", &nonce);
            query.append_pair("code_challenge", &random::sha256(verifier.as_bytes()));
            query.append_pair("code_challenge_method", "S256");
            for (name, value) in &self.params {
                query.append_pair(name, value);
            }
        }
        AuthorizationRequest {
            url: url.into(),
            redirect_uri: redirect_uri.to_string(),
            state,
            nonce,
            verifier: Secret::new(verifier),
        }
    }

    /// Reads the redirect that came back (`callback_url`, the full URL the browser asked
    /// for): refuses an `error`, a `state` that is not the request's and an `iss` that is
    /// not the issuer's, then exchanges the code for tokens, verifies the ID token (see
    /// [`id_tokens`](Self::id_tokens)) and keeps the refresh token.
    pub async fn finish(
        &self,
        request: &AuthorizationRequest,
        callback_url: &str,
    ) -> Result<AccessToken, TokenError> {
        let code = self.check_redirect(request, callback_url)?;
        let mut form = Form::new("authorization_code");
        form.push_secret("code", code.expose_secret());
        form.push("redirect_uri", &request.redirect_uri);
        form.push_secret("code_verifier", request.verifier.expose_secret());
        let token = self.core.request(form).await?;
        self.core.signed_in(token, Some(&request.nonce)).await
    }

    /// The code of a redirect that passes every check.
    fn check_redirect(
        &self,
        request: &AuthorizationRequest,
        callback_url: &str,
    ) -> Result<Secret, TokenError> {
        let refused = |message: String| TokenError::new(message, true);
        let url = url::Url::parse(callback_url).map_err(|_| refused("the redirect is not a URL".into()))?;
        let param = |name: &str| url.query_pairs().find(|(n, _)| n == name).map(|(_, v)| v.into_owned());
        if param("state").as_deref() != Some(request.state.as_str()) {
            return Err(refused(
                "the redirect's state is not the request's: it answers another request".into(),
            ));
        }
        match (&self.issuer, param("iss")) {
            (Some(expected), Some(iss)) if *expected != iss => {
                return Err(refused(format!(
                    "the redirect comes from the issuer `{iss}`, not `{expected}` (RFC 9207)"
                )));
            }
            (Some(expected), None) if self.require_iss => {
                return Err(refused(format!(
                    "the redirect lacks the `iss` that `{expected}` sends (RFC 9207)"
                )));
            }
            _ => {}
        }
        if let Some(error) = param("error") {
            let description = param("error_description").map(|d| format!(" ({d})")).unwrap_or_default();
            let message = format!("the authorization server refused the sign-in: {error}{description}");
            return Err(refused(message).with_oauth_error(error));
        }
        param("code").map(Secret::new).ok_or_else(|| refused("the redirect carries no code".into()))
    }

    /// Signs the user in through a [`LoopbackRedirect`]: shows the URL through
    /// [`on_authorize`](Self::on_authorize), waits for the browser to come back, and
    /// finishes.
    pub async fn authorize_with_loopback(&self) -> Result<AccessToken, TokenError> {
        let opener = self.opener.clone().ok_or_else(|| {
            TokenError::new(
                "a sign-in is needed, and nothing shows the authorization URL: set on_authorize",
                true,
            )
        })?;
        let listener = LoopbackRedirect::bind_on(self.loopback.0, &self.loopback.1)
            .await
            .map_err(|e| TokenError::new(format!("could not listen for the sign-in redirect: {e}"), false))?;
        let request = self.start(&listener.redirect_uri());
        let scheme = self.core.endpoint().scheme_label();
        tracing::info!(scheme, flow = "authorization_code", "sign-in needed");
        opener(request.url());
        let callback = listener.receive(self.login_timeout).await?;
        self.finish(&request, &callback).await
    }
}

impl Grant for AuthorizationCode {
    fn core(&self) -> &GrantCore {
        &self.core
    }

    fn obtain(&self) -> impl Future<Output = Result<AccessToken, TokenError>> + Send {
        self.authorize_with_loopback()
    }
}
