//! UTC instants as integer microseconds since the Unix epoch.
//!
//! Polls carry microsecond timestamps and are keyed by them, so an integer keeps
//! every key exact (no float rounding) and makes the report math plain integer
//! arithmetic. The parser is hand-written because it runs 1.8 million times per
//! ingest of the real data and must accept the real form
//! (`2023-01-22 12:09:39.388884 UTC`) as well as RFC 3339.

/// Microseconds since 1970-01-01T00:00:00Z.
pub type Micros = i64;

pub const MICROS_PER_SECOND: Micros = 1_000_000;
pub const MICROS_PER_HOUR: Micros = 3_600 * MICROS_PER_SECOND;

const EXPECTED: &str = "a timestamp like 2023-01-22 12:09:39.388884 UTC or 2023-01-22T12:09:39Z";

/// Parses the timestamp forms of SPEC section 1:
///
/// * `2023-01-22 12:09:39.388884 UTC` (0 to 9 fractional digits; below a
///   microsecond is truncated), also without the ` UTC` suffix (taken as UTC);
/// * RFC 3339: `2023-01-22T12:09:39Z`, `…+00:00`, any other offset converted to UTC.
///
/// Only times from 1970 to 2200 (UTC) are accepted: every zone conversion
/// works there, and a poll dated 9999 is a typo that would otherwise become
/// every default report's time.
pub fn parse_timestamp(text: &str) -> Result<Micros, TimestampError> {
    let t =
        parse(text.trim().as_bytes()).ok_or_else(|| TimestampError::Malformed(text.to_string()))?;
    if !(FIRST_TIMESTAMP..=LAST_TIMESTAMP).contains(&t) {
        return Err(TimestampError::OutOfRange(text.to_string()));
    }
    Ok(t)
}

/// A text that is not a timestamp storewatch takes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimestampError {
    #[error("{0:?} is not {EXPECTED}")]
    Malformed(String),
    #[error("{0:?} is outside the years 1970 to 2200 that storewatch accepts")]
    OutOfRange(String),
}

/// 1970-01-01T00:00:00Z, the first time accepted.
pub const FIRST_TIMESTAMP: Micros = 0;
/// 2200-12-31T23:59:59.999999Z, the last time accepted.
pub const LAST_TIMESTAMP: Micros = days_from_civil(2201, 1, 1) * 86_400 * MICROS_PER_SECOND - 1;

fn parse(b: &[u8]) -> Option<Micros> {
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    // `2023-01-22 12:09:39[.f][ UTC]` as in the data, or RFC 3339
    // `2023-01-22T12:09:39[.f](Z|±HH:MM)` (also without a zone: UTC).
    let rfc3339 = match b[10] {
        b' ' => false,
        b'T' => true,
        _ => return None,
    };
    let year = digits(&b[0..4])?;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    let hour = digits(&b[11..13])?;
    let minute = digits(&b[14..16])?;
    let second = digits(&b[17..19])?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let mut rest = &b[19..];
    let mut micros = 0i64;
    if let Some((b'.', after)) = rest.split_first() {
        let n = after.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 || n > 9 {
            return None;
        }
        let frac = &after[..n];
        for i in 0..6 {
            micros = micros * 10 + frac.get(i).map_or(0, |d| i64::from(d - b'0'));
        }
        rest = &after[n..];
    }
    let offset_seconds = match rest {
        b"" => 0,
        b" UTC" if !rfc3339 => 0,
        b"Z" if rfc3339 => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] if rfc3339 => {
            let hours = digits(&[*h1, *h2])?;
            let minutes = digits(&[*m1, *m2])?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            let magnitude = hours * 3600 + minutes * 60;
            if *sign == b'+' { magnitude } else { -magnitude }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_seconds;
    Some(seconds * MICROS_PER_SECOND + micros)
}

fn digits(b: &[u8]) -> Option<i64> {
    b.iter().try_fold(0i64, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
    })
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
const fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The real data's form, `2023-01-22 12:09:39.388884 UTC` (always six digits).
/// Hand-written for the generator, which formats millions of them.
pub fn format_timestamp_real(ts: Micros, out: &mut String) {
    use std::fmt::Write;
    let secs = ts.div_euclid(MICROS_PER_SECOND);
    let micros = ts.rem_euclid(MICROS_PER_SECOND);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let _ = write!(
        out,
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}.{micros:06} UTC",
        sod / 3600,
        sod / 60 % 60,
        sod % 60
    );
}

/// Inverse of [`days_from_civil`] (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// RFC 3339 in UTC, e.g. `2023-01-25T18:13:22.47922Z`.
pub fn format_timestamp(ts: Micros) -> String {
    match jiff::Timestamp::from_microsecond(ts) {
        Ok(t) => t.to_string(),
        Err(_) => format!("{ts}µs"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jiff_micros(s: &str) -> Micros {
        s.parse::<jiff::Timestamp>().unwrap().as_microsecond()
    }

    #[test]
    fn parses_the_real_form_with_any_fraction() {
        assert_eq!(
            parse_timestamp("2023-01-22 12:09:39.388884 UTC").unwrap(),
            jiff_micros("2023-01-22T12:09:39.388884Z")
        );
        assert_eq!(
            parse_timestamp("2023-01-22 12:09:39.3 UTC").unwrap(),
            jiff_micros("2023-01-22T12:09:39.3Z")
        );
        assert_eq!(
            parse_timestamp("2023-01-22 12:09:39 UTC").unwrap(),
            jiff_micros("2023-01-22T12:09:39Z")
        );
        assert_eq!(
            parse_timestamp("2023-01-22 12:09:39").unwrap(),
            jiff_micros("2023-01-22T12:09:39Z")
        );
        // Below a microsecond is truncated, not rounded.
        assert_eq!(
            parse_timestamp("2023-01-22T12:09:39.123456789Z").unwrap(),
            jiff_micros("2023-01-22T12:09:39.123456Z")
        );
    }

    #[test]
    fn parses_rfc3339_with_offsets() {
        let z = parse_timestamp("2023-01-22T12:09:39Z").unwrap();
        assert_eq!(parse_timestamp("2023-01-22T12:09:39+00:00").unwrap(), z);
        assert_eq!(parse_timestamp("2023-01-22T07:09:39-05:00").unwrap(), z);
        assert_eq!(parse_timestamp("2023-01-22T17:39:39+05:30").unwrap(), z);
    }

    #[test]
    fn agrees_with_jiff_across_years_and_leap_days() {
        for s in [
            "1970-01-01T00:00:00Z",
            "1969-12-31T23:59:59Z",
            "2000-02-29T12:00:00Z",
            "2024-02-29T23:59:59.999999Z",
            "2100-03-01T00:00:00Z",
            "1600-01-01T00:00:00Z",
        ] {
            let got = parse(s.as_bytes()).unwrap();
            assert_eq!(got, jiff_micros(s), "{s}");
        }
    }

    #[test]
    fn only_1970_to_2200_is_accepted() {
        assert_eq!(parse_timestamp("1970-01-01T00:00:00Z").unwrap(), 0);
        assert_eq!(
            parse_timestamp("2200-12-31T23:59:59.999999Z").unwrap(),
            LAST_TIMESTAMP
        );
        assert_eq!(LAST_TIMESTAMP, jiff_micros("2200-12-31T23:59:59.999999Z"));
        for bad in [
            "9999-12-31 23:59:59 UTC",
            "0000-01-01 00:00:00",
            "1969-12-31T23:59:59Z",
            "1970-01-01T00:30:00+01:00",
            "2201-01-01T00:00:00Z",
        ] {
            let err = parse_timestamp(bad).unwrap_err().to_string();
            assert!(
                err.contains("outside the years 1970 to 2200"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn mixed_forms_are_refused() {
        for bad in [
            "2023-01-22T12:09:39 UTC",
            "2023-01-22 12:09:39UTC",
            "2023-01-22t12:09:39z",
            "2023-01-22T12:09:39z",
            "2023-01-22 12:09:39Z",
            "2023-01-22 12:09:39+00:00",
        ] {
            assert!(parse_timestamp(bad).is_err(), "{bad}");
        }
        assert!(parse_timestamp("2023-01-22T12:09:39").is_ok());
    }

    #[test]
    fn rejects_malformed_and_impossible_values() {
        for bad in [
            "",
            "yesterday",
            "2023-01-22",
            "2023-13-01 00:00:00 UTC",
            "2023-02-29 00:00:00 UTC",
            "2023-01-32 00:00:00 UTC",
            "2023-01-22 24:00:00 UTC",
            "2023-01-22 12:60:00 UTC",
            "2023-01-22 12:09:39. UTC",
            "2023-01-22 12:09:39 CET",
            "2023-01-22X12:09:39Z",
            "2023-01-22T12:09:39+5:00",
        ] {
            let err = parse_timestamp(bad).unwrap_err().to_string();
            assert!(err.contains("is not a timestamp like"), "{bad}: {err}");
        }
    }

    #[test]
    fn formats_the_real_form_and_parses_it_back() {
        for s in [
            "2023-01-22 12:09:39.388884 UTC",
            "1969-12-31 23:59:59.000001 UTC",
            "2024-02-29 00:00:00.000000 UTC",
        ] {
            let mut out = String::new();
            // The formatter works before 1970 too (negative times).
            format_timestamp_real(parse(s.as_bytes()).unwrap(), &mut out);
            assert_eq!(out, s);
        }
    }

    #[test]
    fn formats_as_rfc3339() {
        let ts = parse_timestamp("2023-01-25 18:13:22.47922 UTC").unwrap();
        assert_eq!(format_timestamp(ts), "2023-01-25T18:13:22.47922Z");
    }
}
