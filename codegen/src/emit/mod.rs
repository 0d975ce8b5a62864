//! Emitting: the [`model`](crate::model) -> Rust tokens of one client module. Generated
//! code stays thin: transport, auth, decoding and errors live in `authgen-runtime`,
//! named through one short path: the module imports the runtime's door as [`RUNTIME`]
//! and writes `__rt::Secret`, `__rt::ClientCore`, never the full path.

mod call;
pub(crate) mod doc;
mod oauth;
mod operation;
mod pages;
mod rename;
mod stream;
mod token;
pub(crate) mod types;
mod webhook;

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::{Api, SchemeKind, SecurityScheme, Server};
use crate::naming;
use types::ident;

/// One piece of the module: the pieces of [`pieces`], emitted in order, make the whole
/// module. They are emitted one by one so that the pipeline can emit and format a long
/// module's pieces on several threads (tokens are not `Send`; the model is).
#[derive(Debug, Clone, Copy)]
pub enum Piece {
    /// The module's documentation, imports and the `Client`.
    Head,
    /// A type of [`Api::types`].
    Type(usize),
    /// The `TokenAnswer` impl of a type that is a token answer.
    Answer(usize),
    /// An operation's parameters, call, pages, stream, headers and answer enums.
    Operation(usize),
    /// `WebhookEvent` and `Webhooks`, for a document with webhooks.
    Webhooks,
}

/// The module's pieces, in the order they are written.
pub fn pieces(api: &Api) -> Vec<Piece> {
    let types = (0..api.types.len()).map(Piece::Type);
    let answers = api.types.iter().enumerate().filter(|(_, t)| t.token_answer).map(|(i, _)| Piece::Answer(i));
    let operations = (0..api.operations.len()).map(Piece::Operation);
    let webhooks = (!api.webhooks.is_empty()).then_some(Piece::Webhooks);
    std::iter::once(Piece::Head).chain(types).chain(answers).chain(operations).chain(webhooks).collect()
}

/// The tokens of one piece of the module for `api`.
pub fn piece(api: &Api, piece: Piece) -> TokenStream {
    match piece {
        Piece::Head => head(api),
        Piece::Type(i) => types::type_def(&api.types[i], &api.types),
        Piece::Answer(i) => token::answer_impl(&api.types[i]).unwrap_or_default(),
        Piece::Operation(i) => {
            // One stream, each part moved in: interpolating parts into a `quote!` copies them.
            let (op, types) = (&api.operations[i], &api.types);
            let mut tokens = call::params(op, types);
            tokens.extend([operation::operation_impl(op, types)]);
            tokens.extend(pages::paginate_impl(op, types));
            tokens.extend(stream::event_stream_impl(op, types));
            tokens.extend(stream::headers_struct(op, types));
            tokens.extend([operation::error_enum(op, types)]);
            tokens.extend(operation::success_enum(op, types));
            tokens
        }
        Piece::Webhooks => webhook::webhook_items(api),
    }
}

/// The whole module for `api`.
pub fn module(api: &Api) -> TokenStream {
    pieces(api).into_iter().map(|p| piece(api, p)).collect()
}

/// The name generated code gives the runtime's door (`__private`), imported once at
/// the top of the module.
pub const RUNTIME: &str = "__rt";

/// The module's documentation, its imports and, unless the document describes no
/// call (webhooks alone), the `Client`.
fn head(api: &Api) -> TokenStream {
    let module_doc = doc::inner(module_doc(api).as_deref());
    // Every module names the runtime: a document has an operation or a webhook (`lower`
    // refuses one with neither), and each is written with the runtime's types.
    let rt = ident(RUNTIME);
    let runtime = quote!(use ::authgen_runtime::__private as #rt;);
    let serde = serde_imports(api);
    let client = (!api.operations.is_empty()).then(|| client(api));
    quote!(#module_doc #runtime #serde #client)
}

/// `use …::serde::{self as __serde, …};` for exactly the traits the types derive or
/// implement (the same rule decides both, so no import is left unused).
fn serde_imports(api: &Api) -> Option<TokenStream> {
    let (mut serialize, mut deserialize) = (false, false);
    for (s, d) in api.types.iter().map(types::serde_traits) {
        (serialize, deserialize) = (serialize || s, deserialize || d);
    }
    let deserialize = deserialize.then(|| quote!(Deserialize));
    let serialize = serialize.then(|| quote!(Serialize));
    let traits: Vec<TokenStream> = deserialize.into_iter().chain(serialize).collect();
    let serde = ident(types::SERDE);
    (!traits.is_empty()).then(|| quote!(use __rt::serde::{self as #serde, #(#traits),*};))
}

fn module_doc(api: &Api) -> Option<String> {
    let overlays: Vec<String> = api.overlays.iter().map(|o| format!("`{o}`")).collect();
    let with = match overlays.len() {
        0 => String::new(),
        1 => format!(" with the overlay {}", overlays[0]),
        _ => format!(" with the overlays {}", overlays.join(", ")),
    };
    let origin = format!("Generated from `{}`{with} (API version {}).", api.source, api.version);
    let title = format!("# {}", api.title);
    let skipped = skipped_doc(api);
    let webhooks = webhooks_doc(api);
    let parts = [Some(title.as_str()), api.description.as_deref(), Some(&origin), webhooks.as_deref()];
    doc::paragraphs(parts.into_iter().chain([skipped.as_deref()]))
}

/// The webhooks and the types their bodies decode into; where there is nothing else,
/// that there is no client.
fn webhooks_doc(api: &Api) -> Option<String> {
    if api.webhooks.is_empty() {
        return None;
    }
    let lines: Vec<String> = api
        .webhooks
        .iter()
        .map(|w| {
            let payload = match &w.payload {
                // Token text spaces out `Vec < T >`; a doc reads `Vec<T>`.
                Some(ty) => format!("`{}`", types::rust_type(ty, &api.types).to_string().replace(' ', "")),
                None => "no body".into(),
            };
            let summary =
                w.doc.as_deref().and_then(|d| d.lines().next()).map(|d| format!(" {d}")).unwrap_or_default();
            format!("- `{}` ({}):{summary} {payload}", w.name, w.method.as_str())
        })
        .collect();
    let intro = if api.operations.is_empty() {
        "This document describes only webhooks, requests the API sends to you: there is no client to call. `Webhooks` checks each one's signature and decodes it into a `WebhookEvent`:"
    } else {
        "Webhooks, requests the API sends to you: `Webhooks` checks each one's signature and decodes it into a `WebhookEvent`:"
    };
    Some(format!("{intro}\n\n{}", lines.join("\n")))
}

/// The operations left out, so that a reader of the module knows what is missing.
fn skipped_doc(api: &Api) -> Option<String> {
    if api.skipped.is_empty() {
        return None;
    }
    let lines: Vec<String> = api
        .skipped
        .iter()
        .map(|s| {
            let why: Vec<&str> = s.problems.iter().map(|p| p.message.as_str()).collect();
            format!("- `{}`: {}", s.label, why.join("; "))
        })
        .collect();
    Some(format!("Operations left out as unsupported:\n\n{}", lines.join("\n")))
}

fn client(api: &Api) -> TokenStream {
    let doc = client_doc(api);
    let docs = doc::outer(Some(&doc));
    let servers = api.servers.iter().map(server);
    let mutual_tls: Vec<&str> =
        api.schemes.iter().filter(|s| s.kind == SchemeKind::MutualTls).map(|s| s.name.as_str()).collect();
    let setters = api.schemes.iter().filter_map(setter);
    let module = module_name(api);
    let (declarations, oauth_methods): (Vec<_>, Vec<_>) =
        api.schemes.iter().filter_map(|scheme| oauth::scheme(scheme, &module)).unzip();
    let builder = call::builder(api);
    let mut methods = TokenStream::new();
    for op in &api.operations {
        methods.extend([call::method(op, &api.types)]);
        methods.extend(token::source_method(op, api));
    }
    quote! {
        #docs
        #[derive(Debug, Clone)]
        pub struct Client {
            core: __rt::ClientCore,
        }

        /// The spec's servers; the first is the default.
        const SERVERS: &[__rt::Server] = &[#(#servers),*];

        #(#declarations)*

        impl Client {
            /// A client for the server `config` selects (the spec's first server by default).
            ///
            /// Fails when the base URL cannot be resolved, is not HTTPS (plain HTTP is
            /// allowed only to loopback addresses, when the configuration says so), or the
            /// TLS identity or roots cannot be read.
            pub fn new(config: __rt::Config) -> Result<Self, __rt::ConfigError> {
                let core = __rt::ClientCore::new(config, SERVERS, &[#(#mutual_tls),*])?;
                Ok(Client { core })
            }

            /// The base URL requests go to.
            pub fn base_url(&self) -> &str {
                self.core.base_url()
            }

            #(#setters)*
            #(#oauth_methods)*
            #methods
        }

        #builder
    }
}

/// The module's name as tracing events and token identities say it: the spec's file
/// stem in snake case (`uqudo`).
fn module_name(api: &Api) -> String {
    let stem = std::path::Path::new(&api.source).file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    naming::snake(stem)
}

fn client_doc(api: &Api) -> String {
    let mut doc = format!("A client for {}.", api.title);
    if let Some(first) = api.servers.first() {
        doc.push_str(&format!("\n\nDefault server: `{}`", first.url));
        if let Some(description) = &first.description {
            doc.push_str(&format!(" ({})", description.trim()));
        }
        doc.push('.');
    }
    for scheme in api.schemes.iter().filter(|s| s.kind == SchemeKind::MutualTls) {
        doc.push_str(&format!(
            "\n\nThe `{}` security scheme authenticates with a TLS client certificate: give it with `Config::identity_pem`.",
            scheme.name
        ));
    }
    doc
}

fn server(server: &Server) -> TokenStream {
    let url = &server.url;
    let description = server.description.as_deref().unwrap_or_default();
    let variables = server.variables.iter().map(|v| {
        let (name, default, allowed) = (&v.name, &v.default, &v.allowed);
        quote!(__rt::ServerVariable { name: #name, default: #default, allowed: &[#(#allowed),*] })
    });
    quote!(__rt::Server { url: #url, description: #description, variables: &[#(#variables),*] })
}

/// `with_<scheme>(…)`: how a user gives the credentials of one security scheme; for
/// bearer schemes also `with_<scheme>_cache(…)`, tokens from a cache.
fn setter(scheme: &SecurityScheme) -> Option<TokenStream> {
    let fixed = fixed_setter(scheme)?;
    if !scheme.kind.is_bearer() {
        return Some(fixed);
    }
    let method = ident(&format!("with_{}_cache", scheme.rust_name));
    let name = &scheme.name;
    let doc = format!(
        "Takes the bearer tokens of the `{name}` security scheme from `cache`, which refreshes them before they expire; a 401 refetches once and retries the call once."
    );
    let doc = doc::ours(&doc);
    Some(quote! {
        #fixed

        #doc
        pub fn #method(mut self, cache: __rt::token::TokenCache) -> Self {
            self.core.set_credential(#name, __rt::Credential::BearerCache(cache));
            self
        }
    })
}

fn fixed_setter(scheme: &SecurityScheme) -> Option<TokenStream> {
    let method = ident(&format!("with_{}", scheme.rust_name));
    let name = &scheme.name;
    let described = scheme.description.as_deref();
    let (summary, params, credential) = match &scheme.kind {
        SchemeKind::MutualTls => return None,
        SchemeKind::Basic => (
            format!("Sets the HTTP Basic credentials of the `{name}` security scheme."),
            quote!(username: impl Into<String>, password: impl Into<__rt::Secret>),
            quote!(Basic { username: username.into(), password: password.into() }),
        ),
        SchemeKind::Bearer | SchemeKind::OAuth2(_) | SchemeKind::OpenIdConnect { .. } => (
            format!("Sets the bearer token of the `{name}` security scheme."),
            quote!(token: impl Into<__rt::Secret>),
            quote!(Bearer(token.into())),
        ),
        SchemeKind::ApiKey { location, name: key_name } => {
            let location = ident(&format!("{location:?}"));
            (
                format!("Sets the API key of the `{name}` security scheme (`{key_name}`)."),
                quote!(key: impl Into<__rt::Secret>),
                quote!(ApiKey { location: __rt::ApiKeyLocation::#location, name: #key_name, value: key.into() }),
            )
        }
    };
    let docs = doc::outer(doc::paragraphs([Some(summary.as_str()), described]).as_deref());
    Some(quote! {
        #docs
        pub fn #method(mut self, #params) -> Self {
            self.core.set_credential(#name, __rt::Credential::#credential);
            self
        }
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    #[test]
    fn the_runtime_is_named_by_its_full_path_once_in_the_import() {
        let spec = "openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /things/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: string, format: uuid}}]
      responses: {'200': {description: ok, content: {application/json: {schema: {}}}}}
";
        let code = crate::generate_str(Path::new("x.yaml"), spec).unwrap();
        assert_eq!(code.matches("::authgen_runtime::").count(), 1, "{code}");
        assert!(code.contains("use ::authgen_runtime::__private as __rt;\n"), "{code}");
        assert!(code.contains("id: __rt::uuid::Uuid") && code.contains("-> __rt::Built<'_>"), "{code}");
    }
}
