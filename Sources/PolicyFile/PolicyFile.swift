// PolicyFile module.
