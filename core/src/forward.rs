//! Port-forward from a local listener to the release's gateway.
