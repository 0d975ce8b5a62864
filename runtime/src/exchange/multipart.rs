//! `multipart/form-data` bodies: the properties of a value as text parts (nested ones
//! named with brackets, as in form bodies), its `format: binary` fields as file parts.

use serde::Serialize;

use super::encode;
use crate::Binary;

/// A multipart body under construction.
#[derive(Debug, Default, Clone)]
pub struct Multipart {
    parts: Vec<(String, Part)>,
}

#[derive(Debug, Clone)]
enum Part {
    Text(String),
    File(Binary),
}

impl Multipart {
    /// Every property of `value` but those named in `files`, as text parts.
    pub fn object<T: Serialize + ?Sized>(value: &T, files: &[&str]) -> Self {
        let parts = encode::form_body(value)
            .into_iter()
            .filter(|(name, _)| !files.contains(&name.as_str()))
            .map(|(name, text)| (name, Part::Text(text)))
            .collect();
        Multipart { parts }
    }

    /// Adds a file part, if there is a file.
    pub fn file<'b>(mut self, name: &str, file: impl Into<Option<&'b Binary>>) -> Self {
        if let Some(file) = file.into() {
            self.parts.push((name.to_string(), Part::File(file.clone())));
        }
        self
    }

    /// The body to send: built anew for every attempt (reqwest's form is a stream that
    /// cannot be sent twice), the parts kept for a retry.
    pub(super) fn to_form(&self) -> reqwest::multipart::Form {
        self.parts.iter().fold(reqwest::multipart::Form::new(), |form, (name, part)| match part {
            Part::Text(text) => form.text(name.clone(), text.clone()),
            Part::File(file) => {
                let part =
                    || reqwest::multipart::Part::bytes(file.as_bytes().to_vec()).file_name(name.clone());
                // A constant media type always parses; were it not to, the part goes untyped.
                let typed = part().mime_str("application/octet-stream").unwrap_or_else(|_| part());
                form.part(name.clone(), typed)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn properties_become_text_parts_and_files_file_parts() {
        let body = json!({"name": "sticker", "tags": ["a", "b"], "file": "ignored"});
        let file = Binary::from(b"PNG".as_slice());
        let form = Multipart::object(&body, &["file"]).file("file", &file).file("none", None);
        let names: Vec<&str> = form.parts.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["name", "tags", "tags", "file"]);
        assert!(matches!(&form.parts[3].1, Part::File(f) if f.as_bytes() == b"PNG"));
    }
}
