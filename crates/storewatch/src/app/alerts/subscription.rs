//! A new alert subscription, parsed once at the edge (HTTP body or command
//! line) and stored with its secret sealed.

use std::str::FromStr;

use storewatch_core::domain::{MICROS_PER_SECOND, Micros};
use storewatch_db::alerts::Subscription;
use storewatch_db::{Database, DbError, Scope};

use super::secrets::AlertKey;
use super::target::{MAX_URL_BYTES, TargetError, WebhookUrl};

/// How long a store is offline before it is alerted, unless given.
pub const DEFAULT_AFTER: Micros = 30 * 60 * MICROS_PER_SECOND;
/// The longest delay: a status reaches a week back at most.
pub const MAX_AFTER: Micros = 7 * 86_400 * MICROS_PER_SECOND;
pub const MAX_SECRET_BYTES: usize = 1024;
/// Subscriptions at most: each one multiplies the events of a change.
pub const MAX_SUBSCRIPTIONS: usize = 100;

/// A secret to sign with: not empty, at most [`MAX_SECRET_BYTES`].
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl FromStr for Secret {
    type Err = String;

    fn from_str(text: &str) -> Result<Secret, String> {
        if text.is_empty() {
            return Err("secret: must not be empty".into());
        }
        if text.len() > MAX_SECRET_BYTES {
            return Err(format!("secret: at most {MAX_SECRET_BYTES} bytes"));
        }
        Ok(Secret(text.to_string()))
    }
}

/// The delay `after`: a duration like `30m`, `1h`, `90s`, `1h30m`, `1d` or
/// `PT30M`, from 0 to 7 days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct After(pub Micros);

impl FromStr for After {
    type Err = String;

    fn from_str(text: &str) -> Result<After, String> {
        let bad =
            |e: String| format!("after: {text:?} is not a duration like 30m, 1h or 90s ({e})");
        let span: jiff::Span = text
            .trim()
            .parse()
            .map_err(|e: jiff::Error| bad(e.to_string()))?;
        // A day is 24 hours here: a delay, not a calendar step.
        let seconds = span
            .total((
                jiff::Unit::Second,
                jiff::SpanRelativeTo::days_are_24_hours(),
            ))
            .map_err(|e| bad(e.to_string()))?;
        let micros = (seconds * 1e6).round() as i64;
        if !(0..=MAX_AFTER).contains(&micros) {
            return Err(format!(
                "after: {text:?} is out of range: from 0s to 7 days (168h)"
            ));
        }
        Ok(After(micros))
    }
}

/// A subscription to create.
#[derive(Debug, Clone)]
pub struct NewSubscription {
    pub url: WebhookUrl,
    pub secret: Secret,
    /// Only these stores, or every store.
    pub stores: Option<Scope>,
    pub after: After,
}

impl NewSubscription {
    /// Parses each part, naming the first that is wrong.
    pub fn parse(
        url: &str,
        secret: &str,
        stores: Option<&[String]>,
        after: Option<&str>,
    ) -> Result<NewSubscription, String> {
        if url.len() > MAX_URL_BYTES {
            return Err(format!("url: at most {MAX_URL_BYTES} bytes"));
        }
        let url = url.parse::<WebhookUrl>().map_err(|e| e.to_string())?;
        let stores = stores
            .map(|ids| Scope::new(ids).map_err(|e| format!("stores: {e}")))
            .transpose()?;
        Ok(NewSubscription {
            url,
            secret: secret.parse()?,
            stores,
            after: after
                .map(str::parse)
                .transpose()?
                .unwrap_or(After(DEFAULT_AFTER)),
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    /// The URL is refused (a private address) or does not resolve.
    #[error(transparent)]
    Target(#[from] TargetError),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("could not draw random bytes: {0}")]
    Random(#[from] getrandom::Error),
    #[error("at most {MAX_SUBSCRIPTIONS} alert subscriptions: remove one first")]
    TooMany,
}

/// Checks where `new` sends (refused if any address of its host is not
/// public, unless `allow_private`) and stores it, its secret sealed with
/// `key`. Returns what was stored.
pub async fn create<D: Database>(
    db: &D,
    key: &AlertKey,
    new: NewSubscription,
    allow_private: bool,
    now: Micros,
) -> Result<Subscription, CreateError> {
    if db.subscriptions().await?.len() >= MAX_SUBSCRIPTIONS {
        return Err(CreateError::TooMany);
    }
    new.url.resolve(allow_private).await?;
    let id = crate::clock::random_id()?;
    let subscription = Subscription {
        sealed_secret: key.seal(&id, &new.secret.0)?,
        id,
        url: new.url.as_str().to_string(),
        stores: new.stores.map(|s| {
            s.stores()
                .iter()
                .map(|id| id.as_str().to_string())
                .collect()
        }),
        after: new.after.0,
        created_at: now,
    };
    db.create_subscription(&subscription).await?;
    Ok(subscription)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_part_is_checked_and_named() {
        let ok = NewSubscription::parse("https://example.com/hook", "s", None, None).unwrap();
        assert_eq!(ok.after, After(DEFAULT_AFTER));
        for (url, secret, after, expect) in [
            ("ftp://example.com", "s", None, "only http and https"),
            ("https://example.com", "", None, "secret: must not be empty"),
            ("https://example.com", "s", Some("soon"), "after: \"soon\""),
            ("https://example.com", "s", Some("8d"), "out of range"),
            ("https://example.com", "s", Some("-5m"), "out of range"),
            ("https://example.com", "s", Some("1y"), "after: \"1y\""),
        ] {
            let err = NewSubscription::parse(url, secret, None, after).unwrap_err();
            assert!(err.contains(expect), "{url} {after:?}: {err}");
        }
        let stores = ["b".to_string(), "a".to_string(), "a".to_string()];
        let s = NewSubscription::parse("http://example.com", "s", Some(&stores), Some("1h30m"))
            .unwrap();
        assert_eq!(s.after, After(90 * 60 * MICROS_PER_SECOND));
        assert_eq!("1d".parse::<After>(), Ok(After(86_400 * MICROS_PER_SECOND)));
        assert_eq!(s.stores.unwrap().stores().len(), 2);
        let err = NewSubscription::parse("http://example.com", "s", Some(&[]), None).unwrap_err();
        assert!(err.contains("stores:"), "{err}");
    }
}
