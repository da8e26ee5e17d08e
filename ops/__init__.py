"""Developer and operator tooling: model cache, process launcher, the `make run` entry point."""
