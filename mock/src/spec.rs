//! A document read into what the mock serves: its operations, routed by path and
//! method, each with its parameters, body, security and prepared answers.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use authgen_codegen::diagnostics::Pointer;
use hyper::Method;
use serde_json::Value;

use crate::answer::Answers;
use crate::body::RequestBody;
use crate::example::Generator;
use crate::params::Param;
use crate::route::Router;
use crate::schema::Schemas;
use crate::security::{Scheme, Security};
use crate::token::{TokenFields, Tokens};

/// The methods a path item may hold, as OpenAPI spells them.
const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// One operation.
pub(crate) struct Operation {
    /// `operationId`, else `METHOD /path`: how overrides and recordings name it.
    pub label: String,
    pub method: Method,
    pub template: String,
    pub params: Vec<Param>,
    pub body: Option<RequestBody>,
    pub security: Security,
    pub answers: Answers,
    pub token: Option<TokenFields>,
}

/// The operations of one path template, by method.
pub(crate) struct Route {
    pub methods: Vec<(Method, usize)>,
}

/// A document, ready to serve.
pub(crate) struct Api {
    /// The file, as given.
    pub file: String,
    pub doc: Value,
    pub schemas: Schemas,
    pub router: Router<Route>,
    pub operations: Vec<Operation>,
    pub tokens: Tokens,
    /// What the mock could not use, one line each.
    pub warnings: Vec<String>,
}

/// Why a document cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The generator's front end refused it (its message lists every problem).
    #[error("{0}")]
    Spec(#[from] authgen_codegen::SpecError),
    /// Its schemas cannot be indexed for checking.
    #[error("{file}: {message}")]
    Schemas {
        /// The spec file.
        file: String,
        /// What went wrong.
        message: String,
    },
}

impl Api {
    /// Reads `spec` (a file, or a folder of files) with the overlay beside it and
    /// `overlays`, as the generator does.
    /// With `check_answers`, each answer built from a schema is checked against it (see
    /// [`crate::Builder::check_answers`]).
    pub(crate) fn load(spec: &Path, overlays: &[PathBuf], check_answers: bool) -> Result<Api, LoadError> {
        let options = authgen_codegen::Options { overlays: overlays.to_vec(), ..Default::default() };
        let overlays = authgen_codegen::overlays_of(spec, &options)?;
        // A folder is a description split across files: read from its entry document.
        let loaded = authgen_codegen::load::load_with(&authgen_codegen::load::entry_of(spec)?, &overlays)?;
        let file = spec.to_string_lossy().replace('\\', "/");
        let schemas = Schemas::new(&loaded.document)
            .map_err(|message| LoadError::Schemas { file: file.clone(), message })?;
        let (schemes, mut warnings) = crate::security::schemes(&loaded.document, &loaded.mutual_tls_schemes);
        let operations = {
            let mut reader = Reader::new(&loaded.document, &schemas, &schemes, &mut warnings);
            reader.generator = reader.generator.checking(check_answers);
            reader.operations()
        };
        let mut router = Router::default();
        let mut by_template: HashMap<&str, Vec<(Method, usize)>> = HashMap::new();
        let mut order: Vec<&str> = Vec::new();
        for (index, op) in operations.iter().enumerate() {
            let entry = by_template.entry(&op.template).or_insert_with(|| {
                order.push(&op.template);
                Vec::new()
            });
            entry.push((op.method.clone(), index));
        }
        for template in order {
            router.add(template, Route { methods: by_template.remove(template).unwrap_or_default() });
        }
        Ok(Api {
            file,
            doc: loaded.document,
            schemas,
            router,
            operations,
            tokens: Tokens::default(),
            warnings,
        })
    }
}

/// Reads operations out of a document.
struct Reader<'d, 'w> {
    doc: &'d Value,
    generator: Generator<'d>,
    schemes: &'d HashMap<String, Arc<Scheme>>,
    token_paths: Vec<String>,
    warnings: &'w mut Vec<String>,
}

impl<'d, 'w> Reader<'d, 'w> {
    fn new(
        doc: &'d Value,
        schemas: &'d Schemas,
        schemes: &'d HashMap<String, Arc<Scheme>>,
        warnings: &'w mut Vec<String>,
    ) -> Self {
        let token_paths = token_paths(doc);
        Reader { doc, generator: Generator::new(doc, schemas), schemes, token_paths, warnings }
    }

    fn operations(&mut self) -> Vec<Operation> {
        let mut operations = Vec::new();
        let paths = self.doc.get("paths").and_then(Value::as_object).into_iter().flatten();
        for (template, item) in paths {
            let at = Pointer::root().join("paths").join(template);
            let Some((item, at)) = crate::doc::resolve(self.doc, item, &at) else {
                self.warnings.push(format!("{at}: its `$ref` leads nowhere; not served"));
                continue;
            };
            for method in METHODS {
                if let Some(op) = item.get(*method) {
                    let shared = self.params(item.get("parameters"), &at.join("parameters"));
                    operations.push(self.operation(template, method, op, &at.join(method), shared));
                }
            }
        }
        operations
    }

    /// The operation `op`; `shared` are its path's parameters, which its own replace.
    fn operation(
        &mut self,
        template: &str,
        method: &str,
        op: &'d Value,
        at: &Pointer,
        shared: Vec<Param>,
    ) -> Operation {
        let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap_or(Method::GET);
        let label = match op.get("operationId").and_then(Value::as_str) {
            Some(id) => id.to_string(),
            None => format!("{method} {template}"),
        };
        let mut params = self.params(op.get("parameters"), &at.join("parameters"));
        let inherited: Vec<Param> =
            shared.into_iter().filter(|s| !params.iter().any(|p| p.same(s))).collect();
        params.extend(inherited);
        let body = op.get("requestBody").and_then(|b| RequestBody::new(self.doc, b, &at.join("requestBody")));
        let requirement = op.get("security").or_else(|| self.doc.get("security"));
        let answers =
            Answers::new(op.get("responses"), &at.join("responses"), &mut self.generator, self.warnings);
        let token = self.token_fields(template, op, &answers);
        Operation {
            label,
            method,
            template: template.to_string(),
            params,
            body,
            security: Security::new(requirement, self.schemes),
            answers,
            token,
        }
    }

    fn params(&mut self, list: Option<&'d Value>, at: &Pointer) -> Vec<Param> {
        let list = list.and_then(Value::as_array).into_iter().flatten().enumerate();
        list.filter_map(|(i, param)| {
            Param::new(self.doc, param, &at.join(i))
                .inspect_err(|why| self.warnings.push(format!("{}: {why}; not checked", at.join(i))))
                .ok()
        })
        .collect()
    }

    fn token_fields(&self, template: &str, op: &Value, answers: &Answers) -> Option<TokenFields> {
        let success = answers.success_schema();
        let has = |field: &str| success.is_some_and(|s| crate::doc::property(self.doc, s, field).is_some());
        let token_url = self.token_paths.iter().any(|p| p.ends_with(template) && !template.is_empty());
        TokenFields::of(op.get("x-authgen-token"), token_url, has)
    }
}

/// The paths of the document's OAuth 2 token URLs that are on its own servers' hosts
/// (or relative): those the mock, standing in for the servers, answers.
fn token_paths(doc: &Value) -> Vec<String> {
    let hosts: Vec<&str> = doc
        .get("servers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| s.get("url")?.as_str())
        .filter_map(|url| Some(split_url(url)?.0))
        .collect();
    let schemes = doc.pointer("/components/securitySchemes").and_then(Value::as_object).into_iter().flatten();
    let flows = schemes.filter_map(|(_, s)| s.get("flows")?.as_object()).flatten();
    flows
        .filter_map(|(_, flow)| flow.get("tokenUrl")?.as_str())
        .filter_map(|url| match split_url(url) {
            Some((host, path)) => hosts.contains(&host).then(|| path.to_string()),
            None => Some(url.to_string()),
        })
        .collect()
}

/// `https://host/path` -> (`host`, `/path`); `None` for a relative URL.
fn split_url(url: &str) -> Option<(&str, &str)> {
    let rest = url.split_once("://")?.1;
    Some(match rest.find('/') {
        Some(slash) => (&rest[..slash], &rest[slash..]),
        None => (rest, "/"),
    })
}
