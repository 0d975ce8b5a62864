//! Loading: a spec file -> a JSON value in the shape `openapiv3` reads, meaning kept.
//!
//! The text is YAML or JSON; the overlays given are applied to it first (module
//! [`overlay`]); OpenAPI 3.1 constructs `openapiv3` 2.2 cannot read are then adapted
//! (module `adapt`); the source is indexed so later stages can give the line of a JSON
//! pointer (module `lines`).

mod adapt;
mod lines;
pub mod overlay;
mod yaml;

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::diagnostics::{Pointer, Problem, Problems, SpecError};
pub use adapt::is_schema_position;
pub use lines::LineIndex;

/// A spec read from disk and brought into the shape `openapiv3` reads.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The file, as given.
    pub file: PathBuf,
    /// The document, adapted.
    pub document: Value,
    /// Names of the `mutualTLS` security schemes (taken out of the document, which
    /// `openapiv3` would reject with them; requirements still name them).
    pub mutual_tls_schemes: Vec<String>,
    /// Every `$ref` that stands where a schema does, as written: the schemas parsing
    /// reads beside the document's own components.
    pub schema_refs: std::collections::BTreeSet<String>,
    /// The `openapi` field as written.
    pub version: String,
    /// What the overlays wrote, to tell problems in those nodes in the overlays' terms.
    pub origins: overlay::Origins,
    lines: LineIndex,
}

impl Loaded {
    /// The 1-based line of the node at `pointer` (or of its nearest ancestor found).
    pub fn line_of(&self, pointer: &str) -> Option<usize> {
        self.lines.line_of(pointer)
    }
}

/// Reads and loads a spec file.
pub fn load(path: &Path) -> Result<Loaded, SpecError> {
    load_with(path, &[])
}

/// Reads and loads a spec file with `overlays` applied, in order.
pub fn load_with(path: &Path, overlays: &[overlay::Overlay]) -> Result<Loaded, SpecError> {
    load_text(path, &read_text(path)?, overlays)
}

/// The text of a file, which must be UTF-8.
fn read_text(path: &Path) -> Result<String, SpecError> {
    match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes)
            .map_err(|_| single(path, "the file is not UTF-8 text", "save the file as UTF-8", None)),
        Err(err) => Err(single(
            path,
            format!("the file cannot be read: {err}"),
            "check the path and permissions",
            None,
        )),
    }
}

/// Loads spec text; `file` names it in messages and decides JSON (`.json`) or YAML.
pub fn load_str(file: &Path, text: &str) -> Result<Loaded, SpecError> {
    load_text(file, text, &[])
}

fn load_text(file: &Path, text: &str, overlays: &[overlay::Overlay]) -> Result<Loaded, SpecError> {
    let (mut document, lines) = parse_text(file, text)?;
    let origins = overlay::apply_all(&mut document, overlays)?;
    let version = check_version(file, &document, &lines).map_err(|e| origins.attribute_all(e))?;
    let mut problems = Problems::new(file);
    let adapted = adapt::adapt(&mut document, &mut problems);
    problems.finish((), |p| lines.line_of(p)).map_err(|e| origins.attribute_all(e))?;
    Ok(Loaded {
        file: file.to_path_buf(),
        document,
        mutual_tls_schemes: adapted.mutual_tls,
        schema_refs: adapted.schema_refs,
        version,
        origins,
        lines,
    })
}

/// YAML or JSON text (by the file's ending) as a value, and the index of its lines.
fn parse_text(file: &Path, text: &str) -> Result<(Value, LineIndex), SpecError> {
    let is_json = file.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let document = if is_json { parse_json(file, text)? } else { parse_yaml(file, text)? };
    Ok((document, LineIndex::new(text, is_json)))
}

fn single(file: &Path, message: impl Into<String>, hint: &str, line: Option<usize>) -> SpecError {
    SpecError {
        file: file.to_path_buf(),
        problems: vec![Problem {
            pointer: "#".into(),
            message: message.into(),
            hint: Some(hint.into()),
            line,
            file: None,
        }],
    }
}

fn parse_json(file: &Path, text: &str) -> Result<Value, SpecError> {
    serde_json::from_str(text).or_else(|err| {
        let message = strip_location(&err.to_string()).to_string();
        // JSON allows numbers no `f64` holds (`1e400`) and serde_json refuses them;
        // YAML, a superset of JSON, reads them (as text the adapter then judges).
        let fallback = (message == "number out of range").then(|| parse_yaml(file, text).ok()).flatten();
        fallback.ok_or_else(|| {
            let message = format!("the file is not valid JSON: {message}");
            single(file, message, "fix the syntax at the line shown", Some(err.line()))
        })
    })
}

fn parse_yaml(file: &Path, text: &str) -> Result<Value, SpecError> {
    yaml::parse(text).map_err(|err| {
        let line = err.location().map(|l| l.line());
        let message = format!("the file is not valid YAML: {}", strip_location(&err.to_string()));
        single(file, message, "fix the syntax at the line shown", line)
    })
}

/// Parser messages end with their own "at line X column Y": we show the line ourselves.
fn strip_location(message: &str) -> &str {
    message.find(" at line ").map_or(message, |at| &message[..at])
}

fn check_version(file: &Path, document: &Value, lines: &LineIndex) -> Result<String, SpecError> {
    let problem_at = |key: &str, message: String, hint: &str| {
        let mut problems = Problems::new(file);
        problems.push(&Pointer::root().join(key), message, hint);
        problems.finish((), |p| lines.line_of(p)).unwrap_err()
    };
    let problem = |message: String, hint: &str| problem_at("openapi", message, hint);
    let Some(object) = document.as_object() else {
        return Err(single(
            file,
            "the document is not an object",
            "an OpenAPI document is a mapping with `openapi`, `info` and `paths`",
            Some(1),
        ));
    };
    if let Some(swagger) = object.get("swagger") {
        let message = format!("Swagger {} documents are not supported", swagger.as_str().unwrap_or("2.0"));
        return Err(problem_at(
            "swagger",
            message,
            "convert the document to OpenAPI 3 (e.g. with swagger2openapi)",
        ));
    }
    match object.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.0") || v.starts_with("3.1") => Ok(v.to_string()),
        Some(v) => Err(problem(format!("OpenAPI version `{v}` is not supported"), "use OpenAPI 3.0 or 3.1")),
        None => Err(problem(
            "the `openapi` version field is missing".into(),
            "add `openapi: 3.1.0` (or the 3.0 version the document follows)",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        load_str(Path::new("specs/x.yaml"), text).unwrap_err().to_string()
    }

    #[test]
    fn malformed_yaml_names_the_line() {
        assert_eq!(
            err("openapi: 3.1.0\ninfo:\n  title: [unclosed\n"),
            "specs/x.yaml: 1 problem\nerror: the file is not valid YAML: did not find expected ',' or ']'\n  --> specs/x.yaml (line 4)\n  = hint: fix the syntax at the line shown\n"
        );
    }

    #[test]
    fn versions_other_than_3_0_and_3_1_are_refused() {
        assert!(err("swagger: '2.0'\n").contains("error: Swagger 2.0 documents are not supported\n  --> specs/x.yaml#/swagger (line 1)\n  = hint: convert the document to OpenAPI 3"));
        assert!(err("openapi: 4.0.0\n").contains("error: OpenAPI version `4.0.0` is not supported"));
        assert!(err("info: {}\n").contains("error: the `openapi` version field is missing"));
        assert!(err("- a\n").contains("error: the document is not an object"));
    }

    #[test]
    fn numeric_keys_become_strings() {
        let loaded = load_str(Path::new("x.yaml"), "openapi: 3.0.0\nr:\n  200: {}\n").unwrap();
        assert!(loaded.document["r"]["200"].is_object());
    }

    #[test]
    fn json_numbers_past_f64_are_read() {
        let text =
            r#"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}, "x-big": 1e400}"#;
        let loaded = load_str(Path::new("x.json"), text).unwrap();
        assert_eq!(loaded.document["x-big"], "1e400");
        let broken = load_str(Path::new("x.json"), r#"{"openapi": 1e400,"#).unwrap_err().to_string();
        assert!(broken.contains("the file is not valid JSON: number out of range"), "{broken}");
    }

    #[test]
    fn odd_inputs_give_errors_not_panics() {
        for text in
            ["", "null", "[]", "42", "openapi: 3.1.0\npaths: 5", ":::", "\t\t", "openapi: [3]", "{{{{"]
        {
            let _ = load_str(Path::new("x.yaml"), text);
            let _ = load_str(Path::new("x.json"), text);
        }
    }
}
