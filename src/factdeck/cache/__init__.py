"""Build state kept between runs: the per-file cache, the incremental stages that use it,
the early-stop manifest, and factdeck's own code digest that keys them all."""
