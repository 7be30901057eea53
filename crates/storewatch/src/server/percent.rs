//! Percent-encoding for the URLs pages and redirects write.

/// `text` percent-encoded for a URL: a path segment, or with `keep_slash`
/// a whole path (as a query value).
pub fn percent_encode(text: &str, keep_slash: bool) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b'/' if keep_slash => "/".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
