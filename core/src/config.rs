//! The deployment config: schema, loading and merging, `--set`, validation.
