//! Media types: what the generator decides about one by its name, owned here once so
//! that every reader of a document (the generator's `lower`, the mock server) decides
//! the same: its essence, whether it is JSON, text or XML, and whether a body of it is
//! a stream of items and how that splits.

use crate::model::Framing;

/// Media types whose body is a stream of items, and how each splits.
pub const STREAM_MEDIA: &[(&str, Framing)] = &[
    ("text/event-stream", Framing::Events),
    ("application/x-ndjson", Framing::Lines),
    ("application/ndjson", Framing::Lines),
    ("application/jsonl", Framing::Lines),
    ("application/x-jsonlines", Framing::Lines),
    ("application/jsonlines", Framing::Lines),
    ("application/json-seq", Framing::Sequence),
];

/// A media type without its parameters, lower case: `Application/JSON; charset=utf-8`
/// -> `application/json`.
pub fn essence(media: &str) -> String {
    media.split(';').next().unwrap_or_default().trim().to_ascii_lowercase()
}

/// `application/json` and every `+json` suffix (`application/merge-patch+json`,
/// `application/problem+json`).
pub fn is_json(media: &str) -> bool {
    let essence = essence(media);
    essence == "application/json" || essence.ends_with("+json")
}

/// `text/*`.
pub fn is_text(media: &str) -> bool {
    essence(media).starts_with("text/")
}

/// `*/xml` and every `+xml` suffix.
pub fn is_xml(media: &str) -> bool {
    let essence = essence(media);
    essence.ends_with("/xml") || essence.ends_with("+xml")
}

/// How a body of media type `media` splits into items, if it is a stream.
pub fn stream_framing(media: &str) -> Option<Framing> {
    let essence = essence(media);
    STREAM_MEDIA.iter().find(|(known, _)| *known == essence).map(|(_, framing)| *framing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_and_case_do_not_change_what_a_media_type_is() {
        assert_eq!(essence(" Application/JSON ; charset=utf-8"), "application/json");
        assert!(is_json("application/problem+json; charset=utf-8"));
        assert!(!is_json("application/jsonl"));
        assert!(is_xml("application/atom+xml") && is_text("text/csv"));
        assert_eq!(stream_framing("application/JSON-seq"), Some(Framing::Sequence));
        assert_eq!(stream_framing("application/json"), None);
    }
}
