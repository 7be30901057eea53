use jiff::tz::TimeZone;

/// The zone of a store that has no time-zone row (SPEC section 1).
pub const DEFAULT_ZONE: &str = "America/Chicago";

/// Checks that `name` is an IANA time zone this build knows, returning the zone.
pub fn validate_zone(name: &str) -> Result<TimeZone, String> {
    if name.is_empty() {
        return Err("time zone is empty".to_string());
    }
    TimeZone::get(name).map_err(|_| format!("{name:?} is not a known IANA time zone"))
}

/// The zone a store's business hours are in: its own, else [`DEFAULT_ZONE`].
pub fn resolve_zone(name: Option<&str>) -> Result<TimeZone, String> {
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
            validate_zone("America/Gotham").unwrap_err(),
            "\"America/Gotham\" is not a known IANA time zone"
        );
        assert!(validate_zone("").is_err());
    }

    #[test]
    fn a_missing_zone_is_chicago() {
        let tz = resolve_zone(None).unwrap();
        assert_eq!(tz.iana_name(), Some("America/Chicago"));
    }
}
