//! An OAuth 2.0 or OpenID Connect scheme as a spec declares it ([`DeclaredScheme`],
//! stated by generated code), and [`OAuthClient`], the application as an OAuth client
//! of it: together they give every flow the scheme declares, preconfigured, so a user
//! writes the client's id and secret (or redirect), nothing else.
//!
//! Where tokens come from, first found first: the client's issuer (discovery), the
//! client's token URL, the spec's token URL for the flow (relative to the base URL, as
//! OpenAPI reads URLs), the spec's `openIdConnectUrl` or `oauth2MetadataUrl`.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;

use tokio::sync::OnceCell;

use super::authorization_code::AuthorizationCode;
use super::client_auth::ClientAuth;
use super::client_credentials::ClientCredentials;
use super::device::{DeviceAuthorization, UserCode};
use super::discovery::ServerMetadata;
use super::dpop::Dpop;
use super::endpoint::TokenEndpoint;
use super::error::OAuthError;
use super::id_token::IdTokens;
use super::identity::Identity;
use super::password::PasswordGrant;
use crate::config::{Config, ConfigError};
use crate::secret::Secret;
use crate::token::{
    AccessToken, BoxFuture, DpopKey, Margin, ScopedTokens, Scopes, SharedLevel, TokenCache, TokenError,
    TokenSource,
};

/// An OAuth 2.0 or OpenID Connect security scheme as the spec declares it.
#[derive(Debug)]
pub struct DeclaredScheme {
    /// `<module>.<scheme>`, as tracing events and token identities name it.
    pub label: &'static str,
    /// The `openIdConnectUrl`, or OpenAPI 3.2's `oauth2MetadataUrl`: the discovery
    /// document.
    pub discovery_url: Option<&'static str>,
    /// The `clientCredentials` flow.
    pub client_credentials: Option<DeclaredFlow>,
    /// The `authorizationCode` flow.
    pub authorization_code: Option<DeclaredFlow>,
    /// The `deviceAuthorization` flow (OpenAPI 3.2).
    pub device_authorization: Option<DeclaredFlow>,
    /// The `password` flow.
    pub password: Option<DeclaredFlow>,
}

/// One flow of a [`DeclaredScheme`], its URLs as the spec writes them.
#[derive(Debug)]
pub struct DeclaredFlow {
    /// `tokenUrl`.
    pub token_url: &'static str,
    /// `authorizationUrl`.
    pub authorization_url: Option<&'static str>,
    /// `deviceAuthorizationUrl`.
    pub device_authorization_url: Option<&'static str>,
    /// The scopes the flow declares.
    pub scopes: &'static [&'static str],
}

/// The application as the OAuth client of one scheme: its id and authentication, and
/// what to change of what the spec declares (a sandbox's token URL or issuer, scopes for
/// every call, a resource indicator, a DPoP key).
#[derive(Clone)]
pub struct OAuthClient {
    auth: Auth,
    token_url: Option<String>,
    issuer: Option<String>,
    scopes: Vec<String>,
    resource: Option<String>,
    dpop: Option<Dpop>,
    shared: Option<Arc<dyn SharedLevel>>,
}

/// How the client authenticates: a secret (its method chosen by the server's metadata),
/// or as given.
#[derive(Clone)]
enum Auth {
    Secret { client_id: String, secret: Secret },
    Given(ClientAuth),
}

impl fmt::Debug for OAuthClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthClient")
            .field("client_id", &self.client_id())
            .field("token_url", &self.token_url)
            .field("issuer", &self.issuer)
            .field("scopes", &self.scopes)
            .field("resource", &self.resource)
            .field("dpop", &self.dpop)
            .field("shared", &self.shared.is_some())
            .finish()
    }
}

impl OAuthClient {
    /// A confidential client with a secret: `client_secret_basic` (RFC 6749 §2.3.1),
    /// unless the server's metadata lists `client_secret_post` alone.
    pub fn secret(client_id: impl Into<String>, secret: impl Into<Secret>) -> Self {
        OAuthClient::with(Auth::Secret { client_id: client_id.into(), secret: secret.into() })
    }

    /// A client authenticating by `auth` (`private_key_jwt`, mutual TLS, a public client, …).
    pub fn new(auth: ClientAuth) -> Self {
        OAuthClient::with(Auth::Given(auth))
    }

    fn with(auth: Auth) -> Self {
        OAuthClient {
            auth,
            token_url: None,
            issuer: None,
            scopes: Vec::new(),
            resource: None,
            dpop: None,
            shared: None,
        }
    }

    /// Gets tokens at `url` instead of where the spec says (a sandbox's token endpoint).
    pub fn token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = Some(url.into());
        self
    }

    /// Finds the endpoints by discovery at the issuer `url` (OpenID Connect, else RFC
    /// 8414), instead of where the spec says.
    pub fn issuer(mut self, url: impl Into<String>) -> Self {
        self.issuer = Some(url.into());
        self
    }

    /// Asks for these scopes on every token, besides each operation's.
    pub fn scopes<I: IntoIterator<Item = S>, S: Into<String>>(mut self, scopes: I) -> Self {
        self.scopes.extend(scopes.into_iter().map(Into::into));
        self
    }

    /// Asks for tokens for the resource server `resource` (RFC 8707).
    pub fn resource(mut self, resource: impl Into<String>) -> Self {
        self.resource = Some(resource.into());
        self
    }

    /// Binds the tokens to `dpop`'s key (RFC 9449): token requests and calls carry proofs.
    pub fn dpop(mut self, dpop: Dpop) -> Self {
        self.dpop = Some(dpop);
        self
    }

    /// Shares the tokens with every process of the fleet through `level` (a
    /// `SharedTokens` on Redis): one token request per expiry and scope set for all.
    pub fn shared(mut self, level: impl SharedLevel) -> Self {
        self.shared = Some(Arc::new(level));
        self
    }

    fn client_id(&self) -> &str {
        match &self.auth {
            Auth::Secret { client_id, .. } => client_id,
            Auth::Given(auth) => auth.client_id(),
        }
    }

    /// The client's authentication, once the server's metadata (if any) is known.
    fn auth(&self, metadata: Option<&ServerMetadata>) -> ClientAuth {
        match (&self.auth, metadata) {
            (Auth::Secret { client_id, secret }, Some(metadata)) => {
                metadata.client_secret(client_id, secret.clone())
            }
            (Auth::Secret { client_id, secret }, None) => {
                ClientAuth::client_secret_basic(client_id, secret.clone())
            }
            (Auth::Given(auth), _) => auth.clone(),
        }
    }

    /// What names this client's tokens: where they come from, who asks, with what key.
    fn identity(&self, scheme: &DeclaredScheme, flow: &str, base_url: &str) -> Identity {
        let source = self.issuer.clone().or(self.token_url.clone());
        let declared = scheme.client_credentials.as_ref().map(|f| f.token_url).or(scheme.discovery_url);
        let credential = match &self.auth {
            Auth::Secret { secret, .. } => secret.expose_secret().to_string(),
            Auth::Given(auth) => format!("{}:{}", auth.method(), auth.identity()),
        };
        Identity::of(vec![
            "oauth".into(),
            scheme.label.into(),
            flow.into(),
            source.unwrap_or_else(|| format!("{base_url} {}", declared.unwrap_or_default())),
            self.client_id().into(),
            credential,
            self.dpop.as_ref().map(|d| d.thumbprint().to_string()).unwrap_or_default(),
            self.resource.clone().unwrap_or_default(),
        ])
    }
}

/// Where one flow's tokens come from, found.
struct Found {
    endpoint: TokenEndpoint,
    metadata: Option<ServerMetadata>,
}

/// The token endpoint of `flow` (one of `scheme`'s) for `client`, and the server's
/// metadata where it was found by discovery.
async fn find(
    scheme: &DeclaredScheme,
    flow: Option<&DeclaredFlow>,
    client: &OAuthClient,
    config: &Config,
    base_url: &str,
) -> Result<Found, OAuthError> {
    let metadata = match (&client.issuer, &client.token_url, flow, scheme.discovery_url) {
        (Some(issuer), ..) => Some(ServerMetadata::discover(issuer, config).await?),
        (None, None, None, Some(url)) => {
            Some(ServerMetadata::from_url(&absolute(base_url, url)?, config).await?)
        }
        _ => None,
    };
    let token_url = match (&metadata, &client.token_url, flow) {
        (Some(metadata), ..) => {
            metadata.token_endpoint.clone().ok_or(OAuthError::MissingEndpoint("token_endpoint"))?
        }
        (None, Some(url), _) => url.clone(),
        (None, None, Some(flow)) => absolute(base_url, flow.token_url)?,
        (None, None, None) => return Err(OAuthError::MissingEndpoint("token_endpoint")),
    };
    let mut endpoint =
        TokenEndpoint::new(&token_url, client.auth(metadata.as_ref()), config)?.scheme(scheme.label);
    if let Some(dpop) = &client.dpop {
        endpoint = endpoint.with_dpop(dpop.clone());
    }
    Ok(Found { endpoint, metadata })
}

/// `url` resolved against the base URL, as OpenAPI reads a relative URL.
fn absolute(base_url: &str, url: &str) -> Result<String, OAuthError> {
    let invalid = |reason: String| ConfigError::InvalidUrl { url: url.to_string(), reason };
    let base = url::Url::parse(base_url).map_err(|e| invalid(e.to_string()))?;
    Ok(base.join(url).map_err(|e| invalid(e.to_string()))?.to_string())
}

/// The scopes a flow asks for: `declared` (the operation's, or the flow's) and the
/// client's own.
fn with_clients(declared: impl IntoIterator<Item = impl Into<String>>, client: &OAuthClient) -> Scopes {
    declared.into_iter().map(Into::into).chain(client.scopes.iter().cloned()).collect()
}

/// The client credentials tokens of `scheme` for `client`: one cache per scope set that
/// calls need, each asking for those scopes and the client's.
pub(crate) fn client_credentials(
    scheme: &'static DeclaredScheme,
    client: OAuthClient,
    config: Config,
    base_url: String,
) -> ScopedTokens {
    ScopedTokens::new(move |needed| {
        let scopes = with_clients(needed.iter().cloned(), &client);
        let identity = client.identity(scheme, "client_credentials", &base_url).with_scopes(&scopes).bytes();
        let level = client.shared.as_ref().map(|shared| shared.level(&identity));
        let source = Lazy {
            scheme,
            client: client.clone(),
            config: config.clone(),
            base_url: base_url.clone(),
            scopes,
            name: format!("{}.client_credentials", scheme.label),
            identity,
            ready: OnceCell::new(),
        };
        match level {
            Some(level) => TokenCache::with_second_level(source, Margin::default(), level),
            None => TokenCache::new(source),
        }
    })
}

/// The client credentials grant of one scope set, its endpoint found on first use (a
/// discovery document is fetched then, not when the client is built).
struct Lazy {
    scheme: &'static DeclaredScheme,
    client: OAuthClient,
    config: Config,
    base_url: String,
    scopes: BTreeSet<String>,
    name: String,
    identity: Vec<u8>,
    ready: OnceCell<ClientCredentials>,
}

impl Lazy {
    async fn grant(&self) -> Result<&ClientCredentials, TokenError> {
        self.ready
            .get_or_try_init(|| async {
                let flow = self.scheme.client_credentials.as_ref();
                let found = find(self.scheme, flow, &self.client, &self.config, &self.base_url).await?;
                let grant = ClientCredentials::new(found.endpoint).scopes(self.scopes.iter().cloned());
                Ok(match &self.client.resource {
                    Some(resource) => grant.resource(resource),
                    None => grant,
                })
            })
            .await
            .map_err(|error: OAuthError| error.into_token_error())
    }
}

impl TokenSource for Lazy {
    fn fetch(&self) -> BoxFuture<'_, Result<AccessToken, TokenError>> {
        Box::pin(async move { self.grant().await?.fetch().await })
    }

    fn name(&self) -> &str {
        &self.name
    }

    fn identity(&self) -> Option<&[u8]> {
        Some(&self.identity)
    }

    fn dpop(&self) -> Option<&dyn DpopKey> {
        self.client.dpop.as_ref().map(|dpop| dpop as &dyn DpopKey)
    }
}

/// The authorization code flow of `scheme` for `client`, asking for the scopes the flow
/// declares and the client's.
pub(crate) async fn authorization_code(
    scheme: &DeclaredScheme,
    client: &OAuthClient,
    config: &Config,
    base_url: &str,
) -> Result<AuthorizationCode, OAuthError> {
    let flow = scheme.authorization_code.as_ref();
    let found = find(scheme, flow, client, config, base_url).await?;
    let declared = flow.and_then(|f| f.authorization_url).map(|url| absolute(base_url, url)).transpose()?;
    let discovered = found.metadata.as_ref().and_then(|m| m.authorization_endpoint.clone());
    let url = discovered.or(declared).ok_or(OAuthError::MissingEndpoint("authorization_endpoint"))?;
    let mut code =
        AuthorizationCode::new(found.endpoint, &url)?.scopes(with_clients(flow_scopes(flow), client));
    if let Some(metadata) = &found.metadata {
        code = code.issuer(metadata.issuer.clone());
        if let Some(id_tokens) = IdTokens::for_client(metadata, client.client_id(), config)? {
            code = code.id_tokens(id_tokens);
        }
    }
    Ok(code)
}

/// The device authorization flow of `scheme` for `client`: `show` tells the user where
/// to go and what code to enter.
pub(crate) async fn device_authorization(
    scheme: &DeclaredScheme,
    client: &OAuthClient,
    config: &Config,
    base_url: &str,
    show: impl Fn(&UserCode) + Send + Sync + 'static,
) -> Result<DeviceAuthorization, OAuthError> {
    let flow = scheme.device_authorization.as_ref();
    let found = find(scheme, flow, client, config, base_url).await?;
    let declared =
        flow.and_then(|f| f.device_authorization_url).map(|url| absolute(base_url, url)).transpose()?;
    let discovered = found.metadata.as_ref().and_then(|m| m.device_authorization_endpoint.clone());
    let url = discovered.or(declared).ok_or(OAuthError::MissingEndpoint("device_authorization_endpoint"))?;
    let device =
        DeviceAuthorization::new(found.endpoint, &url, show)?.scopes(with_clients(flow_scopes(flow), client));
    let id_tokens = found.metadata.as_ref().map(|m| IdTokens::for_client(m, client.client_id(), config));
    Ok(match id_tokens.transpose()?.flatten() {
        Some(id_tokens) => device.id_tokens(id_tokens),
        None => device,
    })
}

/// The password flow of `scheme` for `client` (only where asked for by name: it hands
/// the user's password to the application).
pub(crate) async fn password(
    scheme: &DeclaredScheme,
    client: &OAuthClient,
    config: &Config,
    base_url: &str,
    username: String,
    secret: Secret,
) -> Result<PasswordGrant, OAuthError> {
    let flow = scheme.password.as_ref();
    let found = find(scheme, flow, client, config, base_url).await?;
    Ok(PasswordGrant::new(found.endpoint, username, secret).scopes(with_clients(flow_scopes(flow), client)))
}

fn flow_scopes(flow: Option<&DeclaredFlow>) -> impl Iterator<Item = &'static str> {
    flow.into_iter().flat_map(|f| f.scopes.iter().copied())
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use tokio::time::Instant;

    use super::*;
    use crate::token::{SecondLevel, Upstream};

    static SCHEME: DeclaredScheme = DeclaredScheme {
        label: "ledger.oauth",
        discovery_url: None,
        client_credentials: Some(DeclaredFlow {
            token_url: "/oauth/token",
            authorization_url: None,
            device_authorization_url: None,
            scopes: &["read", "write"],
        }),
        authorization_code: None,
        device_authorization: None,
        password: None,
    };

    /// A fleet's store that holds a token for every identity it is asked about.
    #[derive(Clone, Default)]
    struct Fleet {
        asked: Arc<Mutex<Vec<Vec<u8>>>>,
    }

    struct Held;

    impl SharedLevel for Fleet {
        fn level(&self, identity: &[u8]) -> Box<dyn SecondLevel> {
            self.asked.lock().unwrap().push(identity.to_vec());
            Box::new(Held)
        }
    }

    impl SecondLevel for Held {
        fn peek<'a>(&'a self, _: Upstream<'a>) -> BoxFuture<'a, Option<AccessToken>> {
            Box::pin(async { Some(AccessToken::new("the fleet's", Instant::now())) })
        }

        fn fetch<'a>(&'a self, _: Upstream<'a>) -> BoxFuture<'a, Result<AccessToken, TokenError>> {
            Box::pin(async { Ok(AccessToken::new("the fleet's", Instant::now())) })
        }

        fn forget<'a>(&'a self, _: &'a AccessToken) -> BoxFuture<'a, ()> {
            Box::pin(async {})
        }
    }

    #[tokio::test]
    async fn a_shared_client_takes_each_scope_sets_token_from_the_fleet() {
        let fleet = Fleet::default();
        let client = OAuthClient::secret("id", "secret").scopes(["extra"]).shared(fleet.clone());
        let tokens = client_credentials(&SCHEME, client, Config::new(), "https://api.test/v1".into());
        let token = tokens.cache(["read"]).token().await.unwrap();
        assert_eq!(token.secret().expose_secret(), "the fleet's");
        tokens.cache(["write"]);
        let asked = fleet.asked.lock().unwrap();
        assert_eq!(asked.len(), 2, "a level per scope set");
        assert_ne!(asked[0], asked[1], "each scope set is its own identity");
        let shown = String::from_utf8_lossy(&asked[0]);
        assert!(
            shown.contains("extra read") && shown.contains("https://api.test/v1 /oauth/token"),
            "{shown}"
        );
    }

    #[test]
    fn relative_urls_follow_the_base_url_and_debug_never_shows_the_secret() {
        assert_eq!(absolute("https://api.test/v1/", "/oauth/token").unwrap(), "https://api.test/oauth/token");
        assert_eq!(absolute("https://api.test/v1", "https://auth.test/t").unwrap(), "https://auth.test/t");
        let shown = format!("{:?}", OAuthClient::secret("id", "s3cr3t-value"));
        assert!(shown.contains("\"id\"") && !shown.contains("s3cr3t-value"), "{shown}");
    }
}
