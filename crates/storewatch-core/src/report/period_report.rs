//! The period reports of SPEC section 6, step 3 (`period`, `daily`,
//! `hourly`), computed as their stores arrive (like [`super::ReportBuilder`])
//! and written as CSV: sorted by store id in byte order, then by date or
//! hour; hours with two decimals, counts as integers.

use std::io;

use rayon::prelude::*;

use crate::domain::MICROS_PER_HOUR;

use super::csv::{Header, two_decimals};
use super::error::ReportError;
use super::input::StoreInput;
use super::interpolate::{HalfMicros, hundredths};
use super::period::{LocalClock, Period, PeriodSpec, PeriodZones, StorePeriod};

/// What a report holds: the week of section 3 (the default), or one of the
/// period reports of section 6.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ReportKind {
    #[default]
    Week,
    /// A row per store: the period's totals.
    Period,
    /// A row per store and local date.
    Daily,
    /// A row per store and hour of the day.
    Hourly,
}

impl ReportKind {
    pub const ALL: [ReportKind; 4] = [
        ReportKind::Week,
        ReportKind::Period,
        ReportKind::Daily,
        ReportKind::Hourly,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportKind::Week => "week",
            ReportKind::Period => "period",
            ReportKind::Daily => "daily",
            ReportKind::Hourly => "hourly",
        }
    }

    /// The period kind, or `None` for the week.
    pub fn period(self) -> Option<PeriodKind> {
        match self {
            ReportKind::Week => None,
            ReportKind::Period => Some(PeriodKind::Period),
            ReportKind::Daily => Some(PeriodKind::Daily),
            ReportKind::Hourly => Some(PeriodKind::Hourly),
        }
    }
}

impl std::str::FromStr for ReportKind {
    type Err = String;

    fn from_str(text: &str) -> Result<ReportKind, String> {
        ReportKind::ALL
            .into_iter()
            .find(|k| k.as_str() == text)
            .ok_or_else(|| format!("kind {text:?}: expected week, period, daily or hourly"))
    }
}

impl std::fmt::Display for ReportKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a report was asked to hold: the week, or a period report of one
/// kind over a span before its report time. Stored with the report as text
/// (`week`, `daily days 28`, `period from 1672531200000000`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ReportSpec {
    #[default]
    Week,
    Period {
        kind: PeriodKind,
        span: PeriodSpec,
    },
}

impl ReportSpec {
    pub fn kind(self) -> ReportKind {
        match self {
            ReportSpec::Week => ReportKind::Week,
            ReportSpec::Period { kind, .. } => kind.report_kind(),
        }
    }

    /// The span of a period report; `None` for the week.
    pub fn span(self) -> Option<PeriodSpec> {
        match self {
            ReportSpec::Week => None,
            ReportSpec::Period { span, .. } => Some(span),
        }
    }

    /// The text the database keeps.
    pub fn to_db(self) -> String {
        match self {
            ReportSpec::Week => "week".into(),
            ReportSpec::Period { kind, span } => match span {
                PeriodSpec::Days(d) => format!("{} days {d}", kind.report_kind()),
                PeriodSpec::From(f) => format!("{} from {f}", kind.report_kind()),
            },
        }
    }

    /// The spec [`ReportSpec::to_db`] wrote; `None` for anything else.
    pub fn from_db(text: &str) -> Option<ReportSpec> {
        let mut words = text.split(' ');
        let kind: ReportKind = words.next()?.parse().ok()?;
        let Some(kind) = kind.period() else {
            return words.next().is_none().then_some(ReportSpec::Week);
        };
        let span = match (words.next()?, words.next()?.parse::<i64>().ok()?) {
            ("days", d) => PeriodSpec::Days(d),
            ("from", f) => PeriodSpec::From(f),
            _ => return None,
        };
        words
            .next()
            .is_none()
            .then_some(ReportSpec::Period { kind, span })
    }
}

/// The three kinds of period report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeriodKind {
    Period,
    Daily,
    Hourly,
}

impl PeriodKind {
    pub fn report_kind(self) -> ReportKind {
        match self {
            PeriodKind::Period => ReportKind::Period,
            PeriodKind::Daily => ReportKind::Daily,
            PeriodKind::Hourly => ReportKind::Hourly,
        }
    }

    pub fn header(self) -> &'static [&'static str] {
        match self {
            PeriodKind::Period => &[
                "store_id",
                "open_hours",
                "uptime_hours",
                "downtime_hours",
                "downtime_percent",
                "polls",
                "incidents",
                "longest_incident_hours",
            ],
            PeriodKind::Daily => &[
                "store_id",
                "date",
                "open_hours",
                "uptime_hours",
                "downtime_hours",
                "polls",
                "incidents",
            ],
            PeriodKind::Hourly => &[
                "store_id",
                "hour",
                "open_hours",
                "uptime_hours",
                "downtime_hours",
            ],
        }
    }
}

/// Hours with two decimals (`1.26`), from half-microseconds.
pub fn hours_text(length: HalfMicros) -> String {
    two_decimals(hundredths(length, MICROS_PER_HOUR))
}

/// 100 × down ÷ (up + down) with two decimals, rounded half up, exactly;
/// `None` (an empty cell) when nothing was observed.
pub fn downtime_percent(up: HalfMicros, down: HalfMicros) -> Option<String> {
    let observed = i128::from(up) + i128::from(down);
    if observed <= 0 {
        return None;
    }
    // Hundredths of a percent: 10,000 × down / observed, rounded half up.
    let h = (i128::from(down) * 20_000 + observed) / (2 * observed);
    Some(two_decimals(i64::try_from(h).unwrap_or(i64::MAX)))
}

/// One store's rows of `kind` as CSV records (quoted as the csv crate does).
fn store_rows(
    store_id: &str,
    p: &StorePeriod,
    clock: &LocalClock,
    kind: PeriodKind,
) -> io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    match kind {
        PeriodKind::Period => {
            let t = &p.total;
            w.write_record([
                store_id,
                &hours_text(t.open),
                &hours_text(t.up),
                &hours_text(t.down),
                &downtime_percent(t.up, t.down).unwrap_or_default(),
                &p.polls.to_string(),
                &p.incidents.len().to_string(),
                &hours_text(p.longest_incident()),
            ])?;
        }
        PeriodKind::Daily => {
            for (date, day) in clock.dates().zip(&p.days) {
                w.write_record([
                    store_id,
                    &date.to_string(),
                    &hours_text(day.times.open),
                    &hours_text(day.times.up),
                    &hours_text(day.times.down),
                    &day.polls.to_string(),
                    &day.incidents.to_string(),
                ])?;
            }
        }
        PeriodKind::Hourly => {
            for (hour, t) in p.hours.iter().enumerate() {
                w.write_record([
                    store_id,
                    &hour.to_string(),
                    &hours_text(t.open),
                    &hours_text(t.up),
                    &hours_text(t.down),
                ])?;
            }
        }
    }
    w.into_inner().map_err(|e| e.into_error())
}

/// A period report computed as its stores arrive, in batches of any size
/// and order: each store's rows are kept as CSV text (not its figures), so
/// a daily report of many stores over many days stays small.
pub struct PeriodBuilder {
    kind: PeriodKind,
    zones: PeriodZones,
    rows: Vec<(String, Vec<u8>)>,
}

impl PeriodBuilder {
    pub fn new(period: Period, kind: PeriodKind) -> PeriodBuilder {
        PeriodBuilder {
            kind,
            zones: PeriodZones::new(period),
            rows: Vec::new(),
        }
    }

    /// Computes the rows of `stores`, spread over all cores.
    pub fn add(&mut self, mut stores: Vec<StoreInput>) -> Result<(), ReportError> {
        self.zones.add(&stores)?;
        let (zones, kind) = (&self.zones, self.kind);
        let rows: Vec<(String, Vec<u8>)> = stores
            .par_iter_mut()
            .map(|store| {
                let analysed = zones.analyze(store)?;
                let zone = zones.of(store);
                let text =
                    store_rows(&store.store_id, &analysed, &zone.clock, kind).map_err(|e| {
                        ReportError::OutOfRange {
                            store_id: store.store_id.clone(),
                            reason: e.to_string(),
                        }
                    })?;
                Ok((std::mem::take(&mut store.store_id), text))
            })
            .collect::<Result<_, ReportError>>()?;
        self.rows.extend(rows);
        Ok(())
    }

    pub fn finish(mut self) -> PeriodReport {
        self.rows
            .par_sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        PeriodReport {
            period: Some(self.zones.period()),
            kind: self.kind,
            rows: self.rows,
        }
    }
}

/// A computed period report: its stores' rows as CSV, in store-id order.
#[derive(Debug, Clone)]
pub struct PeriodReport {
    /// `None` when there was no report time (no poll at all).
    pub period: Option<Period>,
    pub kind: PeriodKind,
    rows: Vec<(String, Vec<u8>)>,
}

impl PeriodReport {
    /// A report of no store and no period: the database holds no polls.
    pub fn empty(kind: PeriodKind) -> PeriodReport {
        PeriodReport {
            period: None,
            kind,
            rows: Vec::new(),
        }
    }

    /// How many stores it has rows for.
    pub fn stores(&self) -> usize {
        self.rows.len()
    }

    /// How many rows its CSV has, the header aside (a record is a line:
    /// store ids hold no line break).
    pub fn rows(&self) -> u64 {
        self.rows
            .iter()
            .map(|(_, text)| text.iter().filter(|&&b| b == b'\n').count() as u64)
            .sum()
    }

    /// Writes the CSV, after the header if asked for (a split report's
    /// later parts have none).
    pub fn write_csv<W: io::Write>(&self, header: Header, mut out: W) -> io::Result<()> {
        if header == Header::Write {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(self.kind.header())?;
            w.flush()?;
        }
        for (_, text) in &self.rows {
            out.write_all(text)?;
        }
        out.flush()
    }

    pub fn to_csv_string(&self, header: Header) -> String {
        let mut out = Vec::new();
        self.write_csv(header, &mut out)
            .expect("writing to memory does not fail");
        String::from_utf8(out).expect("the CSV of UTF-8 ids is UTF-8")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percents_round_half_up_and_unknown_is_empty() {
        assert_eq!(downtime_percent(0, 0), None);
        assert_eq!(downtime_percent(1, 0).as_deref(), Some("0.00"));
        assert_eq!(downtime_percent(0, 5).as_deref(), Some("100.00"));
        // A: 1.26 h up, 1.74 h down of 3 → 58.00 %… exactly 1.7416 / 3.
        assert_eq!(downtime_percent(1, 1).as_deref(), Some("50.00"));
        assert_eq!(downtime_percent(2, 1).as_deref(), Some("33.33"));
        assert_eq!(downtime_percent(1, 2).as_deref(), Some("66.67"));
        // 1/8 = 12.5 %: exact; 1/160000 = 0.000625 % → 0.00; 1/16000 → 0.01 (half up).
        assert_eq!(downtime_percent(7, 1).as_deref(), Some("12.50"));
        assert_eq!(downtime_percent(159_999, 1).as_deref(), Some("0.00"));
        assert_eq!(downtime_percent(19_999, 1).as_deref(), Some("0.01"));
    }

    #[test]
    fn specs_go_to_the_database_and_back() {
        for spec in [
            ReportSpec::Week,
            ReportSpec::Period {
                kind: PeriodKind::Daily,
                span: PeriodSpec::Days(28),
            },
            ReportSpec::Period {
                kind: PeriodKind::Hourly,
                span: PeriodSpec::From(1_672_531_200_000_000),
            },
        ] {
            assert_eq!(ReportSpec::from_db(&spec.to_db()), Some(spec));
        }
        for bad in [
            "",
            "weekly",
            "week days 7",
            "daily",
            "daily days",
            "daily days x",
            "period days 1 2",
        ] {
            assert_eq!(ReportSpec::from_db(bad), None, "{bad}");
        }
    }

    #[test]
    fn kinds_parse_and_print() {
        for k in ReportKind::ALL {
            assert_eq!(k.as_str().parse::<ReportKind>(), Ok(k));
        }
        assert!("weekly".parse::<ReportKind>().is_err());
    }
}
