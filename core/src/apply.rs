//! Plan, ordered parallel server-side apply, prune, wait and hooks.
