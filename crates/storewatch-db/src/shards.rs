//! Reports split across instances (issue 11): a report over many stores is
//! cut into shards, ranges of store ids in byte order, that any worker of
//! any instance claims under the same lease rules as a report. The report
//! stays running, with no lease of its own, until its last shard is done;
//! then the shards' CSV parts, joined in range order, are its CSV.

use std::future::Future;

use storewatch_core::domain::Micros;

use crate::{DbError, Lease, ReportId, Scope};

/// The store ids `from ≤ id < to`, compared byte for byte; `None` leaves
/// that side open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreRange {
    pub from: Option<String>,
    pub to: Option<String>,
}

impl StoreRange {
    pub fn contains(&self, id: &str) -> bool {
        self.from
            .as_deref()
            .is_none_or(|f| f.as_bytes() <= id.as_bytes())
            && self
                .to
                .as_deref()
                .is_none_or(|t| id.as_bytes() < t.as_bytes())
    }

    /// The ranges that `bounds` (ascending, each the first id of a range
    /// after the first) cut every id into: one more than there are bounds,
    /// together covering every id, each exactly once.
    pub fn cut_at(bounds: Vec<String>) -> Vec<StoreRange> {
        let mut out = Vec::with_capacity(bounds.len() + 1);
        let mut from = None;
        for bound in bounds {
            out.push(StoreRange {
                from: from.take(),
                to: Some(bound.clone()),
            });
            from = Some(bound);
        }
        out.push(StoreRange { from, to: None });
        out
    }
}

/// The stores a report reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stores<'a> {
    /// Every store.
    All,
    /// The stores an owner's scope names (read by index).
    Scope(&'a Scope),
    /// Every store whose id lies in the range: a shard of a split report.
    Range(&'a StoreRange),
}

/// The shape of a [`Stores`] selection, without its ids: what the text of
/// a backend's read statements depends on (their parameters carry the ids).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    All,
    Scope,
    /// Which of the range's bounds are given (not open).
    Range {
        from: bool,
        to: bool,
    },
}

impl Stores<'_> {
    pub fn reach(self) -> Reach {
        match self {
            Stores::All => Reach::All,
            Stores::Scope(_) => Reach::Scope,
            Stores::Range(r) => Reach::Range {
                from: r.from.is_some(),
                to: r.to.is_some(),
            },
        }
    }
}

impl<'a> From<Option<&'a Scope>> for Stores<'a> {
    fn from(scope: Option<&'a Scope>) -> Stores<'a> {
        scope.map_or(Stores::All, Stores::Scope)
    }
}

/// The `per`-th, `2·per`-th, … of `ids` (ascending, counted from 0): the
/// bounds that cut them into ranges of `per` ids (see [`StoreRange::cut_at`]).
pub fn bounds_every<S: AsRef<str>>(ids: &[S], per: usize) -> Vec<String> {
    ids.iter()
        .skip(per.max(1))
        .step_by(per.max(1))
        .map(|id| id.as_ref().to_string())
        .collect()
}

/// One shard of a split report.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ShardId {
    pub report: ReportId,
    /// Its place among the report's shards, from 0, in range order.
    pub index: u32,
}

/// A shard a worker now owns, until its lease runs out unless renewed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedShard {
    pub id: ShardId,
    pub range: StoreRange,
    /// The report time, fixed when the report was split.
    pub as_of: Micros,
    /// The report's scope, if any (the shard covers its stores in `range`).
    pub scope: Option<Scope>,
    /// What the report holds.
    pub spec: storewatch_core::report::ReportSpec,
    /// When the report was first claimed.
    pub report_started_at: Option<Micros>,
    /// Of this shard, including this one.
    pub attempts: u32,
}

/// How a shard ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShardOutcome {
    /// Its rows as CSV: the first shard's with the header, others without.
    Complete { rows: u64, csv: String },
    /// Fails the whole report with this error.
    Failed { error: String },
}

/// What finishing a shard did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShardFinish {
    /// The worker no longer owned the shard (its lease ran out and another
    /// worker took it, or the report failed meanwhile): nothing stored.
    Lost,
    /// Stored; other shards of the report are still to do.
    Stored,
    /// It was the last shard: the report is complete, its CSV assembled.
    ReportComplete,
    /// It failed, and with it the report.
    ReportFailed,
}

/// The statements finishing a shard takes, inside one transaction that
/// already holds the report (SQLite: an IMMEDIATE transaction; PostgreSQL:
/// the report's row locked), so shards finishing at once take turns and the
/// last of them sees every other one complete. [`finish`] is the logic.
pub trait ShardWriter: Send {
    /// Completes the worker's running shard with its part; false if the
    /// worker does not hold it.
    fn store_part(
        &mut self,
        id: &ShardId,
        worker: &str,
        rows: i64,
        csv: String,
    ) -> impl Future<Output = Result<bool, DbError>> + Send;
    /// Deletes the worker's running shard; false if the worker does not
    /// hold it.
    fn drop_part(
        &mut self,
        id: &ShardId,
        worker: &str,
    ) -> impl Future<Output = Result<bool, DbError>> + Send;
    /// How many of the report's shards are not complete.
    fn parts_left(
        &mut self,
        report: &ReportId,
    ) -> impl Future<Output = Result<i64, DbError>> + Send;
    /// The report's parts, (rows, CSV), in range order.
    fn parts(
        &mut self,
        report: &ReportId,
    ) -> impl Future<Output = Result<Vec<(i64, String)>, DbError>> + Send;
    /// Ends the running report: complete with `rows` and `csv` (its report
    /// time stays the one fixed at the split), or failed with `error`.
    fn end_report(
        &mut self,
        report: &ReportId,
        end: ReportEnd,
        now: Micros,
    ) -> impl Future<Output = Result<(), DbError>> + Send;
    /// Deletes every shard of the report.
    fn delete_parts(
        &mut self,
        report: &ReportId,
    ) -> impl Future<Output = Result<(), DbError>> + Send;
}

/// How a split report ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportEnd {
    Complete { rows: i64, csv: String },
    Failed { error: String },
}

impl ReportEnd {
    /// The state, row count, CSV and error columns it writes.
    pub fn into_columns(self) -> (&'static str, Option<i64>, Option<String>, Option<String>) {
        match self {
            ReportEnd::Complete { rows, csv } => (
                crate::ReportState::Complete.as_str(),
                Some(rows),
                Some(csv),
                None,
            ),
            ReportEnd::Failed { error } => {
                (crate::ReportState::Failed.as_str(), None, None, Some(error))
            }
        }
    }
}

/// Stores a shard's outcome if `lease`'s worker still holds the shard: the
/// last part completes the report with every part joined in range order; a
/// failure fails the report. Either way a finished report's shards go.
/// The caller commits unless this returns [`ShardFinish::Lost`] (then it
/// wrote nothing).
pub async fn finish<W: ShardWriter>(
    w: &mut W,
    id: &ShardId,
    lease: &Lease,
    outcome: ShardOutcome,
    now: Micros,
) -> Result<ShardFinish, DbError> {
    let finish = match outcome {
        ShardOutcome::Complete { rows, csv } => {
            let rows = i64::try_from(rows).unwrap_or(i64::MAX);
            if !w.store_part(id, &lease.worker, rows, csv).await? {
                return Ok(ShardFinish::Lost);
            }
            if w.parts_left(&id.report).await? > 0 {
                return Ok(ShardFinish::Stored);
            }
            let (rows, csv) = assemble(w.parts(&id.report).await?);
            w.end_report(&id.report, ReportEnd::Complete { rows, csv }, now)
                .await?;
            ShardFinish::ReportComplete
        }
        ShardOutcome::Failed { error } => {
            if !w.drop_part(id, &lease.worker).await? {
                return Ok(ShardFinish::Lost);
            }
            w.end_report(&id.report, ReportEnd::Failed { error }, now)
                .await?;
            ShardFinish::ReportFailed
        }
    };
    w.delete_parts(&id.report).await?;
    Ok(finish)
}

/// The report's CSV and row count from its shards' parts, in range order.
pub fn assemble(parts: Vec<(i64, String)>) -> (i64, String) {
    let mut csv = String::with_capacity(parts.iter().map(|(_, p)| p.len()).sum());
    let mut rows = 0i64;
    for (n, part) in parts {
        rows = rows.saturating_add(n);
        csv.push_str(&part);
    }
    (rows, csv)
}

/// The error of a report one of whose shards was abandoned too often.
pub const ABANDONED_SHARD: &str =
    "abandoned: a part of it was attempted too often, the server running it stopping each time";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_cut_at_bounds_cover_every_id_once() {
        let ids: Vec<String> = ["a", "b", "c", "d", "e", "f", "g"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        for per in 1..=8 {
            let ranges = StoreRange::cut_at(bounds_every(&ids, per));
            assert_eq!(ranges.len(), ids.len().div_ceil(per), "per {per}");
            for id in &ids {
                let n = ranges.iter().filter(|r| r.contains(id)).count();
                assert_eq!(n, 1, "{id} in {n} ranges of {ranges:?}");
            }
            for r in &ranges {
                let n = ids.iter().filter(|id| r.contains(id)).count();
                assert!((1..=per).contains(&n), "{r:?} holds {n}");
            }
        }
        assert_eq!(StoreRange::cut_at(Vec::new()), [StoreRange::default()]);
    }

    #[test]
    fn ranges_compare_bytes_not_letters() {
        let r = StoreRange {
            from: Some("B".into()),
            to: Some("a".into()),
        };
        assert!(r.contains("Z"), "Z (0x5a) sorts before a (0x61)");
        assert!(!r.contains("b"));
        assert!(!r.contains("A"));
        assert!(r.contains("B"), "from is inclusive");
        assert!(!r.contains("a"), "to is exclusive");
    }
}
