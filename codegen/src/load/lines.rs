//! Where each node of a spec starts in its source: JSON pointer -> 1-based line. A
//! best-effort index built by one scan of the text (block-style YAML, or JSON); a
//! pointer it does not know is answered with its nearest known ancestor.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::diagnostics::Pointer;

/// Lines of the nodes of one document. The scan runs the first time a line is asked
/// for: a spec without problems never pays for it.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    text: String,
    is_json: bool,
    lines: OnceLock<HashMap<String, usize>>,
}

impl LineIndex {
    /// An index of `text`, JSON or YAML.
    pub fn new(text: &str, is_json: bool) -> Self {
        LineIndex { text: text.to_string(), is_json, lines: OnceLock::new() }
    }

    /// The line of `pointer` (`#/paths/~1token`), or of its nearest indexed ancestor.
    pub fn line_of(&self, pointer: &str) -> Option<usize> {
        let lines = self
            .lines
            .get_or_init(|| if self.is_json { json_lines(&self.text) } else { yaml_lines(&self.text) });
        // The index is keyed by the JSON pointer itself (`/paths/~1token`), not as shown.
        let mut pointer = pointer.strip_prefix('#').unwrap_or(pointer);
        loop {
            if let Some(line) = lines.get(pointer) {
                return Some(*line);
            }
            pointer = &pointer[..pointer.rfind('/')?];
        }
    }
}

/// One open node while scanning YAML: its pointer and the column its children are
/// deeper than. Sequences count their items; keys whose value starts on the next
/// line (`block`) may have a sequence at their own column.
struct Open {
    pointer: Pointer,
    column: usize,
    next_index: Option<usize>,
    block: bool,
}

fn yaml_lines(text: &str) -> HashMap<String, usize> {
    let mut lines = HashMap::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut block_scalar_above: Option<usize> = None;
    for (number, raw) in text.lines().enumerate() {
        let content = raw.trim_start();
        let mut column = raw.len() - content.len();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        if let Some(key_column) = block_scalar_above {
            if column > key_column {
                continue;
            }
            block_scalar_above = None;
        }
        let is_item = content.starts_with("- ") || content == "-";
        stack.retain(|o| {
            o.column < column || (o.column == column && is_item && (o.next_index.is_some() || o.block))
        });
        let mut rest = content;
        while let Some(item) = rest.strip_prefix("- ").or_else(|| (rest == "-").then_some("")) {
            if !matches!(stack.last(), Some(o) if o.column == column && o.next_index.is_some()) {
                let pointer = stack.last().map_or_else(Pointer::root, |o| o.pointer.clone());
                stack.push(Open { pointer, column, next_index: Some(0), block: false });
            }
            let Some(sequence) = stack.last_mut() else { break };
            let index = sequence.next_index.unwrap_or(0);
            sequence.next_index = Some(index + 1);
            let pointer = sequence.pointer.join(index);
            lines.insert(pointer.as_json_pointer().to_owned(), number + 1);
            stack.push(Open { pointer, column: column + 1, next_index: None, block: false });
            column += 2 + (item.len() - item.trim_start().len());
            rest = item.trim_start();
        }
        if let Some((key, value)) = yaml_key(rest) {
            let pointer = stack.last().map_or_else(|| Pointer::root().join(&key), |o| o.pointer.join(&key));
            lines.insert(pointer.as_json_pointer().to_owned(), number + 1);
            if value.starts_with('|') || value.starts_with('>') {
                block_scalar_above = Some(column);
            }
            stack.push(Open { pointer, column, next_index: None, block: value.is_empty() });
        }
    }
    lines
}

/// `key: value` -> (key, value), unquoting the key.
fn yaml_key(line: &str) -> Option<(String, &str)> {
    let (key, value) = if let Some(quote) = line.chars().next().filter(|c| *c == '\'' || *c == '"') {
        let end = line[1..].find(quote)? + 1;
        let after = line[end + 1..].strip_prefix(':')?;
        (line[1..end].to_string(), after)
    } else {
        let colon = line.find(": ").or_else(|| line.ends_with(':').then(|| line.len() - 1))?;
        let key = &line[..colon];
        if key.starts_with(['{', '[', '&', '*', '!', '|', '>']) {
            return None;
        }
        (key.trim_end().to_string(), &line[colon + 1..])
    };
    Some((key, value.trim()))
}

fn json_lines(text: &str) -> HashMap<String, usize> {
    enum Frame {
        Object { pointer: Pointer, key: Option<String> },
        Array { pointer: Pointer, index: usize },
    }
    let mut lines = HashMap::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut line = 1;
    let mut chars = text.chars().peekable();
    let mut pending_key: Option<String> = None;
    let child_pointer = |stack: &[Frame]| -> Pointer {
        match stack.last() {
            Some(Frame::Object { pointer, key: Some(key) }) => pointer.join(key),
            Some(Frame::Array { pointer, index }) => pointer.join(index),
            _ => Pointer::root(),
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '\n' => line += 1,
            '"' => {
                let mut s = String::new();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some(escaped) = chars.next() {
                                s.push(escaped);
                            }
                        }
                        '"' => break,
                        '\n' => line += 1,
                        c => s.push(c),
                    }
                }
                if matches!(stack.last(), Some(Frame::Object { key: None, .. })) {
                    pending_key = Some(s);
                }
            }
            ':' => {
                if let (Some(key), Some(Frame::Object { pointer, key: slot })) =
                    (pending_key.take(), stack.last_mut())
                {
                    lines.insert(pointer.join(&key).as_json_pointer().to_owned(), line);
                    *slot = Some(key);
                }
            }
            ',' => match stack.last_mut() {
                Some(Frame::Object { key, .. }) => *key = None,
                Some(Frame::Array { index, .. }) => *index += 1,
                None => {}
            },
            '{' | '[' => {
                let pointer = child_pointer(&stack);
                if let Some(Frame::Array { .. }) = stack.last() {
                    lines.insert(pointer.as_json_pointer().to_owned(), line);
                }
                stack.push(if c == '{' {
                    Frame::Object { pointer, key: None }
                } else {
                    Frame::Array { pointer, index: 0 }
                });
            }
            '}' | ']' => {
                stack.pop();
            }
            _ => {}
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    const YAML: &str = "openapi: 3.1.0\npaths:\n  /token:\n    post:\n      description: >-\n        Note: not a key\n      parameters:\n        - name: a\n          in: query\n        - name: b\n      responses:\n        '200':\n          description: ok\n";

    #[test]
    fn yaml_pointers_have_lines() {
        let index = LineIndex::new(YAML, false);
        assert_eq!(index.line_of("#/openapi"), Some(1));
        assert_eq!(index.line_of("#/paths/~1token/post"), Some(4));
        assert_eq!(index.line_of("#/paths/~1token/post/parameters/0/in"), Some(9));
        assert_eq!(index.line_of("#/paths/~1token/post/parameters/1"), Some(10));
        assert_eq!(index.line_of("#/paths/~1token/post/responses/200/description"), Some(13));
        assert_eq!(index.line_of("#/paths/~1token/post/Note"), Some(4), "block scalars are not keys");
        assert_eq!(index.line_of("#/paths/~1token/post/requestBody/content"), Some(4), "nearest ancestor");
        assert_eq!(index.line_of("#/nowhere"), None);
    }

    #[test]
    fn json_pointers_have_lines() {
        let text = "{\n  \"openapi\": \"3.0.0\",\n  \"paths\": {\n    \"/a\": {\n      \"get\": {\"tags\": [\"x\", {\"k\": 1}]}\n    }\n  }\n}\n";
        let index = LineIndex::new(text, true);
        assert_eq!(index.line_of("#/openapi"), Some(2));
        assert_eq!(index.line_of("#/paths/~1a/get"), Some(5));
        assert_eq!(index.line_of("#/paths/~1a/get/tags/1/k"), Some(5));
    }

    #[test]
    fn odd_text_does_not_panic() {
        for text in ["- - -", "'unterminated: x", "\"a\": [", "::::", "- 'a':\n  - b", "{\"a\\", "]]]}}}"] {
            LineIndex::new(text, false);
            LineIndex::new(text, true);
        }
    }
}
