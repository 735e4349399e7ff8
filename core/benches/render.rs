//! Render time of the largest platform config of the reference set
//! (`polyaxon-1.14-all_platform_values.yml`, pinned to 1.14.0), in process.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, criterion_main};
use polyaxon_core::config::{LoadOptions, load};
use polyaxon_core::render::{ReleaseState, output, render};

fn largest_platform_config() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../../shared/reference/polyaxon-configs");
    let dir = if shared.exists() {
        shared
    } else {
        PathBuf::from("/work/shared/reference/polyaxon-configs")
    };
    dir.join("polyaxon-1.14-all_platform_values.yml")
}

fn bench(c: &mut Criterion) {
    let options = LoadOptions {
        files: vec![largest_platform_config()],
        deployment_version: Some("1.14.0".into()),
        ..LoadOptions::default()
    };
    let deployment = match load(&options) {
        Ok(d) => d,
        Err(e) => panic!("the benchmark config must load: {e}"),
    };
    let state = ReleaseState::placeholder(&deployment.release_name);
    c.bench_function("render largest platform config", |b| {
        b.iter(|| render(black_box(&deployment), black_box(&state)))
    });
    c.bench_function("load + render + YAML (the dry run's work)", |b| {
        b.iter(|| {
            let deployment = load(black_box(&options)).ok();
            deployment
                .and_then(|d| render(&d, &state).ok())
                .and_then(|m| output::to_yaml(&m, false).ok())
        })
    });
}

/// The group criterion runs; kept in a module of its own because the
/// macro makes an undocumented public function.
mod group {
    criterion::criterion_group!(benches, super::bench);
}
criterion_main!(group::benches);
