#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| storewatch_fuzz::checks::csv(data));
