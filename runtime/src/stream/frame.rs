//! Frames: the pieces of a stream's body that each hold one item (an event's data, a
//! line, a record), and the framing of newline-delimited JSON and JSON text sequences.

use std::collections::VecDeque;

use bytes::Bytes;

/// One item's bytes, with its event name and own id where it is an event.
#[derive(Debug)]
pub(crate) struct Frame {
    pub(crate) data: Bytes,
    pub(crate) event: Option<String>,
    pub(crate) id: Option<String>,
}

/// A line, event or record longer than the response limit.
#[derive(Debug)]
pub(crate) struct Overflow;

/// How a body splits into items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// `text/event-stream`: server-sent events, each event's `data` an item.
    Events,
    /// NDJSON, JSON Lines: one JSON text a line, blank lines skipped.
    Lines,
    /// RFC 7464 `application/json-seq`: each record starts with RS (0x1E).
    Sequence,
}

/// The state of a stream of records (lines, or RFC 7464 records) between chunks.
#[derive(Debug)]
pub(crate) struct Records {
    framing: Framing,
    /// A record whose end has not come yet.
    partial: Vec<u8>,
}

const RS: u8 = 0x1E;

impl Records {
    pub(crate) fn new(framing: Framing) -> Self {
        Records { framing, partial: Vec::new() }
    }

    /// Reads `chunk`, pushing the records it completes onto `out`.
    pub(crate) fn feed(
        &mut self,
        chunk: &Bytes,
        limit: usize,
        out: &mut VecDeque<Frame>,
    ) -> Result<(), Overflow> {
        let framing = self.framing;
        let mut at = 0;
        while let Some(found) = memchr::memchr2(b'\n', RS, &chunk[at..]) {
            let (line, separator) = (at..at + found, chunk[at + found]);
            at += found + 1;
            if framing == Framing::Lines && self.partial.is_empty() {
                // A whole line in the chunk: a slice of it, not a copy.
                push(out, chunk.slice(line), framing);
                continue;
            }
            self.partial.extend_from_slice(&chunk[line]);
            match (framing, separator) {
                (Framing::Sequence, RS) => self.record(out),
                // A sequence's record may hold line breaks: it ends at the one that
                // completes its JSON text.
                (Framing::Sequence, _) if !complete_json(&self.partial) => self.partial.push(b'\n'),
                _ => self.record(out),
            }
        }
        self.partial.extend_from_slice(&chunk[at..]);
        if self.partial.len() > limit { Err(Overflow) } else { Ok(()) }
    }

    /// Pushes the record gathered so far and starts the next.
    fn record(&mut self, out: &mut VecDeque<Frame>) {
        push(out, Bytes::copy_from_slice(&self.partial), self.framing);
        self.partial.clear();
    }

    /// The body ended: a last line without its line break is still an item.
    pub(crate) fn finish(&mut self, out: &mut VecDeque<Frame>) {
        self.record(out);
    }

    /// Forgets a half-read record.
    pub(crate) fn restart(&mut self) {
        self.partial.clear();
    }
}

/// Pushes `record`, trimmed (of a sequence's RS too); nothing if it is blank.
fn push(out: &mut VecDeque<Frame>, record: Bytes, framing: Framing) {
    let text = record.trim_ascii();
    let text = if framing == Framing::Sequence { text.strip_prefix(&[RS]).unwrap_or(text) } else { text };
    if !text.is_empty() {
        out.push_back(Frame { data: record.slice_ref(text), event: None, id: None });
    }
}

fn complete_json(text: &[u8]) -> bool {
    serde_json::from_slice::<serde::de::IgnoredAny>(text).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(framing: Framing, chunks: &[&[u8]]) -> Vec<String> {
        let mut framer = Records::new(framing);
        let mut out = VecDeque::new();
        for chunk in chunks {
            framer.feed(&Bytes::copy_from_slice(chunk), 1 << 10, &mut out).unwrap();
        }
        framer.finish(&mut out);
        out.into_iter().map(|f| String::from_utf8(f.data.to_vec()).unwrap()).collect()
    }

    #[test]
    fn lines_split_at_line_breaks_across_chunks_skipping_blank_ones() {
        let got = frames(Framing::Lines, &[b"{\"n\":1}\r\n\n{\"n\"", b":2}\n  \n{\"n\":3}"]);
        assert_eq!(got, [r#"{"n":1}"#, r#"{"n":2}"#, r#"{"n":3}"#]);
    }

    #[test]
    fn sequence_records_start_with_rs_and_may_span_lines() {
        let got = frames(Framing::Sequence, &[b"\x1e{\"n\":1}\n\x1e{\n \"n\": 2\n", b"}\n\x1e\"three\"\n"]);
        assert_eq!(got, [r#"{"n":1}"#, "{\n \"n\": 2\n}", r#""three""#]);
        // A truncated record ends at the next RS, and fails to decode as what it is.
        assert_eq!(frames(Framing::Sequence, &[b"\x1e{\"n\":\x1e4\n"]), [r#"{"n":"#, "4"]);
    }

    #[test]
    fn a_record_past_the_limit_overflows() {
        let mut framer = Records::new(Framing::Lines);
        assert!(framer.feed(&Bytes::from(vec![b'x'; 2000]), 1 << 10, &mut VecDeque::new()).is_err());
    }
}
