//! The database URLs the SQLite backend takes: `sqlite://file.db`,
//! `sqlite:///abs/path.db`, `sqlite:file.db`, `sqlite::memory:`, with an
//! optional `?mode=ro|rw|rwc|memory` as SQLite's own URIs have it.

use std::path::PathBuf;

use storewatch_db::DbError;

use crate::pool::Target;

/// Where `url` points. `create`: whether a missing file may be made (the
/// URL's `mode` may forbid it).
pub(crate) fn target(url: &str, create: bool) -> Result<Target, DbError> {
    let bad = |reason: &str| DbError::BadUrl {
        url: url.to_string(),
        reason: reason.to_string(),
    };
    let rest = url
        .strip_prefix("sqlite:")
        .ok_or_else(|| bad("a SQLite URL starts with sqlite:"))?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let mut mode = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("mode", m @ ("ro" | "rw" | "rwc" | "memory"))) => mode = Some(m),
            Some(("mode", _)) => return Err(bad("mode is one of ro, rw, rwc, memory")),
            _ => {
                return Err(bad(&format!(
                    "unknown parameter {pair:?} (only mode is taken)"
                )));
            }
        }
    }
    if path == ":memory:" || mode == Some("memory") {
        return Ok(Target::Memory);
    }
    if path.is_empty() {
        return Err(bad("no file named"));
    }
    Ok(Target::File {
        path: PathBuf::from(path),
        create: create && matches!(mode, None | Some("rwc")),
        read_only: mode == Some("ro"),
    })
}

#[cfg(test)]
mod tests {
    use super::target;
    use crate::pool::Target;

    #[test]
    fn the_forms_of_a_url() {
        let file = |p: &str, create, read_only| Target::File {
            path: p.into(),
            create,
            read_only,
        };
        assert_eq!(
            target("sqlite://a.db", true).unwrap(),
            file("a.db", true, false)
        );
        assert_eq!(
            target("sqlite:///x/a.db", true).unwrap(),
            file("/x/a.db", true, false)
        );
        assert_eq!(
            target("sqlite:a.db", false).unwrap(),
            file("a.db", false, false)
        );
        assert_eq!(
            target("sqlite://a.db?mode=rwc", true).unwrap(),
            file("a.db", true, false)
        );
        assert_eq!(
            target("sqlite://a.db?mode=rw", true).unwrap(),
            file("a.db", false, false)
        );
        assert_eq!(
            target("sqlite://a.db?mode=ro", true).unwrap(),
            file("a.db", false, true)
        );
        assert_eq!(target("sqlite::memory:", true).unwrap(), Target::Memory);
        for bad in [
            "postgres://x",
            "sqlite://",
            "sqlite://a.db?cache=shared",
            "sqlite://a?mode=x",
        ] {
            assert!(target(bad, true).is_err(), "{bad}");
        }
    }
}
