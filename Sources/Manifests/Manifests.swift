// Manifests module.
