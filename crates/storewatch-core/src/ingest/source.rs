//! Opening a source: plain or gzip-compressed, with or without a UTF-8 BOM.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::sync::mpsc;

use flate2::bufread::MultiGzDecoder;

/// A source's bytes, decompressed and without a byte-order mark.
pub struct Source {
    /// How errors name the file: the path as the user gave it.
    pub label: String,
    pub reader: Box<dyn BufRead + Send>,
    /// Called with every row lenient mode skips, beyond the first
    /// [`MAX_KEPT_SKIPPED`](super::MAX_KEPT_SKIPPED) kept in memory too:
    /// where the command line writes its full rejected-rows file.
    pub on_skipped: Option<SkippedSink>,
}

/// Takes the rows lenient mode skips, as they are found.
pub type SkippedSink = Box<dyn FnMut(&super::RowError) -> io::Result<()> + Send>;

impl Source {
    /// The same source, handing each skipped row to `sink` as well.
    pub fn with_skipped_sink(self, sink: SkippedSink) -> Source {
        Source {
            on_skipped: Some(sink),
            ..self
        }
    }
}

const BUFFER: usize = 256 * 1024;

/// Opens a file. Gzip is recognised by its magic bytes, so `.csv.gz` works
/// whatever the name says.
pub fn open_path(path: &Path) -> io::Result<Source> {
    let file = File::open(path)?;
    reader_from(&path.display().to_string(), file)
}

/// A source read from `inner` (a file, or a reader that hashes what passes).
pub fn reader_from<R: Read + Send + 'static>(label: &str, inner: R) -> io::Result<Source> {
    reader_from_limited(label, inner, u64::MAX)
}

/// Like [`reader_from`], but gzip content may inflate to at most
/// `max_inflated` bytes: past that, reading fails with
/// [`io::ErrorKind::FileTooLarge`] (a small compressed body must not turn
/// into gigabytes).
pub fn reader_from_limited<R: Read + Send + 'static>(
    label: &str,
    inner: R,
    max_inflated: u64,
) -> io::Result<Source> {
    Ok(Source {
        label: label.to_string(),
        reader: wrap(inner, max_inflated)?,
        on_skipped: None,
    })
}

/// A source from bytes already in memory (an HTTP body).
pub fn reader_from_bytes(label: &str, bytes: Vec<u8>) -> io::Result<Source> {
    reader_from_bytes_limited(label, bytes, u64::MAX)
}

/// Like [`reader_from_bytes`], with gzip content inflating to at most
/// `max_inflated` bytes (see [`reader_from_limited`]).
pub fn reader_from_bytes_limited(
    label: &str,
    bytes: Vec<u8>,
    max_inflated: u64,
) -> io::Result<Source> {
    Ok(Source {
        label: label.to_string(),
        reader: wrap(io::Cursor::new(bytes), max_inflated)?,
        on_skipped: None,
    })
}

fn wrap<R: Read + Send + 'static>(
    inner: R,
    max_inflated: u64,
) -> io::Result<Box<dyn BufRead + Send>> {
    let (head, inner) = peek(inner, BOM.len())?;
    if head.get_ref().starts_with(&[0x1f, 0x8b]) {
        // Inflating is a third of the work of reading the real polls file;
        // on its own thread it overlaps with CSV parsing.
        let decoded = Capped {
            inner: MultiGzDecoder::new(BufReader::with_capacity(BUFFER, head.chain(inner))),
            left: max_inflated,
        };
        let (head, decoded) = peek(BackgroundReader::spawn(decoded), BOM.len())?;
        return Ok(past_bom(head, decoded));
    }
    Ok(past_bom(head, inner))
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The first `n` bytes of `inner` (fewer only at its end), read ahead to look
/// at, and the rest: a body may arrive a byte at a time, so one read is not
/// enough.
fn peek<R: Read>(mut inner: R, n: usize) -> io::Result<(io::Cursor<Vec<u8>>, R)> {
    let mut head = vec![0; n];
    let mut filled = 0;
    while filled < n {
        match inner.read(&mut head[filled..]) {
            Ok(0) => break,
            Ok(k) => filled += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    head.truncate(filled);
    Ok((io::Cursor::new(head), inner))
}

/// The peeked head and the rest as one buffered reader, past a byte-order
/// mark if the head is one.
fn past_bom<R: Read + Send + 'static>(
    mut head: io::Cursor<Vec<u8>>,
    rest: R,
) -> Box<dyn BufRead + Send> {
    if head.get_ref().as_slice() == BOM {
        head.set_position(BOM.len() as u64);
    }
    Box::new(BufReader::with_capacity(BUFFER, head.chain(rest)))
}

/// A reader that fails once more than its allowance has come through.
struct Capped<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        match self.left.checked_sub(n as u64) {
            Some(left) => {
                self.left = left;
                Ok(n)
            }
            None => Err(io::Error::new(
                io::ErrorKind::FileTooLarge,
                "the compressed content inflates beyond the allowed size",
            )),
        }
    }
}

/// Reads `inner` on a separate thread, handing over chunks through a small
/// bounded queue.
struct BackgroundReader {
    chunks: mpsc::Receiver<io::Result<Vec<u8>>>,
    current: Vec<u8>,
    at: usize,
}

impl BackgroundReader {
    fn spawn<R: Read + Send + 'static>(mut inner: R) -> BackgroundReader {
        let (tx, rx) = mpsc::sync_channel(4);
        std::thread::spawn(move || {
            loop {
                let mut chunk = vec![0; BUFFER];
                let result = read_full(&mut inner, &mut chunk).map(|n| {
                    chunk.truncate(n);
                    chunk
                });
                let last = matches!(&result, Ok(c) if c.is_empty()) || result.is_err();
                // The reader was dropped: nobody wants the rest.
                if tx.send(result).is_err() || last {
                    return;
                }
            }
        });
        BackgroundReader {
            chunks: rx,
            current: Vec::new(),
            at: 0,
        }
    }
}

/// Fills `buf` as far as the input goes (short reads are common from decoders).
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

impl Read for BackgroundReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.at == self.current.len() {
            match self.chunks.recv() {
                Ok(Ok(chunk)) => {
                    self.current = chunk;
                    self.at = 0;
                }
                Ok(Err(e)) => return Err(e),
                Err(_) => return Ok(0),
            }
        }
        let n = out.len().min(self.current.len() - self.at);
        out[..n].copy_from_slice(&self.current[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::GzEncoder;
    use std::io::Write;

    fn read_all(source: Source) -> String {
        let mut s = String::new();
        let mut r = source.reader;
        r.read_to_string(&mut s).unwrap();
        s
    }

    #[test]
    fn strips_a_bom() {
        let src = reader_from_bytes("x.csv", b"\xEF\xBB\xBFstore_id\n".to_vec()).unwrap();
        assert_eq!(read_all(src), "store_id\n");
    }

    #[test]
    fn decompresses_gzip_with_a_bom_inside() {
        let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(b"\xEF\xBB\xBFa,b\n1,2\n").unwrap();
        let src = reader_from_bytes("x.csv.gz", enc.finish().unwrap()).unwrap();
        assert_eq!(read_all(src), "a,b\n1,2\n");
    }

    #[test]
    fn large_gzip_input_arrives_whole_and_in_order() {
        let text: String = (0..200_000).map(|i| format!("{i}\n")).collect();
        let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(text.as_bytes()).unwrap();
        let src = reader_from_bytes("big.csv.gz", enc.finish().unwrap()).unwrap();
        assert_eq!(read_all(src), text);
    }

    #[test]
    fn corrupt_gzip_is_an_error_not_a_short_file() {
        let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&[b'x'; 100_000]).unwrap();
        let mut bytes = enc.finish().unwrap();
        let mid = bytes.len() / 2;
        bytes[mid..mid + 8].copy_from_slice(b"garbage!");
        // The damage may show when the file is opened (the first chunk is read
        // to look for a BOM) or later while reading; either way it is an error.
        let mut s = Vec::new();
        let result = reader_from_bytes("bad.csv.gz", bytes).and_then(|src| {
            let mut r = src.reader;
            r.read_to_end(&mut s)
        });
        assert!(result.is_err(), "read {} bytes without an error", s.len());
    }

    #[test]
    fn a_gzip_bomb_stops_at_the_cap() {
        let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&vec![b'a'; 10_000_000]).unwrap();
        let bytes = enc.finish().unwrap();
        assert!(bytes.len() < 100_000);
        let mut out = Vec::new();
        let result = reader_from_bytes_limited("bomb.gz", bytes.clone(), 1_000_000)
            .and_then(|src| src.reader.take(20_000_000).read_to_end(&mut out));
        let err = result.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::FileTooLarge);
        assert!(out.len() <= 1_000_000 + BUFFER);
        // Under the cap it reads whole.
        let src = reader_from_bytes_limited("ok.gz", bytes, 10_000_000).unwrap();
        assert_eq!(read_all(src).len(), 10_000_000);
    }

    /// A reader handing out one byte per call, as a body may arrive.
    struct Trickle(io::Cursor<Vec<u8>>);

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(1);
            self.0.read(&mut buf[..n])
        }
    }

    #[test]
    fn gzip_and_a_bom_are_recognised_when_bytes_come_one_at_a_time() {
        let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(b"\xEF\xBB\xBFa,b\n1,2\n").unwrap();
        let gz = enc.finish().unwrap();
        let src = reader_from("t.gz", Trickle(io::Cursor::new(gz))).unwrap();
        assert_eq!(read_all(src), "a,b\n1,2\n");
        let plain = b"\xEF\xBB\xBFa,b\n".to_vec();
        let src = reader_from("t.csv", Trickle(io::Cursor::new(plain))).unwrap();
        assert_eq!(read_all(src), "a,b\n");
        // Shorter than the head looked at.
        let src = reader_from("t.csv", Trickle(io::Cursor::new(b"a".to_vec()))).unwrap();
        assert_eq!(read_all(src), "a");
    }

    #[test]
    fn empty_input_is_empty() {
        assert_eq!(read_all(reader_from_bytes("x", Vec::new()).unwrap()), "");
    }
}
