//! `tests/totals`, which sums the `cargo test` results for the last line of
//! `tests/run`, counts every runner's passed, failed and ignored tests.

use std::process::Command;

use anyhow::{Context, Result};
use polyaxon_e2e::{scratch_dir, workspace_root};

#[test]
fn totals_sum_passed_failed_and_ignored_over_every_test_binary() -> Result<()> {
    let log = scratch_dir("totals")?.join("cargo-test.log");
    std::fs::write(
        &log,
        "running 3 tests\n\
         test result: ok. 3 passed; 0 failed; 2 ignored; 0 measured; 0 filtered out; finished in 0.01s\n\
         running 5 tests\n\
         test a ... FAILED\n\
         test result: FAILED. 4 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 1.20s\n\
         a line about 9 passed that is not a result\n\
         test result: ok. 0 passed; 0 failed; 7 ignored; 0 measured; 0 filtered out; finished in 0.00s\n",
    )?;
    let output = Command::new(workspace_root().join("tests/totals"))
        .arg(&log)
        .output()
        .context("running tests/totals")?;
    assert!(output.status.success(), "{output:?}");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "7 1 9\n");
    Ok(())
}
