//! Typed JSON answers, one struct per shape the OpenAPI document describes
//! (`controllers/openapi.json`, checked against real answers by the tests),
//! a file per resource.

mod alerts;
mod ingests;
mod numbers;
mod ops;
mod periods;
mod reports;
mod stores;

pub use alerts::{DeliveryList, DeliveryView, SubscriptionList, SubscriptionView};
pub use ingests::{IngestEntry, IngestList, Ingested, InvalidRow, PollsDeleted};
pub use numbers::{hours_number, percent_number};
pub use ops::Health;
pub use periods::{HourView, TimesView};
pub use reports::{ReportList, ReportStatus, ReportSummary, Triggered};
pub use stores::{StoreList, Timeline};
