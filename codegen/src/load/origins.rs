//! Where each node of a loaded document came from, so that a problem found in it later
//! is told in the terms of the file the user wrote: the fragment file a `$ref` brought
//! it from, the overlay that wrote it, or the Swagger 2.0 place the reading moved it
//! from (`#/definitions/Pet`, not `#/components/schemas/Pet`).

use super::LineIndex;
use crate::diagnostics::{Pointer, Problem, SpecError};

/// What a source file is to the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// A file a `$ref` reached.
    Fragment,
    /// An overlay applied to the document.
    Overlay,
}

#[derive(Debug, Clone)]
struct Source {
    file: String,
    lines: LineIndex,
    kind: SourceKind,
}

/// A node of the document that came from another file: where it is, and where that
/// file has it.
#[derive(Debug, Clone)]
struct Placed {
    at: String,
    source: usize,
    from: String,
}

/// A node the Swagger 2.0 reading moved within the document.
#[derive(Debug, Clone)]
struct Moved {
    to: String,
    from: String,
}

/// The origins of a document's nodes, and the warnings of the overlays.
#[derive(Debug, Clone, Default)]
pub struct Origins {
    sources: Vec<Source>,
    placed: Vec<Placed>,
    moved: Vec<Moved>,
    /// References the Swagger 2.0 reading rewrote: the 3.0 prefix and the one written.
    respelled: Vec<(String, String)>,
    /// The entry document's lines, for a problem moved back into it.
    entry: Option<LineIndex>,
    /// Warnings of the overlays: targets that select nothing.
    pub notes: Vec<Problem>,
}

impl Origins {
    /// Registers a source file, shown as `file`; returns its index for [`Origins::place`].
    pub fn add_source(&mut self, file: String, lines: LineIndex, kind: SourceKind) -> usize {
        self.sources.push(Source { file, lines, kind });
        self.sources.len() - 1
    }

    /// The source file `source` as shown, with its line index.
    pub fn source(&self, source: usize) -> (&str, &LineIndex) {
        let source = &self.sources[source];
        (&source.file, &source.lines)
    }

    /// Records that the node at `at` is what `source` has at `from`.
    pub fn place(&mut self, at: &Pointer, source: usize, from: &Pointer) {
        self.placed.push(Placed { at: at.to_string(), source, from: from.to_string() });
    }

    /// The entry document's line index, for problems the Swagger 2.0 reading moved.
    pub fn set_entry_lines(&mut self, lines: LineIndex) {
        self.entry = Some(lines);
    }

    /// Records that the node now at `to` was at `from` in the document as written.
    pub fn moved(&mut self, to: &Pointer, from: &Pointer) {
        self.moved.push(Moved { to: to.to_string(), from: from.to_string() });
    }

    /// Records that `$ref`s written with the prefix `from` (`#/definitions/`) now read
    /// `to` (`#/components/schemas/`): a message quoting one quotes it as written, and a
    /// hint naming the place names it as written (`definitions`).
    pub fn respelled(&mut self, to: &str, from: &str) {
        self.respelled.push((to.to_string(), from.to_string()));
    }

    /// The overlay files applied, in order, as shown in messages.
    pub fn overlays(&self) -> impl Iterator<Item = &str> {
        self.sources.iter().filter(|s| s.kind == SourceKind::Overlay).map(|s| s.file.as_str())
    }

    /// `problem` told in the terms of the file that has its node: moved back to where
    /// the document as written has it, then into the fragment or overlay it came from.
    pub fn attribute(&self, mut problem: Problem) -> Problem {
        if problem.file.is_some() {
            return problem;
        }
        let deepest =
            self.moved.iter().filter(|m| inside(&problem.pointer, &m.to)).max_by_key(|m| m.to.len());
        if let Some(moved) = deepest {
            problem.pointer = format!("{}{}", moved.from, &problem.pointer[moved.to.len()..]);
            problem.line = self.entry.as_ref().and_then(|lines| lines.line_of(&problem.pointer));
        }
        for (to, from) in &self.respelled {
            problem.message = problem.message.replace(&format!("`{to}"), &format!("`{from}"));
            // Hints name the place bare: "define it under components/schemas".
            let bare = |prefix: &str| prefix.trim_start_matches("#/").trim_end_matches('/').to_string();
            problem.hint = problem.hint.map(|hint| hint.replace(&bare(to), &bare(from)));
        }
        self.attribute_placed(problem)
    }

    /// `problem`, whose pointer is in the document as written (before the Swagger 2.0
    /// reading), told in the terms of the fragment or overlay that wrote its node.
    pub fn attribute_placed(&self, mut problem: Problem) -> Problem {
        if problem.file.is_some() {
            return problem;
        }
        // The deepest placement wins, and among equals the latest.
        let latest = self.placed.iter().enumerate().rev();
        let found = latest.filter(|(_, p)| inside(&problem.pointer, &p.at)).max_by_key(|(_, p)| p.at.len());
        if let Some((_, placed)) = found {
            let source = &self.sources[placed.source];
            problem.pointer = format!("{}{}", placed.from, &problem.pointer[placed.at.len()..]);
            problem.line = source.lines.line_of(&problem.pointer);
            problem.file = Some(source.file.clone());
        }
        problem
    }

    /// Every problem of `error` told by [`Origins::attribute`].
    pub fn attribute_all(&self, mut error: SpecError) -> SpecError {
        error.problems = error.problems.into_iter().map(|p| self.attribute(p)).collect();
        error
    }
}

/// Whether `pointer` is `node` or below it.
fn inside(pointer: &str, node: &str) -> bool {
    pointer.strip_prefix(node).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(pointer: &str) -> Problem {
        Problem { pointer: pointer.into(), message: "m".into(), hint: None, line: None, file: None }
    }

    #[test]
    fn a_problem_in_a_fragment_names_its_file_pointer_and_line() {
        let mut origins = Origins::default();
        let pet = LineIndex::new("type: object\nproperties:\n  name:\n    type: string\n", false);
        let source = origins.add_source("specs/acme/pet.yaml".into(), pet, SourceKind::Fragment);
        origins.place(
            &Pointer::root().join("components").join("schemas").join("Pet"),
            source,
            &Pointer::root(),
        );
        let told = origins.attribute(problem("#/components/schemas/Pet/properties/name"));
        assert_eq!(told.file.as_deref(), Some("specs/acme/pet.yaml"));
        assert_eq!((told.pointer.as_str(), told.line), ("#/properties/name", Some(3)));
        let sibling = problem("#/components/schemas/Petrol");
        assert_eq!(
            origins.attribute(sibling.clone()),
            sibling,
            "a sibling with a longer name is the entry's"
        );
    }

    #[test]
    fn a_moved_node_is_told_where_the_document_as_written_has_it() {
        let mut origins = Origins::default();
        origins.set_entry_lines(LineIndex::new(
            "swagger: '2.0'\ndefinitions:\n  Pet:\n    $ref: pet.yaml\n",
            false,
        ));
        let pet = LineIndex::new("type: object\nproperties:\n  name:\n    type: string\n", false);
        let source = origins.add_source("specs/acme/pet.yaml".into(), pet, SourceKind::Fragment);
        let definition = Pointer::root().join("definitions").join("Pet");
        origins.place(&definition, source, &Pointer::root());
        origins.moved(&Pointer::root().join("components").join("schemas").join("Pet"), &definition);
        let told = origins.attribute(problem("#/components/schemas/Pet/properties/name"));
        assert_eq!(told.file.as_deref(), Some("specs/acme/pet.yaml"));
        assert_eq!((told.pointer.as_str(), told.line), ("#/properties/name", Some(3)));
        origins.moved(
            &Pointer::root().join("components").join("schemas").join("Owner"),
            &Pointer::root().join("definitions").join("Owner"),
        );
        let in_entry = origins.attribute(problem("#/components/schemas/Owner"));
        assert_eq!(
            (in_entry.pointer.as_str(), in_entry.line, in_entry.file),
            ("#/definitions/Owner", Some(2), None)
        );
        assert_eq!(origins.attribute(problem("#/info")), problem("#/info"));
        origins.respelled("#/components/schemas/", "#/definitions/");
        let mut dangling = problem("#/components/schemas/Owner/properties/pet/$ref");
        dangling.message = "`#/components/schemas/Pet` does not exist".into();
        let told = origins.attribute(dangling);
        assert_eq!(
            (told.pointer.as_str(), told.message.as_str()),
            ("#/definitions/Owner/properties/pet/$ref", "`#/definitions/Pet` does not exist")
        );
        let mut undefined = problem("#/paths/~1a/get/security/0/key");
        undefined.hint = Some("define it under components/schemas".into());
        assert_eq!(origins.attribute(undefined).hint.as_deref(), Some("define it under definitions"));
    }
}
