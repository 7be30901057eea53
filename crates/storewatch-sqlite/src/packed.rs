//! The text SQLite packs report data into, and its parser.
//!
//! sqlx hands every result row from SQLite's worker thread to the async side
//! one at a time, and that hand-over, not SQLite, dominated reports with one
//! row per store. So the report queries let SQLite concatenate many stores
//! into one row (`group_concat`, in C) and Rust splits it again here.
//!
//! A store id is opaque text and may contain any character, so text fields
//! are length-prefixed in bytes: `<len>:<bytes>`. Numbers are decimal. Each
//! record ends with `;`.

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
    pub fn new(text: &'a str) -> Cursor<'a> {
        Cursor::from_bytes(text.as_bytes())
    }

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

    /// A length-prefixed text field: `<len>:<bytes>`.
    pub fn text(&mut self) -> Result<&'a str, DbError> {
        let len = usize::try_from(self.int()?).map_err(|_| corrupt())?;
        self.expect(b':')?;
        std::str::from_utf8(self.take(len)?).map_err(|_| corrupt())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_length_prefixed_text_with_any_characters() {
        let mut c = Cursor::new("5:a;b,c-12,3;0:;");
        assert_eq!(c.text().unwrap(), "a;b,c");
        assert_eq!(c.int().unwrap(), -12);
        c.expect(b',').unwrap();
        assert_eq!(c.int().unwrap(), 3);
        c.expect(b';').unwrap();
        assert_eq!(c.text().unwrap(), "");
        c.expect(b';').unwrap();
        assert!(c.at_end());
    }

    #[test]
    fn multibyte_ids_are_measured_in_bytes() {
        // Four bytes end inside the é: not valid UTF-8, so not a silent mis-split.
        assert!(Cursor::new("4:café;").text().is_err());
        let mut c = Cursor::new("5:café;");
        assert_eq!(c.text().unwrap(), "café");
    }

    #[test]
    fn rejects_truncated_or_garbled_input() {
        assert!(Cursor::new("9:abc").text().is_err());
        assert!(Cursor::new("x:abc").text().is_err());
        assert!(Cursor::new("").int().is_err());
        assert!(Cursor::new("99999999999999999999").int().is_err());
    }
}
