use jiff::tz::TimeZone;

/// The zone of a store that has no time-zone row (SPEC section 1).
pub const DEFAULT_ZONE: &str = "America/Chicago";

/// Names in the zone database that are not zones a store can be in: the
/// host's own zone and files of the database's machinery.
const NOT_ZONES: [&str; 3] = ["localtime", "posixrules", "factory"];

/// A name that is not a time zone a store can be in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ZoneError {
    #[error("time zone is empty")]
    Empty,
    #[error("{0:?} is not a known IANA time zone")]
    Unknown(String),
}

/// Checks that `name` is an IANA time zone (matched without regard to case),
/// returning the zone; its canonical spelling is `tz.iana_name()`.
pub fn validate_zone(name: &str) -> Result<TimeZone, ZoneError> {
    if name.is_empty() {
        return Err(ZoneError::Empty);
    }
    let lower = name.to_ascii_lowercase();
    let host_dependent = NOT_ZONES.contains(&lower.as_str())
        || lower.starts_with("posix/")
        || lower.starts_with("right/");
    let unknown = || ZoneError::Unknown(name.to_string());
    if host_dependent {
        return Err(unknown());
    }
    let tz = TimeZone::get(name).map_err(|_| unknown())?;
    if tz.iana_name().is_none() {
        return Err(unknown());
    }
    Ok(tz)
}

/// The canonical spelling of a valid zone name (`america/new_york` →
/// `America/New_York`).
pub fn canonical_zone(name: &str) -> Result<String, ZoneError> {
    let tz = validate_zone(name)?;
    Ok(tz.iana_name().unwrap_or(name).to_string())
}

/// The zone a store's business hours are in: its own, else [`DEFAULT_ZONE`].
pub fn resolve_zone(name: Option<&str>) -> Result<TimeZone, ZoneError> {
    validate_zone(name.unwrap_or(DEFAULT_ZONE))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_real_zones_and_rejects_others() {
        assert!(validate_zone("America/New_York").is_ok());
        assert!(validate_zone("Asia/Kolkata").is_ok());
        assert_eq!(
            validate_zone("America/Gotham").unwrap_err().to_string(),
            "\"America/Gotham\" is not a known IANA time zone"
        );
        assert!(validate_zone("").is_err());
        for host in [
            "localtime",
            "posixrules",
            "Factory",
            "posix/America/New_York",
        ] {
            assert!(validate_zone(host).is_err(), "{host}");
        }
        assert_eq!(
            canonical_zone("america/new_york").unwrap(),
            "America/New_York"
        );
    }

    #[test]
    fn a_missing_zone_is_chicago() {
        let tz = resolve_zone(None).unwrap();
        assert_eq!(tz.iana_name(), Some("America/Chicago"));
    }
}
