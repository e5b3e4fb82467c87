"""Operator scripts: run from the repository root, ``.venv/bin/python -m scripts.NAME``."""
