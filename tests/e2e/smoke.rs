//! Smoke tests of the local cluster kit.
