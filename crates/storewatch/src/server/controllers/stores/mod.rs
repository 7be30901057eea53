//! A store's page data: `GET /api/stores/{id}/timeline`.

pub mod timeline;
