//! Opening a source: plain or gzip-compressed, with or without a UTF-8 BOM.

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::Path;

use flate2::bufread::MultiGzDecoder;

/// A source's bytes, decompressed and without a byte-order mark.
pub struct Source {
    /// How errors name the file: the path as the user gave it.
    pub label: String,
    pub reader: Box<dyn BufRead + Send>,
}

const BUFFER: usize = 256 * 1024;

/// Opens a file. Gzip is recognised by its magic bytes, so `.csv.gz` works
/// whatever the name says.
pub fn open_path(path: &Path) -> io::Result<Source> {
    let file = File::open(path)?;
    Ok(Source {
        label: path.display().to_string(),
        reader: wrap(BufReader::with_capacity(BUFFER, file))?,
    })
}

/// A source from bytes already in memory (an HTTP body).
pub fn reader_from_bytes(label: &str, bytes: Vec<u8>) -> io::Result<Source> {
    Ok(Source {
        label: label.to_string(),
        reader: wrap(io::Cursor::new(bytes))?,
    })
}

fn wrap<R: BufRead + Send + 'static>(mut inner: R) -> io::Result<Box<dyn BufRead + Send>> {
    let head = inner.fill_buf()?;
    if head.starts_with(&[0x1f, 0x8b]) {
        let decoded = BufReader::with_capacity(BUFFER, MultiGzDecoder::new(inner));
        return skip_bom(decoded);
    }
    skip_bom(inner)
}

fn skip_bom<R: BufRead + Send + 'static>(mut inner: R) -> io::Result<Box<dyn BufRead + Send>> {
    const BOM: &[u8] = b"\xEF\xBB\xBF";
    let head = inner.fill_buf()?;
    if head.starts_with(BOM) {
        inner.consume(BOM.len());
    }
    Ok(Box::new(inner))
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::GzEncoder;
    use std::io::{Read, Write};

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
    fn empty_input_is_empty() {
        assert_eq!(read_all(reader_from_bytes("x", Vec::new()).unwrap()), "");
    }
}
