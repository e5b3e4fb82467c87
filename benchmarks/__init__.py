"""Benchmarks: run each as a module from the repository root,
``.venv/bin/python -m benchmarks.NAME``."""
