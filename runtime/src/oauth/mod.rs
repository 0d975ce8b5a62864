//! OAuth 2.0 and OpenID Connect: the flows that fetch access tokens, each a
//! [`TokenSource`](crate::token::TokenSource) that a [`TokenCache`](crate::token::TokenCache)
//! (and the fleet's shared cache) keeps and refreshes unchanged.
//!
//! - [`TokenEndpoint`]: where tokens come from and how the client authenticates
//!   ([`ClientAuth`]: `client_secret_basic`, `client_secret_post`, `private_key_jwt`,
//!   `tls_client_auth`, `self_signed_tls_client_auth`, `none`). Token requests (and
//!   discovery, the device authorization request, the JWKS) go through the runtime's
//!   exchange, as every operation does, over a client built from the runtime's
//!   [`Config`](crate::Config): its [`Hook`](crate::Hook)s see them, its retry policy,
//!   budget, timeouts, TLS identity and roots, response size limit and `authgen.call`
//!   span apply, and they fail with the same errors; no redirects, HTTPS but to loopback
//!   when allowed.
//! - [`ServerMetadata`]: discovery (OpenID Connect and RFC 8414), the issuer checked.
//! - [`IdTokens`]: OpenID Connect ID tokens verified (the signature against the
//!   issuer's JWKS, fetched again when the issuer rotates its keys; `iss`, `aud`, `azp`,
//!   `exp`, `iat`, the sign-in's `nonce`). The authorization code and device flows found
//!   by discovery verify theirs, and the token's
//!   [`id_claims`](crate::token::AccessToken::id_claims) say who signed in.
//! - The flows: [`ClientCredentials`], [`RefreshTokens`] (rotation, persisted through a
//!   [`TokenStore`] such as [`FileTokenStore`]), [`AuthorizationCode`] (PKCE S256, state,
//!   nonce, the RFC 9207 `iss` check, a [`LoopbackRedirect`] for command-line and desktop
//!   programs), [`DeviceAuthorization`] (RFC 8628), [`TokenExchange`] (RFC 8693),
//!   [`JwtBearer`] (RFC 7523) and, only when asked for by name, [`PasswordGrant`].
//! - [`Dpop`]: sender-constrained tokens (RFC 9449): proofs for the token request and for
//!   each API call, server nonces remembered and retried.
//!
//! Every grant is one shared request (endpoint, client authentication, scopes,
//! resources, extra parameters, the source's name and identity) and what the grant adds
//! to it; one generic impl makes each a [`TokenSource`](crate::token::TokenSource).
//!
//! The implicit flow and PKCE `plain` are not offered: both are unsafe (RFC 9700 §2.1.2,
//! §2.1.1).
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use authgen_runtime::Config;
//! use authgen_runtime::oauth::{ClientAuth, ClientCredentials, TokenEndpoint};
//! use authgen_runtime::token::TokenCache;
//!
//! let auth = ClientAuth::client_secret_basic("my-client", "my-secret");
//! let endpoint = TokenEndpoint::new("https://auth.example.com/oauth/token", auth, &Config::new())?;
//! let tokens = TokenCache::new(ClientCredentials::new(endpoint).scopes(["invoices:read"]));
//! let token = tokens.token().await?;
//! # Ok(()) }
//! ```
//!
//! Secrets never print: every type's `Debug` leaves out secrets, codes, verifiers,
//! assertions and tokens, refused grants name the OAuth `error` and `error_description`
//! only, and tracing events name the scheme and the flow.

mod authorization_code;
mod client_auth;
mod client_credentials;
mod declared;
mod device;
mod discovery;
mod dpop;
mod endpoint;
mod entry;
mod error;
mod exchange;
mod grant;
mod http;
mod id_token;
mod identity;
mod keys;
mod loopback;
mod password;
mod random;
mod refresh;
mod store;

pub use authorization_code::{AuthorizationCode, AuthorizationRequest};
pub use client_auth::ClientAuth;
pub use client_credentials::ClientCredentials;
pub use declared::{DeclaredFlow, DeclaredScheme, OAuthClient};
pub use device::{DeviceAuthorization, UserCode};
pub use discovery::ServerMetadata;
pub use dpop::Dpop;
pub use endpoint::TokenEndpoint;
pub use error::OAuthError;
pub use exchange::{JwtBearer, TokenExchange};
pub use id_token::IdTokens;
pub use keys::SigningKey;
pub use loopback::LoopbackRedirect;
pub use password::PasswordGrant;
pub use refresh::RefreshTokens;
pub use store::{FileTokenStore, MemoryTokenStore, TokenStore};
