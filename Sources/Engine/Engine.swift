// Engine module.
