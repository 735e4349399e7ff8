//! The user's verbs (deploy, upgrade, teardown, status, history, rollback),
//! each composed from the other modules.
