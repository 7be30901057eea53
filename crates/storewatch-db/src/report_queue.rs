//! The report queue (see [`ReportQueue`]).

use std::future::Future;

use storewatch_core::domain::Micros;

use crate::error::DbError;
use crate::ids::{Include, Lease, ReportId};
use crate::reports::{ClaimedReport, NewReport, ReportOutcome, ReportPage, ReportRecord};
use crate::shards::{ClaimedShard, ShardFinish, ShardId, ShardOutcome, StoreRange};

/// The report queue: report jobs and their results, claimed by workers
/// under leases so a dead worker's report is taken over.
pub trait ReportQueue: Clone + Send + Sync + 'static {
    /// Queues a new report job for `owner`, unless that key (or, without
    /// one, the open service's callers) already has `max_unfinished` reports
    /// queued or running: then nothing is queued and `false` returned.
    fn create_report(
        &self,
        id: &ReportId,
        request: &NewReport,
        max_unfinished: u32,
        now: Micros,
    ) -> impl Future<Output = Result<bool, DbError>> + Send;

    /// Atomically takes the oldest job that is queued, or running under a
    /// lease that ran out (its worker died), for `worker` until `lease_until`.
    /// Jobs whose lease ran out after `max_attempts` attempts are marked
    /// failed instead. `None` when there is nothing to do.
    fn claim_report(
        &self,
        lease: &Lease,
        now: Micros,
        max_attempts: u32,
    ) -> impl Future<Output = Result<Option<ClaimedReport>, DbError>> + Send;

    /// Extends the lease's worker's hold on a running job to `lease.until`;
    /// false if it lost the job.
    fn renew_report_lease(
        &self,
        id: &ReportId,
        lease: &Lease,
    ) -> impl Future<Output = Result<bool, DbError>> + Send;

    /// Stores a job's result if the lease's worker still owns it; false otherwise.
    fn finish_report(
        &self,
        id: &ReportId,
        lease: &Lease,
        outcome: ReportOutcome,
        now: Micros,
    ) -> impl Future<Output = Result<bool, DbError>> + Send;

    /// Cuts a report the lease's worker owns into shards over `ranges` (in
    /// order), all queued, with the report time fixed at `as_of`; the report
    /// stays running without a lease of its own until its last shard is
    /// done ([`ReportQueue::finish_shard`]). False, and nothing changed, if
    /// the worker no longer owns the report.
    fn split_report(
        &self,
        id: &ReportId,
        lease: &Lease,
        as_of: Micros,
        ranges: &[StoreRange],
    ) -> impl Future<Output = Result<bool, DbError>> + Send;

    /// Like [`ReportQueue::claim_report`], for the shards of split reports:
    /// atomically takes the oldest report's first shard that is queued, or
    /// running under a lease that ran out. A shard whose lease ran out after
    /// `max_attempts` attempts fails its report instead.
    fn claim_shard(
        &self,
        lease: &Lease,
        now: Micros,
        max_attempts: u32,
    ) -> impl Future<Output = Result<Option<ClaimedShard>, DbError>> + Send;

    /// Extends the lease's worker's hold on a running shard; false if it
    /// lost the shard.
    fn renew_shard_lease(
        &self,
        id: &ShardId,
        lease: &Lease,
    ) -> impl Future<Output = Result<bool, DbError>> + Send;

    /// Stores a shard's outcome if the lease's worker still owns it. The
    /// last shard to complete assembles the report's CSV from every
    /// shard's part, in range order, and completes the report; a failed
    /// shard fails the report and drops its other shards. One transaction.
    fn finish_shard(
        &self,
        id: &ShardId,
        lease: &Lease,
        outcome: ShardOutcome,
        now: Micros,
    ) -> impl Future<Output = Result<ShardFinish, DbError>> + Send;

    /// Calls `on_work` whenever another instance may have queued work (a
    /// report, or the shards of one), until the future is dropped, so idle
    /// workers everywhere start at once. A backend that cannot tell
    /// returns at once: workers look for work every second anyway.
    fn watch_work(
        &self,
        on_work: impl Fn() + Send + Sync + 'static,
    ) -> impl Future<Output = ()> + Send;

    /// A job by id, with its CSV if asked for and it is complete.
    fn report(
        &self,
        id: &ReportId,
        include: Include,
    ) -> impl Future<Output = Result<Option<ReportRecord>, DbError>> + Send;

    /// Reports, newest first, without their CSV.
    fn reports(
        &self,
        page: &ReportPage,
    ) -> impl Future<Output = Result<Vec<ReportRecord>, DbError>> + Send;

    /// Deletes finished (complete or failed) reports, with their CSV, that
    /// finished before `cutoff`; returns how many.
    fn delete_reports_finished_before(
        &self,
        cutoff: Micros,
    ) -> impl Future<Output = Result<u64, DbError>> + Send;
}
