//! [`Binary`]: bytes a spec describes as `format: binary` (file uploads, octet-stream
//! bodies, downloads): in memory, or, for a request, read from a file or a stream as it
//! is sent.

use std::fmt;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use futures_core::Stream;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, ValidationError};

/// Raw bytes: an `application/octet-stream` body, a file part of a multipart body, a
/// downloaded file. `Debug` shows only the length (or the file). Inside a JSON document
/// (where a spec rarely puts one) it travels as text, invalid UTF-8 replaced.
///
/// A body to send need not be in memory: [`Binary::from_file`] reads a file as it is
/// sent (again for a retry), [`Binary::from_stream`] sends chunks as a stream gives them
/// (once: a call whose first attempt sent it is not retried). Such a `Binary` has no
/// bytes to show: [`as_bytes`](Binary::as_bytes) is empty and [`len`](Binary::len) 0.
#[derive(Clone, Default)]
pub struct Binary(Repr);

#[derive(Clone)]
enum Repr {
    Memory(Bytes),
    File(Arc<Path>),
    /// Taken by the attempt that sends it; clones share it.
    Stream(Arc<Mutex<Option<Chunks>>>),
}

impl Default for Repr {
    fn default() -> Self {
        Repr::Memory(Bytes::new())
    }
}

type Chunks = Pin<Box<dyn Stream<Item = Result<Bytes, BoxError>> + Send>>;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// How much of a file one read takes: large chunks, few reads, memory still bounded.
const FILE_CHUNK: usize = 256 << 10;

impl Binary {
    /// The file at `path`, read as the request is sent, never whole: each attempt opens
    /// it again. A file that cannot be opened refuses the call, naming it.
    pub fn from_file(path: impl Into<PathBuf>) -> Self {
        Binary(Repr::File(path.into().into()))
    }

    /// The chunks of `stream`, sent as it gives them (`Transfer-Encoding: chunked`). A
    /// stream is sent once: a call that needs a second attempt ends with the first one's
    /// outcome, or, after a 401, with an error saying the body cannot be sent again.
    pub fn from_stream<S, B, E>(stream: S) -> Self
    where
        S: Stream<Item = Result<B, E>> + Send + 'static,
        B: Into<Bytes>,
        E: Into<BoxError>,
    {
        let chunks: Chunks = Box::pin(MapChunks(Box::pin(stream)));
        Binary(Repr::Stream(Arc::new(Mutex::new(Some(chunks)))))
    }

    /// The bytes, when they are in memory (empty for a file or a stream).
    pub fn as_bytes(&self) -> &[u8] {
        self.in_memory().map_or(&[], |bytes| bytes)
    }

    /// The bytes, without copying (empty for a file or a stream).
    pub fn into_bytes(self) -> Bytes {
        match self.0 {
            Repr::Memory(bytes) => bytes,
            _ => Bytes::new(),
        }
    }

    /// Length in bytes, when in memory (0 for a file or a stream).
    pub fn len(&self) -> usize {
        self.as_bytes().len()
    }

    /// True when there are no bytes in memory.
    pub fn is_empty(&self) -> bool {
        self.as_bytes().is_empty()
    }

    /// The file it reads, if it is one.
    pub fn path(&self) -> Option<&Path> {
        match &self.0 {
            Repr::File(path) => Some(path),
            _ => None,
        }
    }

    pub(crate) fn in_memory(&self) -> Option<&Bytes> {
        match &self.0 {
            Repr::Memory(bytes) => Some(bytes),
            _ => None,
        }
    }

    /// Whether it can be sent again: a stream cannot.
    pub(crate) fn resendable(&self) -> bool {
        !matches!(self.0, Repr::Stream(_))
    }

    /// A body for one attempt, with its length where known: the file opened (here, at
    /// once: an open and a `stat` of a local file, before the request is on its way),
    /// the stream taken (the second time, a refusal).
    pub(crate) fn open<E>(&self) -> Result<(reqwest::Body, Option<u64>), Error<E>> {
        match &self.0 {
            Repr::Memory(bytes) => Ok((bytes.clone().into(), Some(bytes.len() as u64))),
            Repr::File(path) => {
                let failed = |source| Error::File { path: path.to_path_buf(), source };
                let file = std::fs::File::open(path).map_err(failed)?;
                let length = file.metadata().map_err(failed)?.len();
                let file = tokio::fs::File::from_std(file);
                let chunks = tokio_util::io::ReaderStream::with_capacity(file, FILE_CHUNK);
                Ok((reqwest::Body::wrap_stream(chunks), Some(length)))
            }
            Repr::Stream(slot) => match slot.lock().unwrap_or_else(PoisonError::into_inner).take() {
                Some(chunks) => Ok((reqwest::Body::wrap_stream(chunks), None)),
                None => Err(ValidationError {
                    field: "body".into(),
                    problem:
                        "is a stream already sent once: it cannot be sent again (`Binary::from_file` can)"
                            .into(),
                }
                .into()),
            },
        }
    }
}

/// A stream of any chunks and errors, as bytes and boxed errors.
struct MapChunks<S>(Pin<Box<S>>);

impl<S, B, E> Stream for MapChunks<S>
where
    S: Stream<Item = Result<B, E>>,
    B: Into<Bytes>,
    E: Into<BoxError>,
{
    type Item = Result<Bytes, BoxError>;

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        let item = self.0.as_mut().poll_next(cx);
        item.map(|item| item.map(|chunk| chunk.map(Into::into).map_err(Into::into)))
    }
}

impl From<Bytes> for Binary {
    fn from(bytes: Bytes) -> Self {
        Binary(Repr::Memory(bytes))
    }
}

impl From<Vec<u8>> for Binary {
    fn from(bytes: Vec<u8>) -> Self {
        Binary(Repr::Memory(bytes.into()))
    }
}

impl From<&'static [u8]> for Binary {
    fn from(bytes: &'static [u8]) -> Self {
        Binary(Repr::Memory(Bytes::from_static(bytes)))
    }
}

impl PartialEq for Binary {
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (Repr::Memory(a), Repr::Memory(b)) => a == b,
            (Repr::File(a), Repr::File(b)) => a == b,
            (Repr::Stream(a), Repr::Stream(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl Eq for Binary {}

impl fmt::Debug for Binary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Memory(bytes) => write!(f, "Binary({} bytes)", bytes.len()),
            Repr::File(path) => write!(f, "Binary(file {})", path.display()),
            Repr::Stream(_) => f.write_str("Binary(stream)"),
        }
    }
}

impl Serialize for Binary {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.in_memory() {
            Some(bytes) => serializer.serialize_str(&String::from_utf8_lossy(bytes)),
            None => Err(serde::ser::Error::custom(
                "a Binary read from a file or a stream cannot travel inside a JSON document",
            )),
        }
    }
}

impl<'de> Deserialize<'de> for Binary {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|text| Binary::from(text.into_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_the_length_only() {
        assert_eq!(format!("{:?}", Binary::from(b"secret".as_slice())), "Binary(6 bytes)");
        assert_eq!(format!("{:?}", Binary::from_file("/tmp/x.bin")), "Binary(file /tmp/x.bin)");
    }

    #[test]
    fn in_json_it_is_text() {
        let json = serde_json::to_string(&Binary::from(b"a\"b".to_vec())).unwrap();
        assert_eq!(json, r#""a\"b""#);
        assert_eq!(serde_json::from_str::<Binary>(&json).unwrap().as_bytes(), b"a\"b");
        let refused = serde_json::to_string(&Binary::from_file("/tmp/x.bin")).unwrap_err();
        assert!(refused.to_string().contains("cannot travel inside a JSON document"), "{refused}");
    }

    #[tokio::test]
    async fn a_stream_is_sent_once_and_a_file_that_is_missing_is_named() {
        let chunks = [Ok::<_, std::io::Error>(Bytes::from_static(b"a"))];
        let stream = Binary::from_stream(IterStream(chunks.into_iter()));
        let copy = stream.clone();
        assert!(!stream.resendable() && copy == stream);
        assert!(stream.open::<()>().is_ok());
        let again = copy.open::<()>().unwrap_err().to_string();
        assert!(again.contains("cannot be sent again"), "{again}");
        let missing = Binary::from_file("/nonexistent/upload.bin").open::<()>().unwrap_err();
        assert!(
            missing.to_string().starts_with("the file `/nonexistent/upload.bin` could not be used"),
            "{missing}"
        );
    }

    struct IterStream<I>(I);

    impl<I: Iterator + Unpin> Stream for IterStream<I> {
        type Item = I::Item;

        fn poll_next(
            mut self: Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<I::Item>> {
            std::task::Poll::Ready(self.0.next())
        }
    }
}
