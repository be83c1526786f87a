"""Core tests: no screen. They use the shared `data_dir` and `library` (tests/conftest.py)."""
