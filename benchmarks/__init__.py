"""Benchmarks for Daylights (see docs/PERFORMANCE.md)."""
