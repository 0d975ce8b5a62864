//! One token request core under every grant: [`GrantCore`] holds what each grant's
//! request has (the endpoint and the client's authentication, scopes, RFC 8707 resources,
//! extra parameters, the source's name, its identity computed once, and for a flow a
//! user signs in to, the refresher keeping their refresh token), and [`Grant`] is the
//! little each grant adds. Every grant is a [`TokenSource`] through one impl.

use std::collections::BTreeSet;
use std::fmt;
use std::future::Future;
use std::sync::{Arc, OnceLock};

use super::client_auth::Form;
use super::endpoint::TokenEndpoint;
use super::id_token::IdTokens;
use super::identity::{Identity, scope_param, scope_set};
use super::refresh::{Refresher, with_account};
use super::store::{MemoryTokenStore, TokenStore};
use crate::Secret;
use crate::token::{AccessToken, BoxFuture, DpopKey, TokenError, TokenSource};

/// What every grant's token request shares. `Debug` shows the endpoint (never a secret),
/// the scopes, the resources and the names of the extra parameters, never their values.
#[derive(Clone)]
pub(crate) struct GrantCore {
    endpoint: TokenEndpoint,
    flow: &'static str,
    scopes: BTreeSet<String>,
    resources: Vec<String>,
    params: Vec<(String, String)>,
    name: String,
    /// Computed on first use, from the core and the grant's own parts; a setter forgets it.
    identity: OnceLock<Option<Vec<u8>>>,
    /// For a flow a user signs in to.
    user: Option<User>,
}

/// What a flow a user signs in to adds: the refresher that keeps the user's refresh
/// token, whose tokens these are, if named (without a name, the client alone does not
/// say whose they are: the tokens have no identity), and what verifies their ID tokens.
#[derive(Clone)]
struct User {
    refresher: Arc<Refresher>,
    account: Option<String>,
    id_tokens: Option<IdTokens>,
}

impl fmt::Debug for GrantCore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GrantCore")
            .field("endpoint", &self.endpoint)
            .field("flow", &self.flow)
            .field("scopes", &self.scopes)
            .field("resources", &self.resources)
            .field("params", &self.params.iter().map(|(name, _)| name).collect::<Vec<_>>())
            .field("account", &self.user.as_ref().map(|user| &user.account))
            .finish()
    }
}

impl GrantCore {
    /// The request of `flow` (`client_credentials`, …: its name in tracing events, the
    /// source's name and its identity) at `endpoint`, no scope asked.
    pub(crate) fn new(endpoint: TokenEndpoint, flow: &'static str) -> GrantCore {
        let name = format!("{}.{flow}", endpoint.scheme_label());
        GrantCore {
            endpoint,
            flow,
            scopes: BTreeSet::new(),
            resources: Vec::new(),
            params: Vec::new(),
            name,
            identity: OnceLock::new(),
            user: None,
        }
    }

    /// The request of `flow`, a flow a user signs in to: refresh tokens kept in memory
    /// (see [`set_store`](Self::set_store)).
    pub(crate) fn for_user(endpoint: TokenEndpoint, flow: &'static str) -> GrantCore {
        let refresher = Refresher::new(endpoint.clone(), Arc::new(MemoryTokenStore::new()), BTreeSet::new());
        let user = User { refresher: Arc::new(refresher), account: None, id_tokens: None };
        GrantCore { user: Some(user), ..GrantCore::new(endpoint, flow) }
    }

    /// Keeps the user's refresh token in `store`.
    pub(crate) fn set_store(&mut self, store: impl TokenStore) {
        if let Some(user) = &mut self.user {
            let refresher = Refresher::new(self.endpoint.clone(), Arc::new(store), BTreeSet::new());
            user.refresher = Arc::new(refresher);
        }
    }

    /// Names whose tokens these are (see [`RefreshTokens::account`](super::RefreshTokens::account)).
    pub(crate) fn set_account(&mut self, account: String) {
        if let Some(user) = &mut self.user {
            user.account = Some(account);
        }
        self.changed();
    }

    /// Verifies the ID tokens of the user's sign-ins and refreshes with `id_tokens`.
    pub(crate) fn set_id_tokens(&mut self, id_tokens: Option<IdTokens>) {
        if let Some(user) = &mut self.user {
            user.id_tokens = id_tokens;
        }
    }

    /// The refresher of a flow a user signs in to.
    fn refresher(&self) -> Option<&Refresher> {
        self.user.as_ref().map(|user| &*user.refresher)
    }

    /// The token of a user's sign-in that sent `nonce` (none in the device flow): its ID
    /// token verified, its refresh token kept.
    pub(crate) async fn signed_in(
        &self,
        token: AccessToken,
        nonce: Option<&str>,
    ) -> Result<AccessToken, TokenError> {
        let token = self.verified(token, nonce).await?;
        Ok(match self.refresher() {
            Some(refresher) => refresher.keep(token).await,
            None => token,
        })
    }

    /// `token` with the claims of its ID token, where it came with one not verified yet
    /// and this core verifies ID tokens. A refreshed token's ID token names no nonce of
    /// the sign-in's (OpenID Connect Core §12.2): `nonce` is `None` then.
    async fn verified(&self, token: AccessToken, nonce: Option<&str>) -> Result<AccessToken, TokenError> {
        match self.user.as_ref().and_then(|user| user.id_tokens.as_ref()) {
            Some(id_tokens) if token.id_claims().is_none() => id_tokens.attach(token, nonce).await,
            _ => Ok(token),
        }
    }

    pub(crate) fn endpoint(&self) -> &TokenEndpoint {
        &self.endpoint
    }

    pub(crate) fn scopes(&self) -> &BTreeSet<String> {
        &self.scopes
    }

    /// Asks for these scopes (sorted and deduplicated: the order does not matter).
    pub(crate) fn set_scopes<I, S>(&mut self, scopes: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = scope_set(scopes);
        self.changed();
    }

    /// Asks for a token for the resource server `resource` (RFC 8707).
    pub(crate) fn add_resource(&mut self, resource: String) {
        self.resources.push(resource);
        self.changed();
    }

    /// Sends `name=value` besides the grant's own parameters.
    pub(crate) fn add_param(&mut self, name: String, value: String) {
        self.params.push((name, value));
        self.changed();
    }

    /// Forgets the identity: a part of it changed.
    pub(crate) fn changed(&mut self) {
        self.identity = OnceLock::new();
    }

    /// The form of a token request with `grant_type`: the scopes, resources and extra
    /// parameters added.
    pub(crate) fn form(&self, grant_type: &str) -> Form {
        let mut form = Form::new(grant_type);
        if let Some(scope) = scope_param(&self.scopes) {
            form.push("scope", &scope);
        }
        for resource in &self.resources {
            form.push("resource", resource);
        }
        for (name, value) in &self.params {
            form.push(name, value);
        }
        form
    }

    /// Sends `form` to the token endpoint: the token, or why not.
    pub(crate) async fn request(&self, form: Form) -> Result<AccessToken, TokenError> {
        self.endpoint.request(self.flow, form).await
    }

    /// The identity's parts the core knows: the endpoint, the flow, the scopes, the
    /// resources, the extra parameters and a user's account; `None` for a user's tokens
    /// with no account named.
    fn identity_parts(&self) -> Option<Identity> {
        let mut identity = Identity::new(&self.endpoint, self.flow).with_scopes(&self.scopes);
        for resource in &self.resources {
            identity = identity.with("resource", resource);
        }
        for (name, value) in &self.params {
            identity = identity.with(name, value);
        }
        match &self.user {
            Some(user) => with_account(identity, user.account.as_deref()),
            None => Some(identity),
        }
    }
}

/// What one grant adds to the core: how it gets a token, and the parts of its identity
/// that are its own.
pub(crate) trait Grant: Send + Sync + 'static {
    /// The request every grant shares.
    fn core(&self) -> &GrantCore;

    /// A new token: for most grants one request, the core's form with the grant's own
    /// fields; for a flow a user signs in to, a sign-in (which a fetch tries only when
    /// there is no kept refresh token, or the server refused it).
    fn obtain(&self) -> impl Future<Output = Result<AccessToken, TokenError>> + Send;

    /// `identity` (the core's parts) with the grant's own, or `None` where they make the
    /// tokens' owner unknown.
    fn identify(&self, identity: Identity) -> Option<Identity> {
        Some(identity)
    }
}

impl<G: Grant> TokenSource for G {
    fn fetch(&self) -> BoxFuture<'_, Result<AccessToken, TokenError>> {
        Box::pin(async move {
            let core = self.core();
            match core.refresher() {
                Some(refresher) => {
                    let token = refresher.refresh_or_sign_in(None, || self.obtain()).await?;
                    core.verified(token, None).await
                }
                None => self.obtain().await,
            }
        })
    }

    fn refresh(&self, refresh_token: &Secret) -> Option<BoxFuture<'_, Result<AccessToken, TokenError>>> {
        let core = self.core();
        let refresher = core.refresher()?;
        let offered = refresh_token.clone();
        Some(Box::pin(async move {
            let token = refresher.refresh_or_sign_in(Some(&offered), || self.obtain()).await?;
            core.verified(token, None).await
        }))
    }

    fn name(&self) -> &str {
        &self.core().name
    }

    fn identity(&self) -> Option<&[u8]> {
        let core = self.core();
        let bytes = core.identity.get_or_init(|| {
            core.identity_parts().and_then(|parts| self.identify(parts)).map(|identity| identity.bytes())
        });
        bytes.as_deref()
    }

    fn dpop(&self) -> Option<&dyn DpopKey> {
        self.core().endpoint.dpop().map(|dpop| dpop as &dyn DpopKey)
    }
}
