//! Store ids: opaque text, kept exactly as written, within a few rules that
//! keep them safe to store, log and open in a spreadsheet.

/// A store id shared by the rows of one store: a business-hours file names
/// each store on up to a dozen rows, and one allocation for all of them
/// keeps 10× the real file (900 thousand rows) some 40 MiB smaller.
pub type SharedId = std::sync::Arc<str>;

/// The longest store id accepted, in bytes (real ids are 19 digits or a
/// 36-character UUID).
pub const MAX_STORE_ID_BYTES: usize = 128;

/// Checks a store id: not empty, at most [`MAX_STORE_ID_BYTES`] bytes, no
/// control characters, and not starting with `=`, `+`, `-` or `@` (a cell
/// starting so is a formula when the report CSV is opened in a spreadsheet).
pub fn parse_store_id(text: &str) -> Result<&str, String> {
    if text.is_empty() {
        return Err("is empty".to_string());
    }
    if text.len() > MAX_STORE_ID_BYTES {
        return Err(format!(
            "is {} bytes long; a store id has at most {MAX_STORE_ID_BYTES}",
            text.len()
        ));
    }
    if text.chars().any(char::is_control) {
        return Err(format!("{text:?} contains a control character"));
    }
    if let Some(c) = text.chars().find(|&c| is_invisible(c)) {
        return Err(format!(
            "{text:?} contains the invisible character U+{:04X}, which would let this id look like another",
            u32::from(c)
        ));
    }
    if text.starts_with(['=', '+', '-', '@']) {
        return Err(format!(
            "{text:?} starts with {:?}, which makes a spreadsheet read it as a formula",
            &text[..1]
        ));
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
            assert_eq!(parse_store_id(good).unwrap(), good);
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
            let err = parse_store_id(bad).unwrap_err();
            assert!(err.contains(why), "{bad:?}: {err}");
        }
    }
}
