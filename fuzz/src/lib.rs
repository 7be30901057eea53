//! What each fuzz target checks. The same functions run every input saved in
//! `fuzz/regressions/` as an ordinary test of storewatch-core
//! (`tests/fuzz_regressions.rs` includes `checks.rs`), so a crash once found
//! stays a unit test.

pub mod checks;
