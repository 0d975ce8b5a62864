//! Server-sent events, parsed by the WHATWG rules (HTML, "Server-sent events", the
//! event stream interpretation): lines end with CRLF, LF or CR; a blank line dispatches
//! the event; `data` lines join with LF; `:` starts a comment; `id` persists across
//! events (a value with NUL is ignored); `retry` takes ASCII digits only; an event
//! without data is not dispatched, and one unfinished when the stream ends is dropped.

use std::collections::VecDeque;
use std::time::Duration;

use bytes::Bytes;

use super::frame::{Frame, Overflow};

/// The parser's state between chunks.
#[derive(Debug, Default)]
pub(crate) struct SseParser {
    /// A line whose end has not come yet.
    line: Vec<u8>,
    /// The last chunk ended with CR: a LF starting the next one ends no second line.
    after_cr: bool,
    /// The start of the stream has been seen (and a byte order mark dropped).
    started: bool,
    /// The event's data, each line followed by LF, once it has more than one line.
    data: Vec<u8>,
    /// The event's only data line so far, as a slice of the chunk it came in.
    first: Option<Bytes>,
    event: Option<String>,
    /// The event being read has an `id` line of its own.
    own_id: bool,
    /// The last event ID buffer: persists across events, sent when resuming.
    last_id: String,
    retry: Option<Duration>,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

impl SseParser {
    /// Reads `chunk`, pushing each event it completes onto `out`. A line or an event's
    /// data longer than `limit` bytes overflows.
    pub(crate) fn feed(
        &mut self,
        chunk: &Bytes,
        limit: usize,
        out: &mut VecDeque<Frame>,
    ) -> Result<(), Overflow> {
        let mut at = 0;
        if !self.started && !chunk.is_empty() {
            self.started = true;
            at = if chunk.starts_with(BOM) { BOM.len() } else { 0 };
        }
        if std::mem::take(&mut self.after_cr) && chunk.get(at) == Some(&b'\n') {
            at += 1;
        }
        while let Some(found) = memchr::memchr2(b'\n', b'\r', &chunk[at..]) {
            let end = at + found;
            if self.line.is_empty() {
                self.line_done(&chunk[at..end], Some((chunk, at)), out);
            } else {
                let mut line = std::mem::take(&mut self.line);
                line.extend_from_slice(&chunk[at..end]);
                self.line_done(&line, None, out);
                line.clear();
                self.line = line;
            }
            at = end + 1;
            if chunk[end] == b'\r' {
                match chunk.get(at) {
                    Some(b'\n') => at += 1,
                    Some(_) => {}
                    None => self.after_cr = true,
                }
            }
            if self.data.len() + self.first.as_ref().map_or(0, Bytes::len) > limit {
                return Err(Overflow);
            }
        }
        self.line.extend_from_slice(&chunk[at..]);
        if self.line.len() > limit { Err(Overflow) } else { Ok(()) }
    }

    /// One line; `within` is the chunk it lies in and where, when it lies in one.
    fn line_done(&mut self, line: &[u8], within: Option<(&Bytes, usize)>, out: &mut VecDeque<Frame>) {
        if line.is_empty() {
            return self.dispatch(out);
        }
        let (field, value) = match memchr::memchr(b':', line) {
            Some(0) => return,
            Some(colon) => {
                let value = &line[colon + 1..];
                (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &b""[..]),
        };
        match field {
            b"data" => {
                let end = line.len();
                let slice = within.map(|(chunk, start)| chunk.slice(start + end - value.len()..start + end));
                self.push_data(value, slice);
            }
            b"event" => self.event = Some(String::from_utf8_lossy(value).into_owned()),
            b"id" if !value.contains(&0) => {
                self.last_id = String::from_utf8_lossy(value).into_owned();
                self.own_id = true;
            }
            b"retry" if !value.is_empty() && value.iter().all(u8::is_ascii_digit) => {
                // Digits too many for a u64 are a wait no one means: the longest there is.
                let millis = std::str::from_utf8(value).ok().and_then(|v| v.parse().ok());
                self.retry = Some(Duration::from_millis(millis.unwrap_or(u64::MAX)));
            }
            _ => {}
        }
    }

    /// Appends a `data` line's value: the first, where it lies in a chunk, kept as a
    /// slice of it (most events have one line: their data is never copied).
    fn push_data(&mut self, value: &[u8], slice: Option<Bytes>) {
        if self.data.is_empty() && self.first.is_none() && slice.is_some() {
            self.first = slice;
            return;
        }
        if let Some(first) = self.first.take() {
            self.data.extend_from_slice(&first);
            self.data.push(b'\n');
        }
        self.data.extend_from_slice(value);
        self.data.push(b'\n');
    }

    fn dispatch(&mut self, out: &mut VecDeque<Frame>) {
        let event = self.event.take();
        let own_id = std::mem::take(&mut self.own_id);
        let data = match self.first.take() {
            Some(first) => first,
            None if self.data.is_empty() => return,
            None => {
                self.data.pop();
                // Copied out at its size, the buffer kept: it has grown to fit events.
                let data = Bytes::copy_from_slice(&self.data);
                self.data.clear();
                data
            }
        };
        let id = own_id.then(|| self.last_id.clone());
        out.push_back(Frame { data, event, id });
    }

    /// The last event ID (`None` while it is empty): what a reconnection sends.
    pub(crate) fn last_id(&self) -> Option<&str> {
        Some(self.last_id.as_str()).filter(|id| !id.is_empty())
    }

    /// The reconnection time the server asked for with `retry`, if it did.
    pub(crate) fn retry(&self) -> Option<Duration> {
        self.retry
    }

    /// Forgets a half-read event, keeping the last event ID and the reconnection time:
    /// a new connection starts reading afresh.
    pub(crate) fn restart(&mut self) {
        let (last_id, retry) = (std::mem::take(&mut self.last_id), self.retry);
        *self = SseParser { last_id, retry, ..SseParser::default() };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An event as `(event, id, data)`.
    type Parsed = (Option<String>, Option<String>, String);

    /// The events of `chunks`, fed in order.
    fn parse(chunks: &[&[u8]]) -> (Vec<Parsed>, SseParser) {
        let mut parser = SseParser::default();
        let mut out = VecDeque::new();
        for chunk in chunks {
            parser.feed(&Bytes::copy_from_slice(chunk), 1 << 20, &mut out).unwrap();
        }
        let events =
            out.into_iter().map(|f| (f.event, f.id, String::from_utf8(f.data.to_vec()).unwrap())).collect();
        (events, parser)
    }

    fn data(events: &[Parsed]) -> Vec<&str> {
        events.iter().map(|(_, _, d)| d.as_str()).collect()
    }

    #[test]
    fn data_lines_join_and_comments_and_unknown_fields_are_ignored() {
        let (events, _) =
            parse(&[b": hello\ndata: first\ndata:second\ndata\nfoo: bar\n\ndata:  two spaces\n\n"]);
        assert_eq!(data(&events), ["first\nsecond\n", " two spaces"]);
    }

    #[test]
    fn every_line_end_counts_even_split_between_chunks() {
        let (events, _) = parse(&[b"data: a\r", b"\n\r", b"\ndata: b\r\r", b"data: c\n", b"\n"]);
        assert_eq!(data(&events), ["a", "b", "c"]);
        let (events, _) = parse(&[b"da", b"ta: spl", b"it\n", b"\n"]);
        assert_eq!(data(&events), ["split"]);
    }

    #[test]
    fn a_byte_order_mark_is_dropped_once_and_an_unfinished_event_is_not_dispatched() {
        // A second mark is part of its line's field name, which is then no field.
        let (events, _) = parse(&[b"\xEF\xBB\xBFdata: x\n\n\xEF\xBB\xBFdata: y\n\ndata: never"]);
        assert_eq!(data(&events), ["x"]);
    }

    #[test]
    fn events_without_data_are_not_dispatched_but_their_id_persists() {
        let (events, parser) = parse(&[b"event: ping\n\nid: 7\n\ndata: after\n\ndata:\n\n"]);
        assert_eq!(events, [(None, None, "after".into()), (None, None, "".into())]);
        assert_eq!(parser.last_id(), Some("7"));
    }

    #[test]
    fn names_ids_and_retry_are_read_by_the_rules() {
        let (events, parser) = parse(&[
            b"event: tick\nid: 1\nretry: 250\ndata: a\n\nid: x\0y\ndata: b\n\nretry: 1s\nid\ndata: c\n\n",
        ]);
        assert_eq!(events[0], (Some("tick".into()), Some("1".into()), "a".into()));
        assert_eq!(
            events[1],
            (None, None, "b".into()),
            "an id with NUL is ignored: the event has none of its own"
        );
        assert_eq!(events[2], (None, Some("".into()), "c".into()), "an empty id resets the buffer");
        assert_eq!(parser.last_id(), None);
        assert_eq!(parser.retry(), Some(Duration::from_millis(250)), "`1s` is not digits");
    }

    #[test]
    fn a_line_or_data_past_the_limit_overflows() {
        let mut parser = SseParser::default();
        let mut out = VecDeque::new();
        assert!(parser.feed(&Bytes::from_static(b"data: 0123456789"), 8, &mut out).is_err());
        let mut parser = SseParser::default();
        assert!(parser.feed(&Bytes::from_static(b"data: 0123\ndata: 4567\n"), 8, &mut out).is_err());
    }

    #[test]
    fn a_restart_forgets_the_half_read_event_and_keeps_the_last_id() {
        let mut parser = SseParser::default();
        let mut out = VecDeque::new();
        parser
            .feed(&Bytes::from_static(b"retry: 10\nid: 2\ndata: one\n\ndata: half"), 1 << 10, &mut out)
            .unwrap();
        parser.restart();
        parser.feed(&Bytes::from_static(b"data: three\n\n"), 1 << 10, &mut out).unwrap();
        let data: Vec<&[u8]> = out.iter().map(|f| &f.data[..]).collect();
        assert_eq!(data, [&b"one"[..], b"three"]);
        assert_eq!((parser.last_id(), parser.retry()), (Some("2"), Some(Duration::from_millis(10))));
    }
}
