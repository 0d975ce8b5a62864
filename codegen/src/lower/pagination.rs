//! Pagination: which list operations page, and how. A recognised convention
//! (Stripe's `has_more` + `starting_after`, Oxide's `next_page` + `page_token`, a
//! documented `Link` header) or the operation's `x-authgen-pagination` says so; the
//! fields and parameter it names are checked against the lowered operation.

use serde::Deserialize;

use super::Lowerer;
use crate::diagnostics::Pointer;
use crate::model::{
    Decoding, Field, NextPage, Operation, Pagination, ParamLocation, TypeDef, TypeKind, TypeRef,
};

/// `x-authgen-pagination`, and the conventions written the same way.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct Stated {
    /// The body field of the items; absent: the body is the list.
    items: Option<String>,
    /// The query parameter the next page's cursor goes in.
    cursor: Option<String>,
    /// The body field of the next page's token.
    next: Option<String>,
    /// The boolean body field that says there is another page.
    has_more: Option<String>,
    /// With `has-more`: the item field the next page starts after (default `id`).
    id: Option<String>,
    /// The next page is the answer's `Link: rel="next"` header.
    #[serde(default)]
    link: bool,
}

impl Stated {
    fn new(items: &str, cursor: &str) -> Self {
        Stated { items: Some(items.into()), cursor: Some(cursor.into()), ..Stated::default() }
    }

    /// The conventions tried, in order, where the operation says nothing.
    fn conventions(link_documented: bool) -> Vec<Stated> {
        let stripe = Stated { has_more: Some("has_more".into()), ..Stated::new("data", "starting_after") };
        let oxide = Stated { next: Some("next_page".into()), ..Stated::new("items", "page_token") };
        let link = [None, Some("items"), Some("data")].map(|items| Stated {
            items: items.map(Into::into),
            link: true,
            ..Stated::default()
        });
        let mut all = vec![stripe, oxide];
        if link_documented {
            all.extend(link);
        }
        all
    }
}

const HINT: &str = "write `x-authgen-pagination: {items: data, cursor: starting_after, has-more: has_more}`, `{items: items, cursor: page_token, next: next_page}` or `{link: true}`, naming fields of the success body and an optional string query parameter";

impl Lowerer<'_> {
    /// How `op` pages, if it does.
    pub(super) fn pagination(
        &mut self,
        op: &Operation,
        source: &openapiv3::Operation,
        at: &Pointer,
    ) -> Option<Pagination> {
        let body = op.success.iter().find(|r| r.decoding == Decoding::Json)?.body.as_ref();
        let Some(stated) = source.extensions.get("x-authgen-pagination") else {
            let conventions = Stated::conventions(documents_link(source));
            return conventions.iter().find_map(|c| paginate(op, body?, &self.types, c).ok());
        };
        let at = at.join("x-authgen-pagination");
        let stated = Stated::deserialize(stated).map_err(|e| e.to_string());
        let found =
            stated.and_then(|s| paginate(op, body.ok_or("the operation has no JSON body")?, &self.types, &s));
        found.map_err(|problem| self.problems.push(&at, problem, HINT)).ok()
    }
}

/// Whether a success response of `source` documents a `Link` header.
fn documents_link(source: &openapiv3::Operation) -> bool {
    let success = source.responses.responses.iter().filter(|(code, _)| code.to_string().starts_with('2'));
    success.filter_map(|(_, r)| r.as_item()).any(|r| r.headers.keys().any(|h| h.eq_ignore_ascii_case("link")))
}

/// The pagination `stated` describes, if `op`'s parameters and `body` have what it names.
fn paginate(
    op: &Operation,
    body: &TypeRef,
    types: &[TypeDef],
    stated: &Stated,
) -> Result<Pagination, String> {
    if op.success_type.is_some() {
        return Err("the operation answers several kinds of success: a page must be one".into());
    }
    let (items, item) = match &stated.items {
        None => match body {
            TypeRef::Vec(item) => (None, (**item).clone()),
            _ => return Err("the success body is not a list: name its `items` field".into()),
        },
        Some(wire) => {
            let field = field(fields(body, types)?, wire, "the success body")?;
            let TypeRef::Vec(item) = &field.ty else { return Err(format!("`{wire}` is not a list")) };
            if field.optional() {
                return Err(format!("`{wire}` is optional: a page's items must always be there"));
            }
            (Some(field.name.clone()), (**item).clone())
        }
    };
    let next = if stated.link {
        NextPage::Link
    } else {
        let param = cursor(op, stated.cursor.as_deref().ok_or("name the `cursor` query parameter")?)?;
        next_page(body, &item, types, stated, param)?
    };
    Ok(Pagination { items, item, next })
}

fn next_page(
    body: &TypeRef,
    item: &TypeRef,
    types: &[TypeDef],
    stated: &Stated,
    param: String,
) -> Result<NextPage, String> {
    let body_fields = fields(body, types)?;
    match (&stated.has_more, &stated.next) {
        (Some(has_more), None) => {
            let has_more = field(body_fields, has_more, "the success body")?;
            if has_more.ty != TypeRef::Bool || has_more.optional() {
                return Err(format!("`{}` is not a required boolean", has_more.wire));
            }
            let id = field(fields(item, types)?, stated.id.as_deref().unwrap_or("id"), "an item")?;
            if id.ty != TypeRef::String {
                return Err(format!("the item's `{}` is not a string", id.wire));
            }
            let (has_more, id_optional, id) = (has_more.name.clone(), id.optional(), id.name.clone());
            Ok(NextPage::AfterLast { has_more, id, id_optional, param })
        }
        (None, Some(next)) => {
            let next = field(body_fields, next, "the success body")?;
            if next.ty != TypeRef::String {
                return Err(format!("`{}` is not a string", next.wire));
            }
            Ok(NextPage::Token { field: next.name.clone(), optional: next.optional(), param })
        }
        _ => Err("name one of `has-more` and `next` (or say `link: true`)".into()),
    }
}

/// The optional string query parameter `wire`, by its Rust name.
fn cursor(op: &Operation, wire: &str) -> Result<String, String> {
    let param = op.params.iter().find(|p| p.wire == wire && p.location == ParamLocation::Query);
    match param {
        Some(p) if !p.required && p.ty == TypeRef::String => Ok(p.name.clone()),
        Some(_) => Err(format!("the parameter `{wire}` is not an optional string")),
        None => Err(format!("the operation has no query parameter `{wire}`")),
    }
}

/// The fields of the struct `ty` names, through aliases (which may still go round:
/// cycles are broken after operations are lowered).
fn fields<'t>(mut ty: &'t TypeRef, types: &'t [TypeDef]) -> Result<&'t [Field], String> {
    for _ in 0..=types.len() {
        let TypeRef::Named(id) = ty else { break };
        match types.get(id.0).map(|t| &t.kind) {
            Some(TypeKind::Struct(fields)) => return Ok(fields),
            Some(TypeKind::Alias(aliased)) => ty = aliased,
            _ => break,
        }
    }
    Err("the success body is not an object".into())
}

fn field<'f>(fields: &'f [Field], wire: &str, of: &str) -> Result<&'f Field, String> {
    fields.iter().find(|f| f.wire == wire).ok_or_else(|| format!("{of} has no field `{wire}`"))
}
