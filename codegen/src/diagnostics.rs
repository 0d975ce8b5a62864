//! Problems found in a spec, reported in the user's terms: the spec file, the JSON
//! pointer of the offending node, the line where known, and what to do about it.
//!
//! Every stage collects *all* problems of a document before failing (the cxx /
//! serde_derive `Ctxt` pattern), so a user fixes a spec in one round trip.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem at one place in a spec.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Problem {
    /// JSON pointer of the node, e.g. `#/paths/~1token/post/requestBody`.
    pub pointer: String,
    /// What is wrong, lowercase, without a trailing period.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
    /// 1-based line in the spec file, where it could be found.
    pub line: Option<usize>,
    /// The file the pointer and line are in when it is not the spec: the overlay that
    /// wrote the node.
    pub file: Option<String>,
}

/// Every problem found in one spec file. Its `Display` is what `cargo build` prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// The spec file, as it was given to the generator.
    pub file: PathBuf,
    /// The problems, sorted by file (the spec's first), line and pointer.
    pub problems: Vec<Problem>,
}

impl std::error::Error for SpecError {}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.problems.len();
        let noun = if count == 1 { "problem" } else { "problems" };
        writeln!(f, "{}: {count} {noun}", self.file.display())?;
        let file = self.file.display().to_string();
        for problem in &self.problems {
            write!(f, "error: {}", render_problem(&file, problem))?;
        }
        Ok(())
    }
}

/// `message`, then the place (in `file`, or in the problem's own file) and the hint on
/// lines of their own.
pub fn render_problem(file: &str, problem: &Problem) -> String {
    let file = problem.file.as_deref().unwrap_or(file);
    let mut out = format!("{}\n  --> {file}", problem.message);
    if problem.pointer != "#" {
        out.push_str(&problem.pointer);
    }
    if let Some(line) = problem.line {
        out.push_str(&format!(" (line {line})"));
    }
    out.push('\n');
    if let Some(hint) = &problem.hint {
        out.push_str(&format!("  = hint: {hint}\n"));
    }
    out
}

/// Collects problems while a stage walks a document.
#[derive(Debug)]
pub struct Problems {
    file: PathBuf,
    list: Vec<Problem>,
}

impl Problems {
    /// An empty collector for `file`.
    pub fn new(file: &Path) -> Self {
        Problems { file: file.to_path_buf(), list: Vec::new() }
    }

    /// Records a problem at `pointer` with a hint.
    pub fn push(&mut self, pointer: &Pointer, message: impl Into<String>, hint: impl Into<String>) {
        self.list.push(Problem {
            pointer: pointer.to_string(),
            message: message.into(),
            hint: Some(hint.into()),
            line: None,
            file: None,
        });
    }

    /// Records a ready-made problem.
    pub fn push_problem(&mut self, problem: Problem) {
        self.list.push(problem);
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// How many were recorded.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Takes back the problems recorded after the first `keep`, with their lines.
    pub fn take_from(&mut self, keep: usize, line_of: impl Fn(&str) -> Option<usize>) -> Vec<Problem> {
        let mut taken = self.list.split_off(keep.min(self.list.len()));
        for problem in &mut taken {
            problem.line = problem.line.or_else(|| line_of(&problem.pointer));
        }
        taken
    }

    /// `Ok(value)` when nothing was recorded, else every problem, sorted, with lines
    /// filled in by `line_of` where it knows them.
    pub fn finish<T>(self, value: T, line_of: impl Fn(&str) -> Option<usize>) -> Result<T, SpecError> {
        if self.list.is_empty() {
            return Ok(value);
        }
        let mut problems = self.list;
        for problem in &mut problems {
            if problem.line.is_none() {
                problem.line = line_of(&problem.pointer);
            }
        }
        // The spec's own problems first, then each other file's, each in line order.
        problems.sort_by(|a, b| (&a.file, a.line, &a.pointer).cmp(&(&b.file, b.line, &b.pointer)));
        problems.dedup();
        Err(SpecError { file: self.file, problems })
    }
}

/// A JSON pointer under construction, rendered as `#/a/b~1c`.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pointer(String);

impl Pointer {
    /// The document root, `#`.
    pub fn root() -> Self {
        Pointer(String::new())
    }

    /// This pointer extended by one reference token, escaped per RFC 6901.
    pub fn join(&self, token: impl fmt::Display) -> Self {
        let mut joined = Pointer(String::with_capacity(self.0.len() + 24));
        joined.0.push_str(&self.0);
        joined.push(token);
        joined
    }

    /// This pointer extended by `token` while `f` runs, then as it was: a walk over a
    /// whole document keeps one pointer instead of a new one per node.
    pub fn within<R>(&mut self, token: impl fmt::Display, f: impl FnOnce(&mut Self) -> R) -> R {
        let len = self.0.len();
        self.push(token);
        let result = f(self);
        self.0.truncate(len);
        result
    }

    /// Appends `token`, escaped; without a new allocation for the common token, which has
    /// nothing to escape.
    fn push(&mut self, token: impl fmt::Display) {
        use fmt::Write as _;
        self.0.push('/');
        let start = self.0.len();
        write!(self.0, "{token}").expect("a String takes any text");
        if self.0[start..].contains(['~', '/']) {
            let escaped = self.0[start..].replace('~', "~0").replace('/', "~1");
            self.0.truncate(start);
            self.0.push_str(&escaped);
        }
    }

    /// Parses a local `$ref` (`#/components/schemas/Name`): a URI fragment, so
    /// percent-escapes (`%7Bid%7D`) are decoded; `None` for a reference elsewhere.
    pub fn from_ref(reference: &str) -> Option<Self> {
        let fragment = reference.strip_prefix('#')?;
        let decoded = percent_decode(fragment)?;
        (decoded.is_empty() || decoded.starts_with('/')).then_some(Pointer(decoded))
    }

    /// The pointer `text` shows as its [`Display`](fmt::Display) wrote it (`#/a/b~1c`),
    /// as the model keeps pointers; `None` for other text.
    pub fn parse(text: &str) -> Option<Self> {
        let pointer = text.strip_prefix('#')?;
        (pointer.is_empty() || pointer.starts_with('/')).then(|| Pointer(pointer.to_string()))
    }

    /// The pointer one token up (the root's is the root).
    pub fn parent(&self) -> Self {
        Pointer(self.0.rsplit_once('/').map_or_else(String::new, |(parent, _)| parent.to_string()))
    }

    /// The RFC 6901 form `serde_json::Value::pointer` takes: `/a/b~1c`.
    pub fn as_json_pointer(&self) -> &str {
        &self.0
    }

    /// The unescaped reference tokens.
    pub fn tokens(&self) -> impl Iterator<Item = String> + '_ {
        self.0.split('/').skip(1).map(|t| t.replace("~1", "/").replace("~0", "~"))
    }
}

/// `%7B` -> `{`; `None` when the escapes do not make UTF-8 text.
pub(crate) fn percent_decode(text: &str) -> Option<String> {
    if !text.contains('%') {
        return Some(text.to_string());
    }
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&byte, tail)) = rest.split_first() {
        let hex = tail.get(..2).filter(|_| byte == b'%');
        match hex.and_then(|hex| u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()) {
            Some(decoded) => {
                bytes.push(decoded);
                rest = &tail[2..];
            }
            None => {
                bytes.push(byte);
                rest = tail;
            }
        }
    }
    String::from_utf8(bytes).ok()
}

impl fmt::Display for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_escape_slashes_and_tildes() {
        let p = Pointer::root().join("paths").join("/a~b/c").join("post");
        assert_eq!(p.to_string(), "#/paths/~1a~0b~1c/post");
        assert_eq!(p.tokens().collect::<Vec<_>>(), ["paths", "/a~b/c", "post"]);
    }

    #[test]
    fn a_pointer_extended_within_a_walk_is_the_joined_one_there_and_as_it_was_after() {
        let mut at = Pointer::root().join("paths");
        let inside = at.within("/a~b", |at| at.within(3, |at| at.clone()));
        assert_eq!(inside, Pointer::root().join("paths").join("/a~b").join(3));
        assert_eq!(at, Pointer::root().join("paths"));
    }

    #[test]
    fn a_shown_pointer_reads_back_and_has_a_parent() {
        let p = Pointer::root().join("paths").join("/a%20b/{id}").join("get");
        assert_eq!(Pointer::parse(&p.to_string()), Some(p.clone()));
        assert_eq!(p.parent(), Pointer::root().join("paths").join("/a%20b/{id}"));
        assert_eq!(Pointer::root().parent(), Pointer::root());
        assert_eq!(Pointer::parse("paths"), None);
    }

    #[test]
    fn from_ref_keeps_local_references_only() {
        assert_eq!(
            Pointer::from_ref("#/components/schemas/A").unwrap().to_string(),
            "#/components/schemas/A"
        );
        assert_eq!(Pointer::from_ref("other.yaml#/A"), None);
        assert_eq!(Pointer::from_ref("#A"), None, "a plain-name anchor is not a pointer");
        let escaped = Pointer::from_ref("#/paths/~1users~1%7Bid%7D/get").unwrap();
        assert_eq!(escaped.tokens().collect::<Vec<_>>(), ["paths", "/users/{id}", "get"]);
        assert_eq!(escaped.as_json_pointer(), "/paths/~1users~1{id}/get");
    }

    #[test]
    fn all_problems_are_reported_sorted_with_lines() {
        let mut problems = Problems::new(Path::new("specs/x.yaml"));
        problems.push(&Pointer::root().join("b"), "second", "fix b");
        problems.push(&Pointer::root().join("a"), "first", "fix a");
        let err = problems.finish((), |p| Some(if p == "#/a" { 3 } else { 7 })).unwrap_err();
        assert_eq!(
            err.to_string(),
            "specs/x.yaml: 2 problems\n\
             error: first\n  --> specs/x.yaml#/a (line 3)\n  = hint: fix a\n\
             error: second\n  --> specs/x.yaml#/b (line 7)\n  = hint: fix b\n"
        );
    }
}
