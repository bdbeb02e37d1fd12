"""Synthetic Kalimantan population for demos, tests and benchmarks (``jaminan generate``, ``jaminan stats``)."""
