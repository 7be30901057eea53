//! One store's week at a glance (issue 10): its open time, polls, the up and
//! down bands the report counts, its incidents and its report row. Read
//! through the same scoped snapshot and computed by the same code as a
//! report, so the figures are the report's to the digit.

use anyhow::Result;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use storewatch_core::domain::StoreId;
use storewatch_core::domain::{
    DEFAULT_ZONE, Micros, Poll, SpecialHoursRow, format_timestamp, resolve_zone,
};
use storewatch_core::report::{
    Columns, Incident, Interval, Segment, Window, analyze, compute, named_fields, segments,
};
use storewatch_db::{Database, Scope, Stores};

/// Everything a store's page shows.
#[derive(Debug, Clone)]
pub struct StoreTimeline {
    pub store_id: String,
    pub as_of: Micros,
    /// The zone its hours are in: its own, or the default.
    pub timezone: String,
    /// Whether the zone was given for it (else the default applies).
    pub timezone_given: bool,
    pub tz: TimeZone,
    pub week: Interval,
    /// Open time within the week, merged.
    pub open: Vec<Interval>,
    /// Its special dates near the week.
    pub special: Vec<SpecialHoursRow>,
    /// Every poll in the week (`as_of − 7 d ≤ t ≤ as_of`), with whether it
    /// is a candidate (inside business hours).
    pub polls: Vec<(Poll, bool)>,
    pub segments: Vec<Segment>,
    pub incidents: Vec<Incident>,
    /// The store's report row, extended columns included: each column's
    /// name and value as the CSV writes it.
    pub figures: Vec<(&'static str, String)>,
}

/// The store's timeline at `as_of` (default: the newest poll), or `None`
/// when the database has no poll of it at all, or when `caller` (an owner's
/// stores) does not include it: a store one may not see does not exist.
pub async fn store_timeline<D: Database>(
    db: &D,
    store_id: &StoreId,
    as_of: Option<Micros>,
    caller: Option<&Scope>,
) -> Result<Option<StoreTimeline>> {
    if caller.is_some_and(|s| !s.contains(store_id)) {
        return Ok(None);
    }
    let scope = Scope::one(store_id.clone());
    let input = db.report_input(as_of, Stores::Scope(&scope)).await?;
    let (Some(as_of), Some(store)) = (input.as_of, input.stores.first().cloned()) else {
        return Ok(None);
    };
    tokio::task::spawn_blocking(move || -> Result<Option<StoreTimeline>> {
        let report = compute(input)?;
        let Some(row) = report.rows.first().filter(|r| r.store_id == store.store_id) else {
            return Ok(None);
        };
        let figures = named_fields(row, Columns::Extended);
        let tz = resolve_zone(store.timezone.as_deref()).map_err(anyhow::Error::msg)?;
        let mut polls = store.polls;
        polls.sort_unstable_by_key(|p| p.ts);
        let week = Window::Week.ending_at(as_of);
        let analysis = analyze(&store.hours, &store.special, &polls, &tz, as_of)
            .ok_or_else(|| anyhow::anyhow!("the report computed what the timeline cannot"))?;
        let candidates = &analysis.candidates;
        let polls = polls
            .iter()
            .filter(|p| week.start <= p.ts && p.ts <= as_of)
            .map(|p| (*p, candidates.binary_search_by_key(&p.ts, |c| c.ts).is_ok()))
            .collect();
        Ok(Some(StoreTimeline {
            store_id: store.store_id,
            as_of,
            timezone_given: store.timezone.is_some(),
            timezone: store.timezone.unwrap_or_else(|| DEFAULT_ZONE.to_string()),
            tz,
            week,
            open: analysis
                .open
                .iter()
                .map(|iv| iv.intersect(&week))
                .filter(|iv| !iv.is_empty())
                .collect(),
            special: store.special,
            polls,
            segments: segments(&analysis.open, candidates, week),
            incidents: analysis.incidents,
            figures,
        }))
    })
    .await?
}

/// `t` in the store's local time, `2023-01-19 09:00:00` (with the fraction
/// of a second when there is one).
pub fn local(tz: &TimeZone, t: Micros) -> String {
    match Timestamp::from_microsecond(t) {
        // jiff writes `2023-01-19T09:00:00`, with a fraction only if any.
        Ok(ts) => tz.to_datetime(ts).to_string().replacen('T', " ", 1),
        Err(_) => format_timestamp(t),
    }
}
