//! Routing: a request path to the operations whose `paths` template it fits.
//!
//! Paths are served as `paths` writes them, at the root. Where several templates fit,
//! a literal segment wins over a parameter at the first segment where they differ
//! (`/users/me` before `/users/{id}`), and among those that fit, the first with the
//! request's method is taken: templates of the same shape (`/a/{x}` for GET, `/a/{y}`
//! for DELETE) are told apart by the method.

use std::collections::HashMap;

use percent_encoding::percent_decode_str;

/// One segment of a template.
#[derive(Debug, Clone, PartialEq)]
enum Segment {
    /// Text to match as it is.
    Literal(String),
    /// Parameters and the text between them (`{name}.{format}`).
    Pattern(Vec<Part>),
}

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Text(String),
    Param(String),
}

/// A trie of the templates, literal children before patterns.
#[derive(Debug, Default)]
struct Node {
    literals: HashMap<String, Node>,
    patterns: Vec<(Vec<Part>, Node)>,
    /// The templates ending here: their index in [`Router::templates`].
    ends: Vec<usize>,
}

/// Every template of a document, and what it leads to.
#[derive(Debug)]
pub(crate) struct Router<T> {
    root: Node,
    templates: Vec<T>,
}

impl<T> Default for Router<T> {
    fn default() -> Self {
        Router { root: Node::default(), templates: Vec::new() }
    }
}

/// A template that fits a path, and its parameters' raw (still percent-encoded) text.
#[derive(Debug)]
pub(crate) struct Fit<'r, T> {
    /// What the template leads to.
    pub value: &'r T,
    /// `(name, raw text)` of each path parameter.
    pub params: Vec<(&'r str, &'r str)>,
}

impl<T> Router<T> {
    /// Adds a template (`/users/{id}`) leading to `value`.
    pub(crate) fn add(&mut self, template: &str, value: T) {
        let mut node = &mut self.root;
        for segment in segments(template) {
            node = match parse_segment(segment) {
                Segment::Literal(text) => node.literals.entry(text).or_default(),
                Segment::Pattern(parts) => match node.patterns.iter().position(|(p, _)| *p == parts) {
                    Some(i) => &mut node.patterns[i].1,
                    None => {
                        node.patterns.push((parts, Node::default()));
                        &mut node.patterns.last_mut().expect("just pushed").1
                    }
                },
            };
        }
        node.ends.push(self.templates.len());
        self.templates.push(value);
    }

    /// The templates `path` fits, the most literal first.
    pub(crate) fn fits<'r>(&'r self, path: &'r str) -> Vec<Fit<'r, T>> {
        let segments: Vec<&str> = segments(path).collect();
        let mut fits = Vec::new();
        let mut params = Vec::new();
        self.walk(&self.root, &segments, &mut params, &mut fits);
        fits
    }

    fn walk<'r>(
        &'r self,
        node: &'r Node,
        rest: &[&'r str],
        params: &mut Vec<(&'r str, &'r str)>,
        fits: &mut Vec<Fit<'r, T>>,
    ) {
        let Some((first, rest)) = rest.split_first() else {
            let found = node.ends.iter().map(|&i| Fit { value: &self.templates[i], params: params.clone() });
            fits.extend(found);
            return;
        };
        let decoded = percent_decode_str(first).decode_utf8_lossy();
        if let Some(next) = node.literals.get(decoded.as_ref()) {
            self.walk(next, rest, params, fits);
        }
        for (parts, next) in &node.patterns {
            let before = params.len();
            if capture(parts, first, params) {
                self.walk(next, rest, params, fits);
            }
            params.truncate(before);
        }
    }
}

/// The segments of a path: `/a/b/` -> `a`, `b` (a trailing slash is not a segment).
fn segments(path: &str) -> impl Iterator<Item = &str> {
    let path = path.strip_prefix('/').unwrap_or(path);
    let path = path.strip_suffix('/').unwrap_or(path);
    path.split('/').filter(|s| !path.is_empty() || !s.is_empty())
}

fn parse_segment(segment: &str) -> Segment {
    let mut parts = Vec::new();
    let mut rest = segment;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else { break };
        if open > 0 {
            parts.push(Part::Text(rest[..open].to_string()));
        }
        parts.push(Part::Param(rest[open + 1..close].to_string()));
        rest = &rest[close + 1..];
    }
    if parts.is_empty() {
        return Segment::Literal(segment.to_string());
    }
    if !rest.is_empty() {
        parts.push(Part::Text(rest.to_string()));
    }
    Segment::Pattern(parts)
}

/// Fits `segment` to `parts`, pushing each parameter's text; a parameter takes at least
/// one character, and as few as let the text after it follow.
fn capture<'r>(parts: &'r [Part], segment: &'r str, params: &mut Vec<(&'r str, &'r str)>) -> bool {
    let mut rest = segment;
    for (i, part) in parts.iter().enumerate() {
        match part {
            Part::Text(text) => match rest.strip_prefix(text.as_str()) {
                Some(after) => rest = after,
                None => return false,
            },
            Part::Param(name) => {
                let end = match parts.get(i + 1) {
                    Some(Part::Text(next)) => match rest.get(1..).and_then(|r| r.find(next.as_str())) {
                        Some(at) => at + 1,
                        None => return false,
                    },
                    _ => rest.len(),
                };
                if end == 0 {
                    return false;
                }
                params.push((name, &rest[..end]));
                rest = &rest[end..];
            }
        }
    }
    rest.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn router(templates: &[&'static str]) -> Router<&'static str> {
        let mut router = Router::default();
        templates.iter().for_each(|t| router.add(t, *t));
        router
    }

    fn fits(router: &Router<&'static str>, path: &str) -> Vec<String> {
        router
            .fits(path)
            .iter()
            .map(|f| {
                let params: Vec<String> = f.params.iter().map(|(n, v)| format!("{n}={v}")).collect();
                format!("{} {}", f.value, params.join(" ")).trim().to_string()
            })
            .collect()
    }

    #[test]
    fn literal_segments_come_before_parameters() {
        let router = router(&["/users/{id}", "/users/me", "/users/{id}/keys/{key}", "/"]);
        assert_eq!(fits(&router, "/users/me"), ["/users/me", "/users/{id} id=me"]);
        assert_eq!(fits(&router, "/users/42/keys/a%2Fb"), ["/users/{id}/keys/{key} id=42 key=a%2Fb"]);
        assert_eq!(fits(&router, "/users/42/"), ["/users/{id} id=42"]);
        assert_eq!(fits(&router, "/"), ["/"]);
        assert!(fits(&router, "/users").is_empty());
        assert!(fits(&router, "/users//keys/a").is_empty(), "a parameter is never empty");
    }

    #[test]
    fn templates_of_one_shape_all_fit() {
        let router = router(&["/a/{x}", "/a/{y}"]);
        assert_eq!(fits(&router, "/a/1"), ["/a/{x} x=1", "/a/{y} y=1"]);
    }

    #[test]
    fn parameters_share_a_segment_with_text() {
        let router = router(&["/files/{name}.{format}", "/v1/{name}:cancel", "/report.{format}"]);
        assert_eq!(fits(&router, "/files/a.b.json"), ["/files/{name}.{format} name=a format=b.json"]);
        assert_eq!(fits(&router, "/v1/ops:cancel"), ["/v1/{name}:cancel name=ops"]);
        assert_eq!(fits(&router, "/report.csv"), ["/report.{format} format=csv"]);
        assert!(fits(&router, "/files/.json").is_empty());
        assert!(fits(&router, "/v1/ops").is_empty());
    }

    #[test]
    fn literal_segments_match_their_percent_encoded_form() {
        let router = router(&["/a b/{id}"]);
        assert_eq!(fits(&router, "/a%20b/1"), ["/a b/{id} id=1"]);
    }
}
