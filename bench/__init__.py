"""Load benchmarks run against the real app; see bench/patrol_scans.py."""
