//! The release catalogue, pinning of `deploymentVersion`, and upgrade policy.
