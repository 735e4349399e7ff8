//! Helpers for the end-to-end tests: they talk to the local cluster that
//! `tests/cluster/up` starts (see README). The tests are `#[ignore]`d so that
//! a plain `cargo test` runs only the hermetic tests; `tests/run` enables them
//! with `--include-ignored`, and then a cluster that does not answer is a
//! failure, never a skip.
