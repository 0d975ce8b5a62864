//! `multipart/form-data` bodies: the properties of a value as text parts (nested ones
//! named with brackets, as in form bodies), its `format: binary` fields as file parts.

use serde::Serialize;

use super::encode;
use crate::Binary;
use crate::error::{Error, TransportError};

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
    /// cannot be sent twice), the parts kept for a retry. A file part from a file is
    /// opened again, one from a stream taken (only once).
    pub(super) fn to_form<E>(&self) -> Result<reqwest::multipart::Form, Error<E>> {
        let mut form = reqwest::multipart::Form::new();
        for (name, part) in &self.parts {
            form = match part {
                Part::Text(text) => form.text(name.clone(), text.clone()),
                Part::File(file) => form.part(name.clone(), file_part(name, file)?),
            };
        }
        Ok(form)
    }

    /// Whether another attempt could send every part again (a stream cannot).
    pub(super) fn resendable(&self) -> bool {
        self.parts.iter().all(|(_, part)| !matches!(part, Part::File(file) if !file.resendable()))
    }
}

/// A file part named `name`, typed `application/octet-stream`.
fn file_part<E>(name: &str, file: &Binary) -> Result<reqwest::multipart::Part, Error<E>> {
    let part = match file.open()? {
        (body, Some(length)) => reqwest::multipart::Part::stream_with_length(body, length),
        (body, None) => reqwest::multipart::Part::stream(body),
    };
    let part = part.file_name(name.to_string());
    Ok(part.mime_str("application/octet-stream").map_err(TransportError::new)?)
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
