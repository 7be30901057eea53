//! What this process knows of changes to the data: every applied ingest or
//! deletion counts one, and wakes whoever waits for the next (the live
//! statuses' job). Changes made elsewhere (a command-line ingest, another
//! instance) are not seen here: readers also watch the newest poll.

use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::Notify;

#[derive(Debug, Default)]
pub struct DataChanges {
    generation: AtomicU64,
    notify: Notify,
}

impl DataChanges {
    /// Records a change this process applied.
    pub fn applied(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.notify.notify_one();
    }

    /// How many changes this process has applied: anything worked out at
    /// another number is out of date.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Resolves at the next change (or at once if one came since the last
    /// wait: a change is never missed, several may be seen as one).
    pub async fn next(&self) {
        self.notify.notified().await;
    }
}
