//! OAuth 2.0 and OpenID Connect schemes: the declaration the runtime reads (a constant
//! per scheme) and the client's methods for each flow the scheme declares.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::ident;
use crate::model::{OAuthFlow, OAuthFlows, SchemeKind, SecurityScheme};

/// The declaration of `scheme` and its client methods, if it is an OAuth one with a
/// flow the client offers.
pub(super) fn scheme(scheme: &SecurityScheme, module: &str) -> Option<(TokenStream, TokenStream)> {
    let (flows, discovery) = match &scheme.kind {
        SchemeKind::OAuth2(flows) => (OAuthFlows::clone(flows), flows.metadata_url.clone()),
        SchemeKind::OpenIdConnect { discovery_url } => (OAuthFlows::default(), Some(discovery_url.clone())),
        _ => return None,
    };
    let declared = ident(&format!("{}_SCHEME", scheme.rust_name.to_ascii_uppercase()));
    let label = format!("{module}.{}", scheme.rust_name);
    let flow = |flow: &Option<OAuthFlow>| match flow {
        Some(flow) => {
            let (token_url, scopes) = (&flow.token_url, flow.scopes.iter().map(|(name, _)| name));
            let authorization = optional(&flow.authorization_url);
            let device = optional(&flow.device_authorization_url);
            quote!(Some(__rt::oauth::DeclaredFlow {
                token_url: #token_url,
                authorization_url: #authorization,
                device_authorization_url: #device,
                scopes: &[#(#scopes),*],
            }))
        }
        None => quote!(None),
    };
    let (client_credentials, authorization_code) =
        (flow(&flows.client_credentials), flow(&flows.authorization_code));
    let (device, password, discovery_url) =
        (flow(&flows.device_authorization), flow(&flows.password), optional(&discovery));
    let about =
        line(&format!("How the `{}` security scheme gets its tokens, as the spec declares it.", scheme.name));
    let constant = quote! {
        #about
        const #declared: __rt::oauth::DeclaredScheme = __rt::oauth::DeclaredScheme {
            label: #label,
            discovery_url: #discovery_url,
            client_credentials: #client_credentials,
            authorization_code: #authorization_code,
            device_authorization: #device,
            password: #password,
        };
    };
    let discovered = discovery.is_some();
    let methods = [
        (flows.client_credentials.is_some() || discovered)
            .then(|| client_credentials_methods(scheme, &declared)),
        (flows.authorization_code.is_some() || discovered)
            .then(|| authorization_code_method(scheme, &declared)),
        (flows.device_authorization.is_some() || discovered).then(|| device_method(scheme, &declared)),
        flows.password.is_some().then(|| password_method(scheme, &declared)),
    ];
    let methods: Vec<TokenStream> = methods.into_iter().flatten().collect();
    // Only flows the client refuses (`implicit`): no method would read the declaration.
    if methods.is_empty() {
        return None;
    }
    Some((constant, quote!(#(#methods)*)))
}

/// Our own text as a doc comment (the spec's texts go through `doc`, which escapes).
fn line(text: &str) -> TokenStream {
    super::doc::ours(text)
}

fn optional(value: &Option<String>) -> TokenStream {
    match value {
        Some(value) => quote!(Some(#value)),
        None => quote!(None),
    }
}

fn client_credentials_methods(scheme: &SecurityScheme, declared: &Ident) -> TokenStream {
    let (name, rust) = (&scheme.name, &scheme.rust_name);
    let with_secret = ident(&format!("with_{rust}_client_credentials"));
    let with_client = ident(&format!("with_{rust}_client"));
    let secret_doc = format!(
        "Calls secured by `{name}` get tokens by the client credentials grant, as `client_id` with `client_secret` (HTTP Basic, or in the form where the server's metadata says only that). Each call asks for the scopes its operation needs; tokens are cached per scope set and fetched again before they expire, or once after a 401."
    );
    let client_doc = line(&format!(
        "[`{with_secret}`](Self::{with_secret}) for any client: another authentication (`private_key_jwt`, mutual TLS), a sandbox's token URL or issuer, scopes or a resource for every call, a DPoP key."
    ));
    let secret_doc = line(&secret_doc);
    quote! {
        #secret_doc
        pub fn #with_secret(self, client_id: impl Into<String>, client_secret: impl Into<__rt::Secret>) -> Self {
            self.#with_client(__rt::oauth::OAuthClient::secret(client_id, client_secret))
        }

        #client_doc
        pub fn #with_client(mut self, client: __rt::oauth::OAuthClient) -> Self {
            self.core.set_oauth_client(#name, &#declared, client);
            self
        }
    }
}

fn authorization_code_method(scheme: &SecurityScheme, declared: &Ident) -> TokenStream {
    let about = "The authorization code flow (PKCE S256, state, nonce, the `iss` check) of the `{name}` scheme for `client`, at the URLs the spec declares (or the client's issuer): sign a user in with its `start`/`finish`, or its loopback listener for a command-line or desktop program.";
    let flow = Flow {
        suffix: "authorization_code",
        about,
        returns: quote!(AuthorizationCode),
        call: quote!(authorization_code),
        refreshes: true,
    };
    flow.method(scheme, declared, quote!(), quote!())
}

fn device_method(scheme: &SecurityScheme, declared: &Ident) -> TokenStream {
    let about = "The device authorization flow (RFC 8628) of the `{name}` scheme for `client`: `show` tells the user where to go and what code to enter, while the flow polls.";
    let flow = Flow {
        suffix: "device_authorization",
        about,
        returns: quote!(DeviceAuthorization),
        call: quote!(device_authorization),
        refreshes: true,
    };
    let params = quote!(show: impl Fn(&__rt::oauth::UserCode) + Send + Sync + 'static,);
    flow.method(scheme, declared, params, quote!(show))
}

fn password_method(scheme: &SecurityScheme, declared: &Ident) -> TokenStream {
    let about = "The resource owner password flow of the `{name}` scheme for `client`, as `username`: the application handles the user's password, which the OAuth 2.0 Security BCP (RFC 9700) forbids but for migrations.";
    let flow = Flow {
        suffix: "password",
        about,
        returns: quote!(PasswordGrant),
        call: quote!(password_grant),
        refreshes: false,
    };
    let params = quote!(username: impl Into<String>, password: impl Into<__rt::Secret>,);
    flow.method(scheme, declared, params, quote!(username.into(), password.into()))
}

/// A flow the user takes part in: a method giving it preconfigured, a token source.
struct Flow {
    /// The method is `<scheme>_<suffix>`.
    suffix: &'static str,
    /// What it is; `{name}` stands for the scheme's name.
    about: &'static str,
    /// The runtime's type of the flow, in `authgen_runtime::oauth`.
    returns: TokenStream,
    /// The `ClientCore` method that sets it up.
    call: TokenStream,
    /// Whether it renews its tokens with a refresh token (else it asks anew).
    refreshes: bool,
}

impl Flow {
    fn method(
        &self,
        scheme: &SecurityScheme,
        declared: &Ident,
        params: TokenStream,
        args: TokenStream,
    ) -> TokenStream {
        let method = ident(&format!("{}_{}", scheme.rust_name, self.suffix));
        let cache = format!("with_{}_cache", scheme.rust_name);
        let renews = if self.refreshes { ", which refreshes with its refresh token" } else { "" };
        let docs = line(&format!(
            "{} It is a token source: give it to [`{cache}`](Self::{cache}) in a `TokenCache`{renews}.",
            self.about.replace("{name}", &scheme.name)
        ));
        let (returns, call) = (&self.returns, &self.call);
        quote! {
            #docs
            pub async fn #method(
                &self,
                client: __rt::oauth::OAuthClient,
                #params
            ) -> Result<__rt::oauth::#returns, __rt::oauth::OAuthError> {
                self.core.#call(&#declared, &client, #args).await
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    #[test]
    fn a_scheme_whose_only_flow_is_implicit_declares_nothing_left_unused() {
        let spec = "openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /a:
    get:
      security: [{legacy: [read]}]
      responses: {'200': {description: ok}}
components:
  securitySchemes:
    legacy:
      type: oauth2
      flows:
        implicit: {authorizationUrl: 'https://a.example/auth', scopes: {read: r}}
";
        let code = crate::generate_str(Path::new("x.yaml"), spec).unwrap();
        assert!(!code.contains("LEGACY_SCHEME"), "{code}");
        assert!(code.contains("pub fn with_legacy("), "a token got elsewhere can still be set: {code}");
    }
}
