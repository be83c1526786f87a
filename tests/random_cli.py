"""The second process of the randomized concurrency test: random CLI changes.

Run as `python tests/random_cli.py DATA_DIR LOG SEED STOP_FILE`: makes random
`reader` commands on DATA_DIR (in this process, through click, as a script calling
the CLI would), a few a second, logging every change with `audit`, until STOP_FILE
appears. Prints how many commands ran.
"""

from __future__ import annotations

import contextlib
import io
import random
import sys
import time
from pathlib import Path

import click

sys.path.insert(0, str(Path(__file__).parent))
import audit  # noqa: E402

from reader.cli import cli  # noqa: E402
from reader.core.library import Library  # noqa: E402

STATUSES = ["unread", "to-read", "reading", "read", "skipped"]
TAGS = ["a", "b", "c"]


def command(rng: random.Random, ids: list[str], n: int) -> list[str]:
    record = rng.choice(ids)
    kind = rng.random()
    if kind < 0.3:
        return ["status", record, rng.choice(STATUSES)]
    if kind < 0.55:
        sign = rng.choice("+-")
        return ["tag", record, f"{sign}{rng.choice(TAGS)}"]
    if kind < 0.8:
        return ["note", record, "--append", f"cli token {n}"]
    if kind < 0.9:
        return ["note", record, "--set", f"cli set {n}"]
    return ["title", record, rng.choice(["", f"cli title {n}"])]


def main() -> None:
    data_dir, log, seed, stop = sys.argv[1:5]
    audit.install(Path(log), "cli")
    rng = random.Random(int(seed))
    ids = Library(Path(data_dir)).ids()[:6]  # a few records, so the two sides collide
    ran = 0
    n = 0
    while not Path(stop).exists():
        n += 1
        time.sleep(rng.random() * 0.2)  # the app's pace: its writes interleave with ours
        args = ["--data-dir", data_dir, *command(rng, ids, n)]
        quiet = contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO())
        # a refused change raises; audit has logged it with its message
        with quiet[0], quiet[1], contextlib.suppress(click.ClickException, SystemExit):
            cli.main(args, prog_name="reader", standalone_mode=False)
        ran += 1
    print(ran)


if __name__ == "__main__":
    main()
