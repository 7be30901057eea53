//! Store ids: opaque text, kept exactly as written, within a few rules that
//! keep them safe to store, log and open in a spreadsheet.

/// A store id shared by the rows of one store: a business-hours file names
/// each store on up to a dozen rows, and one allocation for all of them
/// keeps 10× the real file (900 thousand rows) some 40 MiB smaller.
pub type SharedId = std::sync::Arc<str>;

/// The longest store id accepted, in bytes (real ids are 19 digits or a
/// 36-character UUID).
pub const MAX_STORE_ID_BYTES: usize = 128;

/// A store id that passed the rules of [`check_store_id`], parsed once where
/// it comes in (a scope, a request's path, a deletion) and carried as this.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StoreId(String);

impl StoreId {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl std::str::FromStr for StoreId {
    type Err = StoreIdError;

    fn from_str(text: &str) -> Result<StoreId, StoreIdError> {
        check_store_id(text).map(|id| StoreId(id.to_string()))
    }
}

impl std::fmt::Display for StoreId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::ops::Deref for StoreId {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for StoreId {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl AsRef<str> for StoreId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for StoreId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

/// Why a text is not a store id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreIdError {
    #[error("is empty")]
    Empty,
    #[error("is {0} bytes long; a store id has at most {MAX_STORE_ID_BYTES}")]
    TooLong(usize),
    #[error("{0:?} contains a control character")]
    Control(String),
    #[error(
        "{text:?} contains the invisible character U+{code:04X}, which would let this id look like another"
    )]
    Invisible { text: String, code: u32 },
    #[error("{text:?} starts with \"{first}\", which makes a spreadsheet read it as a formula")]
    Formula { text: String, first: char },
}

/// Checks a store id: not empty, at most [`MAX_STORE_ID_BYTES`] bytes, no
/// control characters, no invisible ones, and not starting with `=`, `+`,
/// `-` or `@` (a cell starting so is a formula when the report CSV is
/// opened in a spreadsheet). For the ingest's rows, which keep the text
/// where it is; elsewhere parse a [`StoreId`].
pub fn check_store_id(text: &str) -> Result<&str, StoreIdError> {
    if text.is_empty() {
        return Err(StoreIdError::Empty);
    }
    if text.len() > MAX_STORE_ID_BYTES {
        return Err(StoreIdError::TooLong(text.len()));
    }
    if text.chars().any(char::is_control) {
        return Err(StoreIdError::Control(text.to_string()));
    }
    if let Some(c) = text.chars().find(|&c| is_invisible(c)) {
        return Err(StoreIdError::Invisible {
            text: text.to_string(),
            code: u32::from(c),
        });
    }
    if let Some(first) = text
        .chars()
        .next()
        .filter(|c| ['=', '+', '-', '@'].contains(c))
    {
        return Err(StoreIdError::Formula {
            text: text.to_string(),
            first,
        });
    }
    Ok(text)
}

/// Characters that show as nothing, or as a plain space, or that reorder
/// the text around them: Unicode's format characters (category Cf: the
/// byte-order mark, zero-width spaces and joiners, the bidirectional
/// overrides and isolates, soft hyphens, tags), the other spaces (ASCII's
/// space is kept: real ids have none, but it is not mistaken for anything),
/// line and paragraph separators, variation selectors, the combining
/// grapheme joiner and the Hangul fillers. Two ids that differ only in these
/// look the same on every page and in the CSV.
fn is_invisible(c: char) -> bool {
    matches!(
        u32::from(c),
        // Cf, Unicode 16.
        0x00AD
            | 0x0600..=0x0605
            | 0x061C
            | 0x06DD
            | 0x070F
            | 0x0890..=0x0891
            | 0x08E2
            | 0x180E
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
            // Spaces other than ASCII's (Zs), line and paragraph separators.
            | 0x00A0
            | 0x1680
            | 0x2000..=0x200A
            | 0x2028..=0x2029
            | 0x202F
            | 0x205F
            | 0x3000
            // Invisible marks and fillers.
            | 0x034F
            | 0x115F..=0x1160
            | 0x17B4..=0x17B5
            | 0x2800
            | 0x3164
            | 0xFE00..=0xFE0F
            | 0xFFA0
            | 0xE0100..=0xE01EF
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_ids_pass_and_unsafe_ones_do_not() {
        for good in [
            "8419537941919820732",
            "b5d0a65d-6d54-47aa-95e9-9312f0353326",
            "store 7",
            "ä",
        ] {
            assert_eq!(check_store_id(good).unwrap(), good);
            assert_eq!(good.parse::<StoreId>().unwrap().as_str(), good);
        }
        let long = "x".repeat(129);
        for (bad, why) in [
            ("", "is empty"),
            (long.as_str(), "is 129 bytes long"),
            ("a\u{7}b", "control character"),
            ("a\nb", "control character"),
            ("=cmd()", "formula"),
            ("+1", "formula"),
            ("-1", "formula"),
            ("@sum", "formula"),
            ("84\u{feff}19", "U+FEFF"),
            ("\u{202e}2378", "U+202E"),
            ("12\u{200b}34", "U+200B"),
            ("12\u{00a0}34", "U+00A0"),
            ("a\u{2066}b\u{2069}", "U+2066"),
            ("e\u{fe0f}", "U+FE0F"),
        ] {
            let err = check_store_id(bad).unwrap_err().to_string();
            assert!(err.contains(why), "{bad:?}: {err}");
            assert!(bad.parse::<StoreId>().is_err());
        }
    }
}
