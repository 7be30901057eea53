//! Store ids: opaque text, kept exactly as written, within a few rules that
//! keep them safe to store, log and open in a spreadsheet.

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
    if text.starts_with(['=', '+', '-', '@']) {
        return Err(format!(
            "{text:?} starts with {:?}, which makes a spreadsheet read it as a formula",
            &text[..1]
        ));
    }
    Ok(text)
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
        ] {
            let err = parse_store_id(bad).unwrap_err();
            assert!(err.contains(why), "{bad:?}: {err}");
        }
    }
}
