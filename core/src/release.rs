//! Release records stored in Secrets, and the release lock.
