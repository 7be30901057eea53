//! Every input saved under `fuzz/regressions/<target>/` (each one a crash
//! a fuzz target found once, or a case worth keeping) still passes that
//! target's checks. The checks are the fuzz targets' own code.

#[path = "../../../fuzz/src/checks.rs"]
mod checks;

use std::path::Path;

#[test]
fn every_saved_fuzz_input_still_passes_its_checks() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions");
    let mut ran = 0;
    for target in ["values", "csv", "report"] {
        let dir = root.join(target);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .filter(|p| p.file_name().is_some_and(|n| n != "README.md"))
            .collect();
        files.sort();
        for file in files {
            let data = std::fs::read(&file).unwrap();
            // Name the input if it fails.
            let outcome = std::panic::catch_unwind(|| checks::run(target, &data));
            assert!(outcome.is_ok(), "{} fails again", file.display());
            ran += 1;
        }
    }
    assert!(ran > 0, "no saved input found under {}", root.display());
}
