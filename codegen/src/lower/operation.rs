//! Paths and operations -> client methods: parameters, bodies, responses by status,
//! security requirements.

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::{
    Components, MediaType, Parameter, ParameterData, ParameterSchemaOrContent, PathItem, PathStyle,
    QueryStyle, ReferenceOr, RequestBody, Response as OaResponse, SchemaKind, SecurityRequirement,
    StatusCode, Type,
};

use super::schema::SchemaRef;
use super::{Lowerer, refs};
use crate::diagnostics::{Pointer, Problem};
use crate::media::{self, is_text, is_xml};
use crate::model::{
    Body, BodyEncoding, Checks, Decoding, Method, Operation, Param, ParamLocation, ParamStyle, Response,
    ScopesByScheme, SecurityScheme, Skipped, Status, TokenFields, TokenRole, TypeKind, TypeRef, Webhook,
};
use crate::naming::{self, Namespace};

/// The header whose value makes a repeated request harmless (Stripe's and the IETF
/// draft's name), matched without regard to case.
const IDEMPOTENCY_KEY: &str = "Idempotency-Key";

/// Field names that, in a success body, make an operation a token operation.
const ACCESS_TOKEN_NAMES: &[&str] = &["access_token", "accessToken"];

/// The methods every generated `Call` has (the runtime's `call_block!` writes them), which
/// a setter of the same name would clash with: a copy of the runtime's list, tested equal.
const CALL_METHODS: &[&str] =
    &["timeout", "header", "retry", "idempotency_key", "with_response", "stream", "events", "download"];

/// Names a parameter cannot take besides those: the body's field, and `self`'s.
const HELD_NAMES: &[&str] = &["body", "self_"];

/// Media types of request bodies we encode from their schema, by preference; after
/// them, any other but XML as text or bytes.
const BODY_MEDIA: &[(&str, BodyEncoding)] = &[
    ("application/json", BodyEncoding::Json),
    ("application/x-www-form-urlencoded", BodyEncoding::Form),
    ("multipart/form-data", BodyEncoding::Multipart),
];

impl<'a> Lowerer<'a> {
    /// The operations, and those left out as unsupported when the options say so.
    pub(super) fn operations(&mut self, schemes: &[SecurityScheme]) -> (Vec<Operation>, Vec<Skipped>) {
        let doc = self.doc;
        let paths = Pointer::root().join("paths");
        let mut names = OperationNames::default();
        let mut operations = Vec::new();
        let mut skipped = Vec::new();
        for (path, item) in &doc.paths.paths {
            let ReferenceOr::Item(item) = item else {
                self.problems.push(
                    &paths.join(path),
                    "path item references are not supported",
                    "inline the path item",
                );
                continue;
            };
            for (key, op) in item.iter() {
                if self.selection.as_mut().is_some_and(|s| !s.selects(op)) {
                    continue;
                }
                let Some(method) = Method::from_key(key) else { continue };
                let found = Found { path, item, op, method, pointer: paths.join(path).join(key) };
                let problems_before = self.problems.len();
                let operation = self.operation(&found, schemes, &mut names);
                if !self.skip_if_lenient(&mut skipped, operation.label.clone(), problems_before) {
                    operations.push(operation);
                }
            }
        }
        (operations, skipped)
    }

    /// One operation: what it is called and who may call it, then its parameters, body
    /// and answers, then what those imply (token fields, pagination).
    fn operation(
        &mut self,
        found: &Found<'a>,
        schemes: &[SecurityScheme],
        names: &mut OperationNames,
    ) -> Operation {
        let (op, pointer) = (found.op, &found.pointer);
        let mut operation = self.operation_head(found, schemes, names);
        self.parameters(&mut operation, found.parameters());
        self.imply_path_parameters(&mut operation, pointer);
        if let Some(body) = &op.request_body {
            operation.body = self.body(body, &operation.name, &pointer.join("requestBody"));
        }
        self.responses(&mut operation, &op.responses, &pointer.join("responses"));
        operation.token = self.token_fields(&operation, &op.extensions, pointer);
        operation.pagination = self.pagination(&operation, op, pointer);
        operation
    }

    /// An operation's names, route, doc and security; its parts still empty.
    fn operation_head(
        &mut self,
        found: &Found<'a>,
        schemes: &[SecurityScheme],
        names: &mut OperationNames,
    ) -> Operation {
        let (op, pointer) = (found.op, &found.pointer);
        let label = format!("{} {}", found.method.as_str(), found.path);
        let wanted = match &op.operation_id {
            Some(id) => naming::snake(id),
            None => naming::from_path(&found.method.as_str().to_ascii_lowercase(), found.path),
        };
        let (name, renamed) = self.operation_name(names, op, wanted, &label, pointer);
        let (security, scopes) = self.security(op.security.as_ref(), schemes, pointer);
        let (route, fixed_query) = split_query(found.path);
        Operation {
            error_type: self.type_names.claim(format!("{}Error", naming::pascal(&name))),
            call_type: self.type_names.claim(naming::pascal(&name)),
            success_type: None,
            name,
            label,
            operation_id: op.operation_id.clone(),
            pointer: pointer.to_string(),
            method: found.method,
            path: route,
            doc: join_docs(op.summary.as_deref(), op.description.as_deref(), renamed.as_deref()),
            params: Vec::new(),
            fixed_query,
            body: None,
            success: Vec::new(),
            errors: Vec::new(),
            security,
            scopes,
            token: None,
            deprecated: op.deprecated,
            idempotent: self.idempotent(&op.extensions, pointer),
            pagination: None,
            stream: None,
            headers: Vec::new(),
            headers_type: None,
        }
    }

    /// The 3.1 `webhooks`, with the types of their bodies: what a receiver decodes.
    pub(super) fn webhooks(&mut self) -> Vec<Webhook> {
        let parsed = self.parsed;
        let base = Pointer::root().join(parsed.webhooks_key);
        let mut webhooks = Vec::new();
        for (name, item) in &parsed.webhooks {
            let ReferenceOr::Item(item) = item else {
                self.problems.push(
                    &base.join(name),
                    "webhook references are not supported",
                    "inline the path item",
                );
                continue;
            };
            for (key, op) in item.iter() {
                let Some(method) = Method::from_key(key) else { continue };
                let at = base.join(name).join(key).join("requestBody");
                let body =
                    op.request_body.as_ref().and_then(|b| self.body(b, &format!("{name} webhook"), &at));
                webhooks.push(Webhook {
                    name: name.clone(),
                    method,
                    pointer: base.join(name).join(key).to_string(),
                    doc: join_docs(op.summary.as_deref(), op.description.as_deref(), None),
                    payload: body.map(|b| b.ty),
                    sent: op.request_body.as_ref().map(|b| self.sent_body(b, &at)).unwrap_or_default(),
                    variant: String::new(),
                    tag: op.request_body.as_ref().and_then(|b| self.webhook_tag(b)),
                });
            }
        }
        webhooks
    }

    /// In the lenient mode, an operation with problems since `problems_before` is
    /// left out, its problems becoming the warning that says so: true when it was.
    fn skip_if_lenient(&mut self, skipped: &mut Vec<Skipped>, label: String, problems_before: usize) -> bool {
        if !self.options.skip_unsupported || self.problems.len() == problems_before {
            return false;
        }
        let parsed = self.parsed;
        let problems = self.problems.take_from(problems_before, |p| parsed.line_of(p));
        skipped.push(Skipped { label, problems });
        true
    }

    /// The method name of `op`, which wants `wanted` (from its operationId or path),
    /// and a note when it had to differ: distinct operationIds that meet in snake case
    /// (`get-token`, `GetToken`), and an operationId used twice (Square's and casdoor's
    /// published documents have them), keep the document verbatim, the later one
    /// suffixed and warned about.
    fn operation_name(
        &mut self,
        names: &mut OperationNames,
        op: &openapiv3::Operation,
        wanted: String,
        label: &str,
        at: &Pointer,
    ) -> (String, Option<String>) {
        let at = if op.operation_id.is_some() { at.join("operationId") } else { at.clone() };
        let twice = op.operation_id.as_ref().and_then(|id| names.ids.get(id)).cloned();
        let name = names.methods.claim(wanted.clone());
        let holder = names.holders.entry(wanted.clone()).or_insert_with(|| label.to_string()).clone();
        if let Some(id) = &op.operation_id {
            names.ids.entry(id.clone()).or_insert_with(|| label.to_string());
        }
        if name == wanted {
            return (name, None);
        }
        let note = format!("Named `{name}`: `{wanted}` is the method of {holder}.");
        let (message, hint) = match (&twice, &op.operation_id) {
            (Some(other), Some(id)) => (
                format!(
                    "operationId `{id}` is used twice, by {other} and by {label}: {label} is method `{name}`"
                ),
                "give each operation a unique operationId (an overlay can, leaving the document as it is)",
            ),
            (None, Some(_)) => (
                format!("{label} is method `{name}`, since `{wanted}` is the method of {holder}"),
                "give the operations operationIds that differ in more than case and punctuation",
            ),
            (_, None) => (
                format!("{label} is method `{name}`, since `{wanted}` is the method of {holder}"),
                "give the operation an operationId",
            ),
        };
        self.warnings.push(Problem {
            pointer: at.to_string(),
            message,
            hint: Some(hint.into()),
            line: self.parsed.line_of(&at.to_string()),
            file: None,
        });
        (name, Some(note))
    }

    /// `x-authgen-idempotent: true`: the operation may be sent again though its method
    /// says otherwise.
    fn idempotent(
        &mut self,
        extensions: &indexmap::IndexMap<String, serde_json::Value>,
        at: &Pointer,
    ) -> bool {
        match extensions.get("x-authgen-idempotent") {
            None => false,
            Some(serde_json::Value::Bool(marked)) => *marked,
            Some(_) => {
                self.problems.push(
                    &at.join("x-authgen-idempotent"),
                    "`x-authgen-idempotent` is not `true` or `false`",
                    "write `x-authgen-idempotent: true` on an operation that is safe to send twice",
                );
                false
            }
        }
    }

    /// A `{name}` of the path template that no parameter declares (LXD's published
    /// document has 243) would be sent with its braces: it becomes a required string
    /// path parameter, with a warning.
    fn imply_path_parameters(&mut self, op: &mut Operation, at: &Pointer) {
        let declared = |op: &Operation, v: &str| {
            op.params.iter().any(|p| p.location == ParamLocation::Path && p.wire == v)
        };
        let missing: Vec<String> =
            template_variables(&op.path).filter(|v| !declared(op, v)).map(str::to_string).collect();
        for variable in missing {
            let mut names = Namespace::with_reserved(&[CALL_METHODS, HELD_NAMES].concat());
            for param in &op.params {
                names.claim(param.name.clone());
            }
            let name = names.claim(naming::snake(&variable));
            self.warnings.push(Problem {
                pointer: at.to_string(),
                message: format!(
                    "path template variable `{{{variable}}}` of {} has no path parameter: it is the string parameter `{name}`",
                    op.label
                ),
                hint: Some(format!("declare `{variable}` under `parameters` with `in: path` and `required: true`")),
                line: self.parsed.line_of(&at.to_string()),
                file: None,
            });
            let place = |wire: &str| op.path.find(&format!("{{{wire}}}")).unwrap_or_default();
            let before = |p: &Param| p.location != ParamLocation::Path || place(&p.wire) > place(&variable);
            let position = op.params.iter().position(before).unwrap_or(op.params.len());
            let doc = format!("`{{{variable}}}` of the path, which the document does not declare.");
            op.params.insert(position, implied_path_parameter(name, variable, doc));
        }
    }

    /// The parameters of `op`, `params` each with the pointer of its owner (its path
    /// item or itself): lowered, the operation's own overriding its path's of the same
    /// name and place, ordered, named.
    fn parameters(&mut self, op: &mut Operation, params: Vec<(&'a ReferenceOr<Parameter>, Pointer)>) {
        let mut by_key: BTreeMap<(u8, String), (usize, Param)> = BTreeMap::new();
        for (param, at) in numbered(params) {
            let Some((order, param)) = self.lower_parameter(op, param, &at) else { continue };
            let key = (order, param.wire.clone());
            let position = by_key.get(&key).map_or(by_key.len(), |(p, _)| *p);
            by_key.insert(key, (position, param));
        }
        let mut ordered: Vec<(usize, Param)> = by_key.into_values().collect();
        // Spec order: path parameters as the template places them, then the rest as listed.
        ordered.sort_by_key(|(position, p)| match p.location {
            ParamLocation::Path => (0, op.path.find(&format!("{{{}}}", p.wire)).unwrap_or_default()),
            _ => (1, *position),
        });
        self.name_parameters(op, ordered.into_iter().map(|(_, param)| param));
    }

    /// One parameter at `at`, unnamed, with the rank of its place (path, query, header,
    /// cookie); `None` for one that is not lowered (a problem) or is sent as is (a
    /// required query parameter of one value, added to the operation's fixed query).
    fn lower_parameter(
        &mut self,
        op: &mut Operation,
        param: &'a ReferenceOr<Parameter>,
        at: &Pointer,
    ) -> Option<(u8, Param)> {
        let (param, defined) = self.resolve(param, "parameters", at, |c| &c.parameters)?;
        let data = param.parameter_data_ref();
        let (location, order) = match param {
            Parameter::Path { .. } => (ParamLocation::Path, 0),
            Parameter::Query { .. } => (ParamLocation::Query, 1),
            Parameter::Header { .. } => (ParamLocation::Header, 2),
            Parameter::Cookie { .. } => (ParamLocation::Cookie, 3),
        };
        let ParameterSchemaOrContent::Schema(schema) = &data.format else {
            self.problems.push(
                at,
                "parameters described by `content` are not supported",
                "describe the parameter with `schema`",
            );
            return None;
        };
        let fixed = self.single_value(schema.into());
        if let Some(value) = fixed.filter(|_| location == ParamLocation::Query && data.required) {
            op.fixed_query.push((data.name.clone(), value));
            return None;
        }
        let names = [
            naming::pascal(&data.name),
            format!("{}{}", naming::pascal(&op.name), naming::pascal(&data.name)),
        ];
        let lowered = self.lower_schema(schema.into(), &at.join("schema"), &names);
        let (style, explode) = style_of(param);
        let param = Param {
            name: String::new(),
            wire: data.name.clone(),
            location,
            delimiter: query_delimiter(location, style, explode, data),
            ty: lowered.ty,
            required: data.required || location == ParamLocation::Path,
            doc: data.description.clone().or(lowered.doc),
            checks: lowered.checks,
            idempotency_key: false,
            style,
            explode,
            schema: Some(defined.join("schema").to_string()),
            pointer: Some(defined.to_string()),
        };
        Some((order, param))
    }

    /// Gives `params` their Rust names, in order, and adds them to `op`; an
    /// `Idempotency-Key` header becomes the `idempotency_key` every `Call` has.
    fn name_parameters(&mut self, op: &mut Operation, params: impl Iterator<Item = Param>) {
        let mut names = Namespace::with_reserved(&[CALL_METHODS, HELD_NAMES].concat());
        for mut param in params {
            param.idempotency_key = param.location == ParamLocation::Header
                && param.ty == TypeRef::String
                && param.wire.eq_ignore_ascii_case(IDEMPOTENCY_KEY);
            // An optional key is set by the `idempotency_key` every `Call` has.
            param.name = match param.idempotency_key {
                true => "idempotency_key".into(),
                false => names.claim(naming::snake(&param.wire)),
            };
            if param.idempotency_key {
                let note = format!(
                    "Without an `{}`, the client makes a fresh one for the call and sends it on every retry.",
                    param.name
                );
                op.doc = join_docs(op.doc.as_deref(), Some(&note), None);
            }
            op.params.push(param);
        }
    }

    /// The one value a string schema allows (`const`, or an `enum` of one), if so.
    fn single_value(&self, schema: SchemaRef<'_>) -> Option<String> {
        let schema = match schema {
            SchemaRef::Item(schema) => schema,
            SchemaRef::Ref(reference) => self.referenced_schema(reference)?,
        };
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) if s.enumeration.len() == 1 => s.enumeration[0].clone(),
            _ => None,
        }
    }

    /// An inline item at `at`, or the component a `#/components/<kind>/<name>` reference
    /// ends at; with the pointer of where it is defined.
    pub(super) fn resolve<T>(
        &mut self,
        item: &'a ReferenceOr<T>,
        kind: &str,
        at: &Pointer,
        map: impl Fn(&'a Components) -> &'a indexmap::IndexMap<String, ReferenceOr<T>>,
    ) -> Option<(&'a T, Pointer)> {
        let unresolved = match self.follow_component(item, kind, at, map) {
            Ok(found) => return Some(found),
            Err(unresolved) => unresolved,
        };
        if let ReferenceOr::Reference { reference } = item {
            let (message, hint) = unresolved.explain(reference, kind);
            self.problems.push(at, message, hint);
        }
        None
    }

    /// [`Lowerer::resolve`] without a problem where the reference ends at no item.
    pub(super) fn follow_component<T>(
        &self,
        item: &'a ReferenceOr<T>,
        kind: &str,
        at: &Pointer,
        map: impl Fn(&'a Components) -> &'a indexmap::IndexMap<String, ReferenceOr<T>>,
    ) -> Result<(&'a T, Pointer), refs::Unresolved> {
        let components = self.doc.components.as_ref().map(map);
        let lookup = |reference: &str| {
            let name = refs::component_name(reference, kind).ok_or(refs::Unresolved::Elsewhere)?;
            components.and_then(|c| c.get(&name)).ok_or(refs::Unresolved::Missing)
        };
        let (item, last) = refs::follow(item, lookup)?;
        Ok((item, last.and_then(|r| Pointer::from_ref(&r)).unwrap_or(at.clone())))
    }

    fn body(&mut self, body: &'a ReferenceOr<RequestBody>, op: &str, at: &Pointer) -> Option<Body> {
        let (body, defined) = self.resolve(body, "requestBodies", at, |c| &c.request_bodies)?;
        let chosen = BODY_MEDIA
            .iter()
            .find_map(|(media, encoding)| {
                Some((media.to_string(), *encoding, media_type(&body.content, media)?))
            })
            .or_else(|| {
                let (media, content) = body.content.iter().find(|(media, _)| !is_xml(media))?;
                let encoding = if is_text(media) { BodyEncoding::Text } else { BodyEncoding::Binary };
                Some((media::essence(media), encoding, content))
            });
        let Some((media, encoding, content)) = chosen else {
            let found: Vec<&str> = body.content.keys().map(String::as_str).collect();
            self.problems.push(
                &at.join("content"),
                format!("request body media type `{}` is not supported", found.join("`, `")),
                "use JSON, a form, multipart, text or bytes (XML bodies cannot be typed)",
            );
            return None;
        };
        let at = at.join("content").join(&media).join("schema");
        let ty = match (encoding, &content.schema) {
            (BodyEncoding::Text, _) => TypeRef::String,
            (BodyEncoding::Binary, _) => TypeRef::Binary,
            (_, Some(schema)) => {
                self.lower_schema(schema.into(), &at, &[format!("{}Request", naming::pascal(op))]).ty
            }
            (_, None) => TypeRef::Json,
        };
        let doc = body.description.clone();
        Some(Body {
            encoding,
            media,
            ty,
            required: body.required,
            doc,
            checks: Checks::default(),
            files: Vec::new(),
            content: super::served::body_media(&body.content, &defined.join("content")),
        })
    }

    fn responses(&mut self, op: &mut Operation, responses: &'a openapiv3::Responses, at: &Pointer) {
        let statuses = responses.responses.iter().map(|(code, r)| match code {
            StatusCode::Code(code) => (Status::Code(*code), code.to_string(), r),
            StatusCode::Range(range) => (Status::Range(*range), format!("{range}XX"), r),
        });
        let default = responses.default.iter().map(|r| (Status::Default, "default".to_string(), r));
        for (status, key, response) in statuses.chain(default) {
            let at = at.join(key);
            let Some((response, defined)) = self.resolve(response, "responses", &at, |c| &c.responses) else {
                continue;
            };
            let success = matches!(status, Status::Code(200..=299) | Status::Range(2));
            let variant = status_variant(status);
            let name = if success {
                format!("{}Response", naming::pascal(&op.name))
            } else {
                format!("{}{variant}", naming::pascal(&op.name))
            };
            let (body, decoding) = self.response_body(response, &at, name, success);
            if success {
                if op.stream.is_none() {
                    op.stream = self.item_stream(op, response, &at);
                }
                self.response_headers(op, response, &at);
            }
            let doc = Some(response.description.clone()).filter(|d| !d.trim().is_empty());
            let served = self.served(response, &defined);
            let response = Response { status, variant, doc, body, decoding, served };
            if success { op.success.push(response) } else { op.errors.push(response) }
        }
        let bodies: BTreeSet<&Option<TypeRef>> = op.success.iter().map(|r| &r.body).collect();
        if bodies.len() > 1 {
            op.success_type = Some(self.type_names.claim(format!("{}Success", naming::pascal(&op.name))));
        }
        self.settle_stream(op);
        self.name_headers(op);
    }

    /// The body of a response read whole: JSON by preference, else text, else bytes. A
    /// success's stream (an event stream, NDJSON) is no such body.
    fn response_body(
        &mut self,
        response: &'a OaResponse,
        at: &Pointer,
        name: String,
        success: bool,
    ) -> (Option<TypeRef>, Decoding) {
        let whole = |media: &&String| !success || media::stream_framing(media).is_none();
        let mut content = response.content.iter().filter(|(media, _)| whole(media));
        if let Some((media, content)) = content.clone().find(|(media, _)| is_json(media)) {
            let ty = match &content.schema {
                Some(schema) => {
                    let at = at.join("content").join(media);
                    let ty = self.lower_schema(schema.into(), &at.join("schema"), &[name]).ty;
                    self.media_examples(content, &at, &ty);
                    ty
                }
                None => TypeRef::Json,
            };
            return (Some(ty), Decoding::Json);
        }
        if content.clone().next().is_none() {
            (None, Decoding::Json)
        } else if content.any(|(m, _)| is_text(m) || is_xml(m)) {
            (Some(TypeRef::String), Decoding::Text)
        } else {
            (Some(TypeRef::Binary), Decoding::Binary)
        }
    }

    /// The security alternatives of an operation (its own, else the document's), and
    /// the OAuth scopes it needs of each scheme (from the first alternative naming it).
    fn security(
        &mut self,
        own: Option<&'a Vec<SecurityRequirement>>,
        schemes: &[SecurityScheme],
        at: &Pointer,
    ) -> (Vec<Vec<String>>, ScopesByScheme) {
        let (requirements, at) = match own {
            Some(own) => (own, at.join("security")),
            None => match &self.doc.security {
                Some(global) => (global, Pointer::root().join("security")),
                None => return (Vec::new(), Vec::new()),
            },
        };
        let mut alternatives: Vec<Vec<String>> = Vec::new();
        let mut scopes = ScopesByScheme::new();
        for (index, requirement) in requirements.iter().enumerate() {
            let mut names = Vec::new();
            for (name, needed) in requirement {
                if schemes.iter().any(|s| &s.name == name) {
                    names.push(name.clone());
                    if !needed.is_empty() && !scopes.iter().any(|(scheme, _)| scheme == name) {
                        scopes.push((name.clone(), needed.clone()));
                    }
                } else {
                    self.problems.push(
                        &at.join(index).join(name),
                        format!("security scheme `{name}` is not defined"),
                        "define it under components/securitySchemes",
                    );
                }
            }
            alternatives.push(names);
        }
        // An empty alternative makes auth optional: try the others first, so configured
        // credentials are sent.
        alternatives.sort_by_key(Vec::is_empty);
        if alternatives.iter().all(Vec::is_empty) { (Vec::new(), Vec::new()) } else { (alternatives, scopes) }
    }

    /// Whether `op` issues tokens, and which fields mean what: stated by the
    /// `x-authgen-token` extension, or found by an access-token field in its success body.
    fn token_fields(
        &mut self,
        op: &Operation,
        extensions: &indexmap::IndexMap<String, serde_json::Value>,
        at: &Pointer,
    ) -> Option<TokenFields> {
        let answer = self.token_answer(op);
        if let Some(stated) = extensions.get("x-authgen-token") {
            let at = at.join("x-authgen-token");
            let Some(answer) = answer else {
                let problem =
                    "`x-authgen-token` is on an operation without one JSON object as its success answer";
                self.problems.push(
                    &at,
                    problem,
                    "give the operation one success response whose schema is an object",
                );
                return None;
            };
            return self.stated_token_fields(stated, answer.as_deref(), &at);
        }
        answer.flatten()?.iter().any(|f| ACCESS_TOKEN_NAMES.contains(&f.as_str())).then(TokenFields::default)
    }

    /// The success answer a token source can read: one body, an object of known fields
    /// (their wire names) or of any (`None`); not an answer of several shapes.
    fn token_answer(&self, op: &Operation) -> Option<Option<Vec<String>>> {
        if op.success_type.is_some() {
            return None;
        }
        match op.success.iter().find_map(|r| r.body.as_ref())? {
            TypeRef::Json => Some(None),
            TypeRef::Named(id) => {
                let TypeKind::Struct(fields) = &self.types.get(id.0)?.kind else { return None };
                Some(Some(fields.iter().map(|f| f.wire.clone()).collect()))
            }
            _ => None,
        }
    }

    /// The roles stated by `x-authgen-token`, each naming a field of the success body.
    fn stated_token_fields(
        &mut self,
        stated: &serde_json::Value,
        answer_fields: Option<&[String]>,
        at: &Pointer,
    ) -> Option<TokenFields> {
        let roles: Vec<&str> = TokenRole::ALL.iter().map(|r| r.as_str()).collect();
        let hint = format!("map roles ({}) to response field names", roles.join(", "));
        let Some(map) = stated.as_object() else {
            self.problems.push(at, "`x-authgen-token` is not a mapping", hint);
            return None;
        };
        let mut named = Vec::new();
        for (role, field) in map {
            let known = TokenRole::ALL.into_iter().find(|r| r.as_str() == role);
            match (field.as_str(), known) {
                (Some(field), Some(known)) => {
                    if answer_fields.is_some_and(|known| !known.iter().any(|k| k == field)) {
                        self.problems.push(
                            &at.join(role),
                            format!("`{role}` names `{field}`, which the success response does not have"),
                            "name a property of the success response's schema",
                        );
                    }
                    named.push((known, field.to_string()))
                }
                _ => self.problems.push(
                    &at.join(role),
                    format!("`{role}` is not a token role with a field name"),
                    hint.clone(),
                ),
            }
        }
        Some(TokenFields { named })
    }
}

fn media_type<'c>(content: &'c openapiv3::Content, wanted: &str) -> Option<&'c MediaType> {
    content.iter().find(|(media, _)| media::essence(media) == wanted).map(|(_, m)| m)
}

/// JSON, or an answer of any type (`*/*`), which is read as JSON.
fn is_json(media: &str) -> bool {
    media::is_json(media) || media::essence(media) == "*/*"
}

/// A required string path parameter the document does not declare.
fn implied_path_parameter(name: String, wire: String, doc: String) -> Param {
    Param {
        name,
        wire,
        location: ParamLocation::Path,
        delimiter: None,
        ty: TypeRef::String,
        required: true,
        doc: Some(doc),
        checks: Checks::default(),
        idempotency_key: false,
        style: ParamStyle::Simple,
        explode: false,
        pointer: None,
        schema: None,
    }
}

fn template_variables(path: &str) -> impl Iterator<Item = &str> {
    path.split('{').skip(1).filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
}

/// Each parameter with its own pointer: `<owner>/parameters/<index>`.
fn numbered<P>(params: Vec<(P, Pointer)>) -> impl Iterator<Item = (P, Pointer)> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    params.into_iter().map(move |(param, owner)| {
        let index = counts.entry(owner.to_string()).or_default();
        let at = owner.join("parameters").join(*index);
        *index += 1;
        (param, at)
    })
}

/// An operation where the document has it: under `paths.<path>.<method>`.
struct Found<'a> {
    path: &'a str,
    item: &'a PathItem,
    op: &'a openapiv3::Operation,
    method: Method,
    pointer: Pointer,
}

impl<'a> Found<'a> {
    /// Its path item's parameters, then its own, each with the pointer of its owner.
    fn parameters(&self) -> Vec<(&'a ReferenceOr<Parameter>, Pointer)> {
        let item = Pointer::root().join("paths").join(self.path);
        let shared = self.item.parameters.iter().map(|p| (p, item.clone()));
        shared.chain(self.op.parameters.iter().map(|p| (p, self.pointer.clone()))).collect()
    }
}

/// Method names handed out, and which operation holds each.
#[derive(Default)]
struct OperationNames {
    methods: Namespace,
    /// Wanted name -> the operation that got it.
    holders: BTreeMap<String, String>,
    /// operationId -> the operation that has it.
    ids: BTreeMap<String, String>,
}

fn join_docs(summary: Option<&str>, description: Option<&str>, note: Option<&str>) -> Option<String> {
    let parts: Vec<&str> =
        [summary, description, note].into_iter().flatten().filter(|s| !s.trim().is_empty()).collect();
    (!parts.is_empty()).then(|| parts.join("\n\n"))
}

/// Variant name of a status: its reason phrase in PascalCase.
fn status_variant(status: Status) -> String {
    match status {
        Status::Code(code) => REASONS
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, r)| r.to_string())
            .unwrap_or_else(|| format!("Status{code}")),
        Status::Range(1) => "Informational".into(),
        Status::Range(2) => "Success".into(),
        Status::Range(3) => "Redirection".into(),
        Status::Range(4) => "ClientError".into(),
        Status::Range(5) => "ServerError".into(),
        Status::Range(n) => format!("Status{n}xx"),
        Status::Default => "Other".into(),
    }
}

const REASONS: &[(u16, &str)] = &[
    (200, "Ok"),
    (201, "Created"),
    (202, "Accepted"),
    (203, "NonAuthoritativeInformation"),
    (204, "NoContent"),
    (205, "ResetContent"),
    (206, "PartialContent"),
    (300, "MultipleChoices"),
    (301, "MovedPermanently"),
    (302, "Found"),
    (303, "SeeOther"),
    (304, "NotModified"),
    (307, "TemporaryRedirect"),
    (308, "PermanentRedirect"),
    (400, "BadRequest"),
    (401, "Unauthorized"),
    (402, "PaymentRequired"),
    (403, "Forbidden"),
    (404, "NotFound"),
    (405, "MethodNotAllowed"),
    (406, "NotAcceptable"),
    (407, "ProxyAuthenticationRequired"),
    (408, "RequestTimeout"),
    (409, "Conflict"),
    (410, "Gone"),
    (411, "LengthRequired"),
    (412, "PreconditionFailed"),
    (413, "ContentTooLarge"),
    (414, "UriTooLong"),
    (415, "UnsupportedMediaType"),
    (416, "RangeNotSatisfiable"),
    (417, "ExpectationFailed"),
    (418, "ImATeapot"),
    (421, "MisdirectedRequest"),
    (422, "UnprocessableContent"),
    (423, "Locked"),
    (424, "FailedDependency"),
    (425, "TooEarly"),
    (426, "UpgradeRequired"),
    (428, "PreconditionRequired"),
    (429, "TooManyRequests"),
    (431, "RequestHeaderFieldsTooLarge"),
    (451, "UnavailableForLegalReasons"),
    (500, "InternalServerError"),
    (501, "NotImplemented"),
    (502, "BadGateway"),
    (503, "ServiceUnavailable"),
    (504, "GatewayTimeout"),
    (505, "HttpVersionNotSupported"),
    (507, "InsufficientStorage"),
    (511, "NetworkAuthenticationRequired"),
];

/// The extension that names the delimiter of an unexploded query array where OpenAPI
/// has no style for it (Swagger 2.0's `collectionFormat: tsv` is a tab).
const DELIMITER_EXTENSION: &str = "x-authgen-delimiter";

/// A parameter's style and explode, OpenAPI's defaults applied: `form` in the query
/// and cookies, `simple` in the path and headers; exploded for `form` only.
fn style_of(param: &Parameter) -> (ParamStyle, bool) {
    let style = match param {
        Parameter::Path { style: PathStyle::Simple, .. } | Parameter::Header { .. } => ParamStyle::Simple,
        Parameter::Path { style: PathStyle::Label, .. } => ParamStyle::Label,
        Parameter::Path { style: PathStyle::Matrix, .. } => ParamStyle::Matrix,
        Parameter::Query { style: QueryStyle::Form, .. } | Parameter::Cookie { .. } => ParamStyle::Form,
        Parameter::Query { style: QueryStyle::SpaceDelimited, .. } => ParamStyle::SpaceDelimited,
        Parameter::Query { style: QueryStyle::PipeDelimited, .. } => ParamStyle::PipeDelimited,
        Parameter::Query { style: QueryStyle::DeepObject, .. } => ParamStyle::DeepObject,
    };
    (style, param.parameter_data_ref().explode.unwrap_or(style == ParamStyle::Form))
}

/// What joins an unexploded query parameter's items; `None` when sent exploded or
/// deep, or not in the query.
fn query_delimiter(
    location: ParamLocation,
    style: ParamStyle,
    explode: bool,
    data: &ParameterData,
) -> Option<String> {
    let delimiter = match style {
        ParamStyle::Form => ",",
        ParamStyle::SpaceDelimited => " ",
        ParamStyle::PipeDelimited => "|",
        _ => return None,
    };
    let stated = data.extensions.get(DELIMITER_EXTENSION).and_then(serde_json::Value::as_str);
    (location == ParamLocation::Query && !explode).then(|| stated.unwrap_or(delimiter).to_string())
}

/// A path key that carries a query (`/instances?recursion=1`: published documents
/// write one operation per fixed query so): the path, and the query's pairs, which
/// every call sends.
fn split_query(key: &str) -> (String, Vec<(String, String)>) {
    let Some((path, query)) = key.split_once('?') else { return (key.to_string(), Vec::new()) };
    let decode = |text: &str| crate::diagnostics::percent_decode(text).unwrap_or_else(|| text.to_string());
    let pairs = query.split('&').filter(|pair| !pair.is_empty()).map(|pair| {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        (decode(name), decode(value))
    });
    (path.to_string(), pairs.collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lists_shared_with_the_runtime_are_its_own() {
        assert_eq!(CALL_METHODS, authgen_runtime::__private::CALL_METHODS);
        let roles: Vec<&str> = TokenRole::ALL.iter().map(|r| r.as_str()).collect();
        assert_eq!(roles, authgen_runtime::__private::TOKEN_ROLES);
    }

    #[test]
    fn a_query_in_a_path_key_is_sent_with_every_call() {
        let pairs =
            |list: &[(&str, &str)]| list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        assert_eq!(
            split_query("/1.0/instances?recursion=1"),
            ("/1.0/instances".into(), pairs(&[("recursion", "1")]))
        );
        assert_eq!(split_query("/a?x=%2F&flag&"), ("/a".into(), pairs(&[("x", "/"), ("flag", "")])));
        assert_eq!(split_query("/a/{id}"), ("/a/{id}".into(), Vec::new()));
    }

    #[test]
    fn template_variables_are_the_names_in_braces() {
        let names: Vec<&str> = template_variables("/realms/{realm}/users/{user-id}.json").collect();
        assert_eq!(names, ["realm", "user-id"]);
        assert_eq!(template_variables("/plain").count(), 0);
    }

    #[test]
    fn statuses_are_named_by_reason() {
        assert_eq!(status_variant(Status::Code(302)), "Found");
        assert_eq!(status_variant(Status::Code(400)), "BadRequest");
        assert_eq!(status_variant(Status::Code(599)), "Status599");
        assert_eq!(status_variant(Status::Range(4)), "ClientError");
        assert_eq!(status_variant(Status::Default), "Other");
    }
}
