//! A report's stores handed over in batches as a backend reads them, so the
//! report is computed while the rest is still being read (the app's
//! `compute_report` takes them on another thread).

use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};

use storewatch_core::domain::Micros;
use storewatch_core::report::StoreInput;

use crate::DbError;

/// Stores of the report at `as_of`, each with everything it needs.
#[derive(Debug)]
pub struct StoreBatch {
    pub as_of: Micros,
    pub stores: Vec<StoreInput>,
}

/// Where a backend hands a report's stores over.
#[derive(Debug)]
pub struct BatchSink(SyncSender<StoreBatch>);

/// A sink and the batches it passes on, at most `bound` (at least one)
/// waiting: the reader waits when the taker is that far behind, so a read
/// never holds more than that many batches the taker has not taken. A
/// single send never waits, so a backend that reads everything first may
/// send from async code.
pub fn batch_channel(bound: usize) -> (BatchSink, Receiver<StoreBatch>) {
    let (tx, rx) = sync_channel(bound.max(1));
    (BatchSink(tx), rx)
}

impl BatchSink {
    /// Hands `stores` over; an error when the taker has stopped (its report
    /// failed), which ends the read.
    pub fn send(&self, as_of: Micros, stores: Vec<StoreInput>) -> Result<(), DbError> {
        self.0
            .send(StoreBatch { as_of, stores })
            .map_err(|_| stopped())
    }

    /// Hands `stores` over if the taker has room, or gives them back: for
    /// async code, which must not wait on a thread's channel.
    pub fn try_send(&self, as_of: Micros, stores: Vec<StoreInput>) -> Result<Offer, DbError> {
        match self.0.try_send(StoreBatch { as_of, stores }) {
            Ok(()) => Ok(Offer::Taken),
            Err(TrySendError::Full(batch)) => Ok(Offer::Full(batch.stores)),
            Err(TrySendError::Disconnected(_)) => Err(stopped()),
        }
    }
}

/// What [`BatchSink::try_send`] did.
#[derive(Debug)]
pub enum Offer {
    Taken,
    /// No room yet: the stores, to offer again.
    Full(Vec<StoreInput>),
}

fn stopped() -> DbError {
    DbError::backend(std::io::Error::other("the report stopped taking stores"))
}
