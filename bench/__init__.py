"""Benchmarks and the demo: scripts that print their figures."""
