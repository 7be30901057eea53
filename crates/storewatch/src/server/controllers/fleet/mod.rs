//! `GET /api/fleet?days=&from=&as_of=`: the fleet's figures over a period
//! (SPEC section 6, step 4) and its live statuses at T (section 7, step 1).
//! An owner's fleet is its stores.

mod show;
mod view;

pub use show::show;
pub use view::FleetView;
