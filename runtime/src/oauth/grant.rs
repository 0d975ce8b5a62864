//! One token request core under every grant: [`GrantCore`] holds what each grant's
//! request has (the endpoint and the client's authentication, scopes, RFC 8707 resources,
//! extra parameters, the source's name, its identity computed once), and [`Grant`] is
//! the little each grant adds. Every grant is a [`TokenSource`] through one impl.

use std::collections::BTreeSet;
use std::fmt;
use std::future::Future;
use std::sync::OnceLock;

use super::client_auth::Form;
use super::endpoint::TokenEndpoint;
use super::identity::{Identity, scope_param, scope_set};
use super::refresh::Refresher;
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
}

impl fmt::Debug for GrantCore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GrantCore")
            .field("endpoint", &self.endpoint)
            .field("flow", &self.flow)
            .field("scopes", &self.scopes)
            .field("resources", &self.resources)
            .field("params", &self.params.iter().map(|(name, _)| name).collect::<Vec<_>>())
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
    /// resources and the extra parameters.
    fn identity_parts(&self) -> Identity {
        let mut identity = Identity::new(&self.endpoint, self.flow).with_scopes(&self.scopes);
        for resource in &self.resources {
            identity = identity.with("resource", resource);
        }
        for (name, value) in &self.params {
            identity = identity.with(name, value);
        }
        identity
    }
}

/// What one grant adds to the core: how it gets a token, the parts of its identity that
/// are its own, and where it keeps a user's refresh token if it is a flow a user takes
/// part in.
pub(crate) trait Grant: Send + Sync + 'static {
    /// The request every grant shares.
    fn core(&self) -> &GrantCore;

    /// A new token: for most grants one request, the core's form with the grant's own
    /// fields; for a user's flow, a sign-in.
    fn obtain(&self) -> impl Future<Output = Result<AccessToken, TokenError>> + Send;

    /// `identity` (the core's parts) with the grant's own, or `None` where the tokens'
    /// owner is not known (a user's flow with no account named).
    fn identify(&self, identity: Identity) -> Option<Identity> {
        Some(identity)
    }

    /// The refresher of a user's flow: a fetch then refreshes with the kept refresh token
    /// first, and signs in ([`obtain`](Self::obtain)) only when there is none or the
    /// server refused it.
    fn refresher(&self) -> Option<&Refresher> {
        None
    }
}

impl<G: Grant> TokenSource for G {
    fn fetch(&self) -> BoxFuture<'_, Result<AccessToken, TokenError>> {
        Box::pin(async move {
            match self.refresher() {
                Some(refresher) => refresher.refresh_or_sign_in(None, || self.obtain()).await,
                None => self.obtain().await,
            }
        })
    }

    fn refresh(&self, refresh_token: &Secret) -> Option<BoxFuture<'_, Result<AccessToken, TokenError>>> {
        let refresher = self.refresher()?;
        let offered = refresh_token.clone();
        Some(Box::pin(async move { refresher.refresh_or_sign_in(Some(&offered), || self.obtain()).await }))
    }

    fn name(&self) -> &str {
        &self.core().name
    }

    fn identity(&self) -> Option<&[u8]> {
        let core = self.core();
        let bytes = core.identity.get_or_init(|| self.identify(core.identity_parts()).map(|i| i.bytes()));
        bytes.as_deref()
    }

    fn dpop(&self) -> Option<&dyn DpopKey> {
        self.core().endpoint.dpop().map(|dpop| dpop as &dyn DpopKey)
    }
}
