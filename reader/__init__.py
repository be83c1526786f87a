"""reader: read and triage research abstracts in the terminal, and keep notes on them."""

import os

# reader does no linear algebra, but numpy's import starts OpenBLAS's thread pool,
# whose threads cost every process ~35 ms of wall time and ~65 ms of CPU on a 2-core
# box (`python -c "import numpy"`: 118 ms wall, 136 ms CPU; with one thread 84 and 71).
# Set before any numpy import; a user's own setting wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"
