"""Putting text on the system clipboard through the programs that can, and saying
honestly how it went.

A terminal app has one way of its own, OSC 52 (the app sends it; see
`App.copy_to_clipboard`), and no way to know whether the terminal honoured it: tmux
drops it unless `set -g set-clipboard on`, many terminals ignore it. So `copy` also
tries, in order, the clipboard programs the session can use: `wl-copy` (Wayland),
`xclip` / `xsel` (X11), `pbcopy` (macOS), and, inside tmux, `tmux load-buffer` (its
paste buffer, and through it the terminal's clipboard where tmux is set up so). The
first that succeeds is named in the message; when none does, the message says so.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field

TIMEOUT = 3.0
"""Seconds a clipboard program may take before it counts as failed."""


@dataclass(frozen=True)
class Tool:
    """A clipboard program: its name, the command that reads the text on stdin, and
    the environment variable that says the session can use it (None: always try)."""

    name: str
    argv: tuple[str, ...]
    needs: str | None
    where: str
    """Where the text lands, for the message: "the clipboard", "tmux's paste buffer"."""


TOOLS = (
    Tool("wl-copy", ("wl-copy",), "WAYLAND_DISPLAY", "the clipboard"),
    Tool("xclip", ("xclip", "-selection", "clipboard", "-in"), "DISPLAY", "the clipboard"),
    Tool("xsel", ("xsel", "--clipboard", "--input"), "DISPLAY", "the clipboard"),
    Tool("pbcopy", ("pbcopy",), None, "the clipboard"),
    Tool("tmux", ("tmux", "load-buffer", "-w", "-"), "TMUX", "tmux's paste buffer"),
    Tool("tmux", ("tmux", "load-buffer", "-"), "TMUX", "tmux's paste buffer"),  # < 3.2
)
"""Tried in this order; the first that exits 0 wins."""


@dataclass
class Copied:
    """How a copy went: the tool that took the text (None: none did) and why the
    others that were tried failed."""

    tool: Tool | None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.tool is not None

    def message(self, what: str, *, osc52: bool = True) -> str:
        """One line for the user: which way `what` went, or plainly that it did not."""
        also = " (also sent to the terminal by OSC 52)" if osc52 else ""
        if self.tool is not None:
            return f"Copied {what} to {self.tool.where} with {self.tool.name}{also}."
        names = ", ".join(dict.fromkeys(t.name for t in TOOLS))
        tried = f": {'; '.join(self.problems)}" if self.problems else ""
        told = (
            "; sent by OSC 52 only, which your terminal may ignore (tmux: set -g set-clipboard on)"
            if osc52
            else ""
        )
        return f"Could not copy {what}: no clipboard program worked ({names}){tried}{told}."


def available(env: Mapping[str, str] | None = None) -> list[Tool]:
    """The tools this session can try: on PATH, and their display (or tmux) is set."""
    env = os.environ if env is None else env
    path = env.get("PATH")
    return [
        tool
        for tool in TOOLS
        if (tool.needs is None or env.get(tool.needs)) and shutil.which(tool.argv[0], path=path)
    ]


def copy(text: str, env: Mapping[str, str] | None = None) -> Copied:
    """Put `text` on the first clipboard that takes it (see `TOOLS`). Never raises.

    The programs' output goes to /dev/null: xclip and wl-copy stay in the background
    to serve the selection, and a pipe they hold open would make this wait for them.
    """
    problems: list[str] = []
    for tool in available(env):
        try:
            done = subprocess.run(
                tool.argv,
                input=text.encode(),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=TIMEOUT,
                check=False,
                env=None if env is None else dict(env),
            )
        except subprocess.TimeoutExpired:
            problems.append(f"{tool.name} did not answer in {TIMEOUT:.0f} s")
            continue
        except OSError as error:
            problems.append(f"{tool.name}: {error.strerror or error}")
            continue
        if done.returncode == 0:
            return Copied(tool, problems)
        problems.append(f"{tool.name} failed (exit {done.returncode})")
    return Copied(None, problems)
