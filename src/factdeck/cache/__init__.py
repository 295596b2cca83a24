"""Build state kept between runs: the per-file cache, the incremental stages that use it,
lint through the cache (each
file's lint kept apart from its results), the early-stop manifest, and factdeck's own code digest that keys them all."""
