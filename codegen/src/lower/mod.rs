//! Lowering: `openapiv3` types -> the generator's [`model`](crate::model). Every
//! construct we cannot represent becomes a [`Problem`]
//! naming its pointer; all of them are reported at once. No `openapiv3` type leaves
//! this module.

mod answers;
mod examples;
mod facts;
mod handles;
mod invariants;
mod operation;
mod pagination;
mod recursion;
mod refs;
mod schema;
mod select;
mod served;
mod tags;
mod usage;
mod webhook;

use std::collections::BTreeMap;

use openapiv3::{OpenAPI, ReferenceOr, SecurityScheme as OaScheme};

use crate::Options;
use crate::diagnostics::{Pointer, Problem, Problems, SpecError};
use crate::model::{
    Api, Example, OAuthFlow, OAuthFlows, Operation, ParamLocation, SchemeKind, SecurityScheme, Server,
    ServerVariable, TypeDef, TypeId, TypeRef, Webhook,
};
use crate::naming::{self, Namespace};
use crate::parse::Parsed;

/// Names generated code uses unqualified, so no spec type may take them: ours, serde's,
/// and every name of Rust's 2024 prelude (a schema named `From` would hide the trait
/// from every `impl From` of its module).
const RESERVED_TYPE_NAMES: &[&str] = &[
    "Client",
    "Call",
    "Serialize",
    "Deserialize",
    "BTreeMap",
    "Secret",
    "Display",
    "Error",
    // The prelude.
    "AsMut",
    "AsRef",
    "AsyncFn",
    "AsyncFnMut",
    "AsyncFnOnce",
    "Box",
    "Clone",
    "Copy",
    "Debug",
    "Default",
    "DoubleEndedIterator",
    "Drop",
    "Eq",
    "ExactSizeIterator",
    "Extend",
    "Fn",
    "FnMut",
    "FnOnce",
    "From",
    "FromIterator",
    "Future",
    "Hash",
    "Into",
    "IntoFuture",
    "IntoIterator",
    "Iterator",
    "None",
    "Ok",
    "Err",
    "Option",
    "Ord",
    "PartialEq",
    "PartialOrd",
    "Result",
    "Send",
    "Sized",
    "Some",
    "String",
    "Sync",
    "ToOwned",
    "ToString",
    "TryFrom",
    "TryInto",
    "Unpin",
    "Vec",
];

/// The names no spec type may take: [`RESERVED_TYPE_NAMES`], and where the document
/// has webhooks, the two items emitted for them.
fn reserved_type_names(parsed: &Parsed) -> Vec<&'static str> {
    let webhooks = (!parsed.webhooks.is_empty()).then_some(["WebhookEvent", "Webhooks"]);
    RESERVED_TYPE_NAMES.iter().copied().chain(webhooks.into_iter().flatten()).collect()
}

/// Lowers a parsed spec into the model.
pub fn lower(parsed: &Parsed, options: &Options) -> Result<Api, SpecError> {
    let mut lowerer = Lowerer::new(parsed, options);
    let api = lowerer.api();
    for gap in invariants::derive_gaps(&api) {
        lowerer.problems.push(
            &Pointer::root(),
            format!("the generator's model is inconsistent: {gap}"),
            "this is a bug in authgen-codegen: please report it with this spec",
        );
    }
    lowerer.problems.finish(api, |pointer| parsed.line_of(pointer))
}

/// State of one lowering: the document, the names handed out, the types made so far.
struct Lowerer<'a> {
    parsed: &'a Parsed,
    options: &'a Options,
    doc: &'a OpenAPI,
    mutual_tls: &'a [String],
    problems: Problems,
    /// What the user should know though nothing failed (operations renamed, `$ref`s
    /// degraded in the lenient mode).
    warnings: Vec<Problem>,
    type_names: Namespace,
    /// The type of each schema that is a type by itself, by the schema's pointer: every
    /// component schema, and every other schema a `$ref` reaches.
    handles: BTreeMap<Pointer, TypeId>,
    /// The inline type made at each place, which a `$ref` to that place then reuses.
    inline: BTreeMap<Pointer, TypeId>,
    /// The type of each name handed out, for an inline type to reuse one of the same shape.
    by_name: std::collections::HashMap<String, TypeId>,
    /// The types, a [`TypeId`] indexing them; a type reserved before its shape is
    /// known (so that references to it can be lowered) is completed later.
    types: Vec<TypeDef>,
    /// The types in the order they were completed (a type's inline types before it):
    /// the order the module lists them in.
    completed: Vec<TypeId>,
    /// The operations `x-authgen-operations` selects, when the document has it.
    selection: Option<select::Selection>,
    /// The document's examples, with the types they must decode into.
    examples: Vec<Example>,
}

impl<'a> Lowerer<'a> {
    fn new(parsed: &'a Parsed, options: &'a Options) -> Self {
        Lowerer {
            parsed,
            options,
            doc: &parsed.openapi,
            mutual_tls: &parsed.mutual_tls_schemes,
            problems: Problems::new(&parsed.file),
            warnings: Vec::new(),
            type_names: Namespace::with_reserved(&reserved_type_names(parsed)),
            handles: BTreeMap::new(),
            inline: BTreeMap::new(),
            by_name: std::collections::HashMap::new(),
            types: Vec::new(),
            completed: Vec::new(),
            selection: None,
            examples: Vec::new(),
        }
    }

    /// The passes, in the order each needs the one before:
    ///
    /// 1. security schemes; then every component schema is given a handle (its name
    ///    claimed in document order) and lowered, with the schemas its `$ref`s reach;
    /// 2. operations (those `x-authgen-operations` selects) and webhooks, with their
    ///    inline types; no type is made after this;
    /// 3. the types are settled ([`handles::settle`]): those a selection does not reach
    ///    are dropped, the rest ordered as completed, every handle renumbered;
    /// 4. aliases that go round become `serde_json::Value` (a bare cycle is a problem);
    /// 5. facts about the graph of types, each reading the settled types: which have
    ///    checks to `validate` ([`usage::mark_validated`]), which serde derives each
    ///    needs ([`usage::mark_directions`]), which fields are boxed
    ///    ([`recursion::box_cycles`]), then what emitting reads off each value
    ///    ([`facts::decide`]);
    /// 6. the model's promises are checked ([`invariants`]), by [`lower`].
    fn api(&mut self) -> Api {
        let schemes = self.schemes();
        self.component_schemas();
        self.selection = select::Selection::read(&self.doc.extensions, &mut self.problems);
        let (mut operations, skipped) = self.operations(&schemes);
        // A selection names operations: webhooks, which are not, are left out with the
        // types that only they reach.
        let mut webhooks = if self.selection.is_some() { Vec::new() } else { self.webhooks() };
        webhook::settle_webhooks(&mut webhooks);
        let webhook_signature = if webhooks.is_empty() { None } else { self.webhook_signature() };
        if let Some(selection) = &self.selection {
            selection.report_unused(&mut self.problems);
        }
        if operations.is_empty() && webhooks.is_empty() && self.problems.is_empty() {
            self.problems.push(
                &Pointer::root().join("paths"),
                "the spec has no operations",
                "add at least one operation under `paths` (or, in OpenAPI 3.1, a webhook)",
            );
        }
        self.settle(&mut operations, &mut webhooks);
        self.break_alias_cycles();
        usage::mark_validated(&mut self.types, &operations);
        usage::mark_directions(&mut self.types, &operations, &webhooks);
        // An example of a type only sent has nothing that decodes it.
        let types = &self.types;
        self.examples.retain(|e| usage::named_in(&e.ty).is_none_or(|(id, _)| types[id.0].deserialize));
        recursion::box_cycles(&mut self.types);
        facts::decide(&mut self.types, &mut operations);
        Api {
            source: String::new(),
            overlays: Vec::new(),
            title: self.doc.info.title.clone(),
            description: self.doc.info.description.clone(),
            version: self.doc.info.version.clone(),
            servers: self.servers(),
            schemes,
            types: std::mem::take(&mut self.types),
            operations,
            webhooks,
            webhook_signature,
            skipped,
            warnings: std::mem::take(&mut self.warnings),
            examples: std::mem::take(&mut self.examples),
        }
    }

    /// Fixes the list of types ([`handles::settle`]), and renumbers the handles kept to
    /// name schemas in messages; the tables for making types are done with.
    fn settle(&mut self, operations: &mut [Operation], webhooks: &mut [Webhook]) {
        let reached = self.selection.as_ref().map(|_| usage::reachable(&self.types, usage::used(operations)));
        let order = std::mem::take(&mut self.completed);
        let renumbered = handles::settle(&mut self.types, &order, reached.as_ref(), operations, webhooks);
        // An example of a type left out has nothing to decode into.
        self.examples.iter_mut().for_each(|e| handles::renumber(&mut e.ty, &renumbered));
        self.examples.retain(|e| e.ty != TypeRef::Json);
        self.handles = std::mem::take(&mut self.handles)
            .into_iter()
            .filter_map(|(pointer, id)| Some((pointer, renumbered[id.0]?)))
            .collect();
        (self.inline, self.by_name) = Default::default();
    }

    fn servers(&self) -> Vec<Server> {
        self.doc
            .servers
            .iter()
            .map(|server| Server {
                url: server.url.clone(),
                description: server.description.clone(),
                variables: server
                    .variables
                    .iter()
                    .flatten()
                    .map(|(name, var)| ServerVariable {
                        name: name.clone(),
                        default: var.default.clone(),
                        allowed: var.enumeration.clone(),
                    })
                    .collect(),
            })
            .collect()
    }

    fn schemes(&mut self) -> Vec<SecurityScheme> {
        let base = Pointer::root().join("components").join("securitySchemes");
        let mut schemes: Vec<SecurityScheme> = self
            .mutual_tls
            .iter()
            .map(|name| SecurityScheme {
                name: name.clone(),
                rust_name: naming::snake(name),
                kind: SchemeKind::MutualTls,
                description: None,
            })
            .collect();
        let declared = self.doc.components.iter().flat_map(|c| &c.security_schemes);
        for (name, scheme) in declared {
            let pointer = base.join(name);
            let ReferenceOr::Item(scheme) = scheme else {
                self.problems.push(
                    &pointer,
                    "security scheme references are not supported",
                    "inline the scheme",
                );
                continue;
            };
            if let Some((kind, description)) = self.scheme_kind(scheme, &pointer) {
                schemes.push(SecurityScheme {
                    name: name.clone(),
                    rust_name: naming::snake(name),
                    kind,
                    description,
                });
            }
        }
        schemes
    }

    fn scheme_kind(&mut self, scheme: &OaScheme, pointer: &Pointer) -> Option<(SchemeKind, Option<String>)> {
        match scheme {
            OaScheme::HTTP { scheme, description, .. } => match scheme.to_ascii_lowercase().as_str() {
                "basic" => Some((SchemeKind::Basic, description.clone())),
                "bearer" => Some((SchemeKind::Bearer, description.clone())),
                other => {
                    self.problems.push(
                        &pointer.join("scheme"),
                        format!("HTTP authentication scheme `{other}` is not supported"),
                        "use `basic` or `bearer`, or an apiKey scheme for custom headers",
                    );
                    None
                }
            },
            OaScheme::APIKey { location, name, description, .. } => {
                let location = match location {
                    openapiv3::APIKeyLocation::Query => ParamLocation::Query,
                    openapiv3::APIKeyLocation::Header => ParamLocation::Header,
                    openapiv3::APIKeyLocation::Cookie => ParamLocation::Cookie,
                };
                Some((SchemeKind::ApiKey { location, name: name.clone() }, description.clone()))
            }
            OaScheme::OAuth2 { flows, description, extensions } => {
                let flows = self.oauth_flows(flows, extensions, pointer);
                Some((SchemeKind::OAuth2(Box::new(flows)), description.clone()))
            }
            OaScheme::OpenIDConnect { open_id_connect_url, description, .. } => {
                let kind = SchemeKind::OpenIdConnect { discovery_url: open_id_connect_url.clone() };
                Some((kind, description.clone()))
            }
        }
    }

    /// The flows of an OAuth 2.0 scheme the client offers. The implicit flow is not one
    /// (RFC 9700 §2.1.2: its tokens travel in the redirect, where they leak): a warning
    /// names it, and the operations it secures are generated all the same.
    fn oauth_flows(
        &mut self,
        flows: &openapiv3::OAuth2Flows,
        extensions: &indexmap::IndexMap<String, serde_json::Value>,
        at: &Pointer,
    ) -> OAuthFlows {
        if flows.implicit.is_some() {
            let at = at.join("flows").join("implicit").to_string();
            self.warnings.push(Problem {
                message: "the implicit flow is not offered: its tokens travel in the redirect, where they leak (RFC 9700 §2.1.2)".into(),
                hint: Some("declare the authorization code flow, which the client offers with PKCE".into()),
                line: self.parsed.line_of(&at),
                pointer: at,
                file: None,
            });
        }
        let flow = |token_url: &String,
                    refresh_url: &Option<String>,
                    scopes: &indexmap::IndexMap<String, String>| {
            OAuthFlow {
                token_url: token_url.clone(),
                refresh_url: refresh_url.clone(),
                scopes: scopes.iter().map(|(name, about)| (name.clone(), about.clone())).collect(),
                ..OAuthFlow::default()
            }
        };
        let text =
            |value: &serde_json::Value, key: &str| value.get(key).and_then(|v| v.as_str()).map(String::from);
        let device = flows.extensions.get("x-device-authorization").and_then(|device| {
            let scopes = serde_json::from_value(device.get("scopes")?.clone()).ok()?;
            Some(OAuthFlow {
                device_authorization_url: text(device, "deviceAuthorizationUrl"),
                ..flow(&text(device, "tokenUrl")?, &text(device, "refreshUrl"), &scopes)
            })
        });
        OAuthFlows {
            client_credentials: flows
                .client_credentials
                .as_ref()
                .map(|f| flow(&f.token_url, &f.refresh_url, &f.scopes)),
            authorization_code: flows.authorization_code.as_ref().map(|f| OAuthFlow {
                authorization_url: Some(f.authorization_url.clone()),
                ..flow(&f.token_url, &f.refresh_url, &f.scopes)
            }),
            password: flows.password.as_ref().map(|f| flow(&f.token_url, &f.refresh_url, &f.scopes)),
            device_authorization: device,
            metadata_url: extensions.get("x-oauth2-metadata-url").and_then(|v| v.as_str()).map(String::from),
        }
    }
}
