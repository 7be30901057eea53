//! `GET /api/alerts/subscriptions`: every subscription (never a secret).

use axum::Json;
use axum::extract::State;
use storewatch_db::Database;

use crate::app::AppState;
use crate::server::error::ApiError;
use crate::server::views::{SubscriptionList, SubscriptionView};

pub async fn handle<D: Database>(
    State(state): State<AppState<D>>,
) -> Result<Json<SubscriptionList>, ApiError> {
    let subscriptions = state.db.subscriptions().await?;
    Ok(Json(SubscriptionList {
        subscriptions: subscriptions.iter().map(SubscriptionView::of).collect(),
    }))
}
