//! A document read into what the mock serves: the generator's model of it (the
//! operations the generated client calls, their security and token fields, parameters,
//! bodies and answers), routed by path and method. Only schemas and examples are read
//! from the loaded document, at the pointers the model gives.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use authgen_codegen::diagnostics::Pointer;
use authgen_codegen::model;
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

/// One operation.
pub(crate) struct Operation {
    /// `operationId`, else `METHOD /path`: how recordings name it.
    pub label: String,
    /// The generated client's method for it (`get_token`): overrides take this too.
    pub name: String,
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
    /// The generator's model of it.
    pub model: model::Api,
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
    /// `overlays`, as the generator does, leaving out what the generator leaves out.
    /// With `check_answers`, each answer built from a schema is checked against it (see
    /// [`crate::Builder::check_answers`]).
    pub(crate) fn load(spec: &Path, overlays: &[PathBuf], check_answers: bool) -> Result<Api, LoadError> {
        let options = authgen_codegen::Options {
            overlays: overlays.to_vec(),
            skip_unsupported: true,
            ..Default::default()
        };
        let read = authgen_codegen::read_with(spec, &options)?;
        let file = spec.to_string_lossy().replace('\\', "/");
        let schemas = Schemas::new(&read.document)
            .map_err(|message| LoadError::Schemas { file: file.clone(), message })?;
        let mut warnings = left_out(&read.api);
        let operations: Vec<Operation> = {
            let generator =
                Generator::new(&read.document, &schemas).checking(check_answers).decoding(&read.api);
            let mut reader = Reader::new(&read.document, &read.api, generator, &mut warnings);
            read.api.operations.iter().map(|op| reader.operation(op)).collect()
        };
        Ok(Api {
            file,
            router: router(&operations),
            doc: read.document,
            model: read.api,
            schemas,
            operations,
            tokens: Tokens::default(),
            warnings,
        })
    }
}

/// One warning per operation the generator left out: the client cannot call it.
fn left_out(api: &model::Api) -> Vec<String> {
    let first =
        |skipped: &model::Skipped| skipped.problems.first().map(|p| p.message.clone()).unwrap_or_default();
    api.skipped
        .iter()
        .map(|s| format!("{}: left out by the generator ({}); not served", s.label, first(s)))
        .collect()
}

/// The operations' templates, each leading to its methods, in document order.
fn router(operations: &[Operation]) -> Router<Route> {
    let mut by_template: HashMap<&str, Vec<(Method, usize)>> = HashMap::new();
    let mut order: Vec<&str> = Vec::new();
    for (index, op) in operations.iter().enumerate() {
        let entry = by_template.entry(&op.template).or_insert_with(|| {
            order.push(&op.template);
            Vec::new()
        });
        entry.push((op.method.clone(), index));
    }
    let mut router = Router::default();
    for template in order {
        router.add(template, Route { methods: by_template.remove(template).unwrap_or_default() });
    }
    router
}

/// Reads the model's operations out of the document.
struct Reader<'d, 'w> {
    doc: &'d Value,
    model: &'d model::Api,
    generator: Generator<'d>,
    schemes: HashMap<&'d str, Arc<Scheme>>,
    token_paths: Vec<String>,
    warnings: &'w mut Vec<String>,
}

impl<'d, 'w> Reader<'d, 'w> {
    fn new(
        doc: &'d Value,
        model: &'d model::Api,
        generator: Generator<'d>,
        warnings: &'w mut Vec<String>,
    ) -> Self {
        let schemes =
            model.schemes.iter().map(|s| (s.name.as_str(), Arc::new(Scheme::of(&s.kind)))).collect();
        Reader { doc, model, generator, schemes, token_paths: token_paths(model), warnings }
    }

    /// The operation `op` as served.
    fn operation(&mut self, op: &'d model::Operation) -> Operation {
        let params = op.params.iter().map(|p| Param::of(self.doc, p));
        let fixed = op.fixed_query.iter().filter(|(name, _)| !in_path_key(&op.pointer, name));
        let params = params.chain(fixed.map(|(name, value)| Param::fixed(name, value))).collect();
        let body = op.body.as_ref().map(|b| RequestBody::of(self.doc, b));
        let answers = Answers::of(op, &mut self.generator, self.warnings);
        let token_url = self.token_paths.iter().any(|p| !op.path.is_empty() && p.ends_with(&op.path));
        Operation {
            label: op.operation_id.clone().unwrap_or_else(|| op.label.clone()),
            name: op.name.clone(),
            method: Method::from_bytes(op.method.as_str().as_bytes()).unwrap_or(Method::GET),
            template: op.path.clone(),
            params,
            body,
            security: Security::new(&op.security, &self.schemes),
            answers,
            token: TokenFields::of(self.model, op, token_url),
        }
    }
}

/// Whether the path key of the operation at `pointer` (`/instances?recursion=1`) carries
/// query parameter `name`: such operations share a route, told apart by that query,
/// and the first one answers them all.
fn in_path_key(pointer: &str, name: &str) -> bool {
    let path_key = Pointer::parse(pointer).and_then(|at| at.tokens().nth(1)).unwrap_or_default();
    let query = path_key.split_once('?').map_or("", |(_, query)| query);
    form_urlencoded::parse(query.as_bytes()).any(|(key, _)| key == name)
}

/// The paths of the document's OAuth 2 token URLs that are on its own servers' hosts
/// (or relative): those the mock, standing in for the servers, answers.
fn token_paths(model: &model::Api) -> Vec<String> {
    let hosts: Vec<&str> = model.servers.iter().filter_map(|s| Some(split_url(&s.url)?.0)).collect();
    let flows = model.schemes.iter().filter_map(|s| match &s.kind {
        model::SchemeKind::OAuth2(flows) => Some(flows),
        _ => None,
    });
    let flows = flows.flat_map(|f| {
        [&f.client_credentials, &f.authorization_code, &f.device_authorization, &f.password]
            .into_iter()
            .flatten()
    });
    flows
        .filter_map(|flow| match split_url(&flow.token_url) {
            Some((host, path)) => hosts.contains(&host).then(|| path.to_string()),
            None => Some(flow.token_url.clone()),
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
