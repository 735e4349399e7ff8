//! Renderers: the platform, agent and ponos charts as Kubernetes objects.
