//! The OAuth 2.0 and OpenID Connect schemes of a client: what generated `with_<scheme>_…`
//! and `<scheme>_…` methods call, with the client's configuration and base URL. Here, not
//! in `client`, so that the client layer never reads the flows (which reach their
//! servers through it).

use super::declared::{self, DeclaredScheme, OAuthClient};
use super::{AuthorizationCode, DeviceAuthorization, OAuthError, PasswordGrant, UserCode};
use crate::client::{ClientCore, Credential};
use crate::secret::Secret;

impl ClientCore {
    /// Calls secured by `name` (declared as `scheme`) get client credentials tokens of
    /// `client`, each asked for the scopes its operation needs.
    pub fn set_oauth_client(
        &mut self,
        name: &'static str,
        scheme: &'static DeclaredScheme,
        client: OAuthClient,
    ) {
        let tokens =
            declared::client_credentials(scheme, client, self.config().clone(), self.base_url().to_string());
        self.set_credential(name, Credential::ScopedCache(tokens));
    }

    /// The authorization code flow of `scheme` for `client`.
    pub async fn authorization_code(
        &self,
        scheme: &'static DeclaredScheme,
        client: &OAuthClient,
    ) -> Result<AuthorizationCode, OAuthError> {
        declared::authorization_code(scheme, client, self.config(), self.base_url()).await
    }

    /// The device authorization flow of `scheme` for `client`; `show` tells the user
    /// where to go and what to enter.
    pub async fn device_authorization(
        &self,
        scheme: &'static DeclaredScheme,
        client: &OAuthClient,
        show: impl Fn(&UserCode) + Send + Sync + 'static,
    ) -> Result<DeviceAuthorization, OAuthError> {
        declared::device_authorization(scheme, client, self.config(), self.base_url(), show).await
    }

    /// The password flow of `scheme` for `client`, as `username`.
    pub async fn password_grant(
        &self,
        scheme: &'static DeclaredScheme,
        client: &OAuthClient,
        username: String,
        password: Secret,
    ) -> Result<PasswordGrant, OAuthError> {
        declared::password(scheme, client, self.config(), self.base_url(), username, password).await
    }
}
