//! Loading: a spec file -> a JSON value in the shape `openapiv3` reads, meaning kept.
//!
//! The text is YAML or JSON (a byte-order mark skipped). The files its `$ref`s reach are
//! brought in (module `bundle`); the overlays given are applied (module [`overlay`]); a
//! Swagger 2.0 document is read as the OpenAPI 3.0 document it means (module
//! `swagger2`); OpenAPI 3.1 constructs `openapiv3` 2.2 cannot read are adapted (module
//! `adapt`). Every file is indexed so later stages can give the line of a JSON pointer
//! (module `lines`), and every node remembers the file and place it came from (module
//! [`origins`]).

mod adapt;
mod bundle;
mod entry;
mod follow;
mod lines;
pub mod origins;
pub mod overlay;
mod swagger2;
mod yaml;

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::diagnostics::{Pointer, Problem, Problems, SpecError};
pub use adapt::{is_schema_position, visit_schemas};
pub use bundle::REMOTE_FOLDER;
pub use entry::{ENTRY_FILE, entry_of, is_spec_file};
pub use follow::{Unfollowed, follow};
pub use lines::LineIndex;
use origins::Origins;

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
    /// The `openapi` field as written (`2.0` for a Swagger document).
    pub version: String,
    /// Where each node came from (another file, an overlay, a Swagger 2.0 place), to
    /// tell problems in the terms of the file the user wrote.
    pub origins: Origins,
    /// Every file read: the spec, then the files its `$ref`s reach, in the order met.
    pub files: Vec<PathBuf>,
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

/// The text of a file, which must be UTF-8 (a byte-order mark is skipped).
fn read_text(path: &Path) -> Result<String, SpecError> {
    match std::fs::read(path) {
        Ok(mut bytes) => {
            if bytes.starts_with(BOM.as_bytes()) {
                bytes.drain(..BOM.len());
            }
            String::from_utf8(bytes)
                .map_err(|_| single(path, "the file is not UTF-8 text", "save the file as UTF-8", None))
        }
        Err(err) => Err(single(
            path,
            format!("the file cannot be read: {err}"),
            "check the path and permissions",
            None,
        )),
    }
}

/// The byte-order mark some editors write at the start of UTF-8 text.
const BOM: &str = "\u{feff}";

/// Loads spec text; `file` names it in messages and decides JSON (`.json`) or YAML.
/// `$ref`s to other files are read relative to `file`.
pub fn load_str(file: &Path, text: &str) -> Result<Loaded, SpecError> {
    load_text(file, text, &[])
}

fn load_text(file: &Path, text: &str, overlays: &[overlay::Overlay]) -> Result<Loaded, SpecError> {
    let Assembled { mut document, lines, origins, files, version } = assemble(file, text, overlays)?;
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
        files,
        lines,
    })
}

/// The one-file OpenAPI 3 document a spec means: the files its `$ref`s reach brought
/// in, the overlays applied, a Swagger 2.0 document read as OpenAPI 3.0. What the
/// generator reads, before adapting 3.1 to what `openapiv3` parses; for other tools,
/// and to review what was made of a document.
pub fn bundled(path: &Path, overlays: &[overlay::Overlay]) -> Result<Value, SpecError> {
    let entry = entry_of(path)?;
    Ok(assemble(&entry, &read_text(&entry)?, overlays)?.document)
}

/// A document with every file and overlay brought in, in OpenAPI 3's shape.
struct Assembled {
    document: Value,
    lines: LineIndex,
    origins: Origins,
    files: Vec<PathBuf>,
    version: String,
}

fn assemble(file: &Path, text: &str, overlays: &[overlay::Overlay]) -> Result<Assembled, SpecError> {
    let (mut document, lines) = parse_text(file, text.strip_prefix(BOM).unwrap_or(text))?;
    let mut origins = Origins::default();
    origins.set_entry_lines(lines.clone());
    let files = bundle::bundle(file, &mut document, &mut origins).map_err(|problems| {
        let mut collected = Problems::new(file);
        problems.into_iter().for_each(|p| collected.push_problem(p));
        collected.finish((), |p| lines.line_of(p)).unwrap_err()
    })?;
    overlay::apply_all(&mut document, overlays, &mut origins)?;
    let version = check_version(file, &document, &lines).map_err(|e| origins.attribute_all(e))?;
    if version == "2.0" {
        let mut problems = Problems::new(file);
        swagger2::convert(&mut document, &mut problems, &mut origins);
        // Told on the document as written: no pointer of these was moved.
        problems.finish((), |p| lines.line_of(p)).map_err(|e| SpecError {
            problems: e.problems.into_iter().map(|p| origins.attribute_placed(p)).collect(),
            ..e
        })?;
    }
    Ok(Assembled { document, lines, origins, files, version })
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
        return match swagger.as_str() {
            Some("2.0") => Ok("2.0".into()),
            _ => Err(problem_at(
                "swagger",
                format!(
                    "Swagger version `{}` is not supported",
                    swagger.as_str().map_or_else(|| swagger.to_string(), str::to_string)
                ),
                "Swagger documents are version `2.0`; use that, or OpenAPI 3.0 or 3.1",
            )),
        };
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
        assert!(err("swagger: '1.2'\n").contains(
            "error: Swagger version `1.2` is not supported\n  --> specs/x.yaml#/swagger (line 1)\n"
        ));
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
