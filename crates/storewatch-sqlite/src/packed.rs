//! The text SQLite packs an ingest's stored days into, and its parser.
//!
//! sqlx hands every result row from SQLite's worker thread to the async side
//! one at a time, and that hand-over, not SQLite, dominated reads of many
//! small rows. So the ingest's read of the days it merges into lets SQLite
//! concatenate them into one row (`group_concat`, in C) and Rust splits it
//! again here. (A report's read goes through SQLite's C API instead, on a
//! blocking thread: report_read.rs.)
//!
//! Numbers are decimal, arrays length-prefixed in bytes (`<len>:<bytes>`),
//! and each record ends with `;`.

use storewatch_db::DbError;

pub struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

pub fn corrupt() -> DbError {
    DbError::backend(std::io::Error::other(
        "unreadable packed report data from SQLite",
    ))
}

impl<'a> Cursor<'a> {
    /// Over bytes that may hold raw binary fields (see [`Cursor::take`]).
    pub fn from_bytes(bytes: &'a [u8]) -> Cursor<'a> {
        Cursor { bytes, at: 0 }
    }

    /// The next `len` bytes, as they are.
    pub fn take(&mut self, len: usize) -> Result<&'a [u8], DbError> {
        let end = self
            .at
            .checked_add(len)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(corrupt)?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    pub fn at_end(&self) -> bool {
        self.at >= self.bytes.len()
    }

    /// The next byte, if it is `b`, consumed.
    pub fn eat(&mut self, b: u8) -> bool {
        if self.bytes.get(self.at) == Some(&b) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    pub fn expect(&mut self, b: u8) -> Result<(), DbError> {
        if self.eat(b) { Ok(()) } else { Err(corrupt()) }
    }

    /// A decimal integer, possibly negative.
    pub fn int(&mut self) -> Result<i64, DbError> {
        let negative = self.eat(b'-');
        let start = self.at;
        let mut n: i64 = 0;
        while let Some(d) = self.bytes.get(self.at).filter(|d| d.is_ascii_digit()) {
            n = n
                .checked_mul(10)
                .and_then(|n| n.checked_add(i64::from(d - b'0')))
                .ok_or_else(corrupt)?;
            self.at += 1;
        }
        if self.at == start {
            return Err(corrupt());
        }
        Ok(if negative { -n } else { n })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_numbers_and_length_prefixed_bytes() {
        let mut c = Cursor::from_bytes(b"-12,3:a;b;");
        assert_eq!(c.int().unwrap(), -12);
        c.expect(b',').unwrap();
        assert_eq!(c.int().unwrap(), 3);
        c.expect(b':').unwrap();
        assert_eq!(c.take(3).unwrap(), b"a;b");
        c.expect(b';').unwrap();
        assert!(c.at_end());
    }

    #[test]
    fn rejects_truncated_or_garbled_input() {
        assert!(Cursor::from_bytes(b"abc").take(9).is_err());
        assert!(Cursor::from_bytes(b"x:abc").int().is_err());
        assert!(Cursor::from_bytes(b"").int().is_err());
        assert!(Cursor::from_bytes(b"99999999999999999999").int().is_err());
        assert!(Cursor::from_bytes(b"1;").expect(b',').is_err());
    }
}
