//! Rendering tests: every parameter of `shared/design/parameters.md` set,
//! rendered, and its effect on the objects asserted; plus the invariants of
//! every manifest (labels, names, order, determinism, redaction).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test and its helpers report a failure by panicking"
)]

mod support;

mod agent_chart;
mod chart_versions;
mod databases;
mod dependencies_1x;
mod invariants;
mod platform_chart;
mod ponos_chart;
