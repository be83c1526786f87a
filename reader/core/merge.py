"""Three-way merge of notes: two people (windows, processes) edited one note.

When a note is saved, the editor says what the note was when its edit began (the
base). If the note on disk is still the base, the new text simply replaces it. If
something else changed it meanwhile, the two edits are merged line by line against
the base with `merge3` (breezy's three-way merge): edits to different lines both
land; lines both sides inserted at the same place are both kept (the other's first);
lines both sides changed differently are kept twice, between conflict markers, and
the user is told. Neither side is ever dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

MINE = "<<<<<<< this edit"
SEPARATOR = "======="
THEIRS = ">>>>>>> saved elsewhere meanwhile"
"""The markers around the two versions of lines both sides changed."""


@dataclass(frozen=True)
class Merged:
    """The result of merging one note."""

    text: str
    outcome: str
    """"saved" (no one else changed it), "merged" (both edits kept, no overlap) or
    "conflict" (both versions kept between markers)."""

    @property
    def clean(self) -> bool:
        return self.outcome != "conflict"


def merge_note(base: str, theirs: str, mine: str) -> Merged:
    """Merge `mine` (this edit) and `theirs` (what is on disk), both made from `base`."""
    if theirs in (base, mine):
        return Merged(mine, "saved")
    if mine == base:
        return Merged(theirs, "merged")
    lines = [_lines(base), _lines(theirs), _lines(mine)]
    import merge3  # only when a note is merged: not at every command's start

    merger = merge3.Merge3(lines[0], lines[1], lines[2])
    out: list[str] = []
    conflict = False
    for region in merger.merge_regions():
        kind = region[0]
        if kind == "unchanged":
            out += lines[0][region[1] : region[2]]
        elif kind in ("a", "same"):
            out += lines[1][region[1] : region[2]]
        elif kind == "b":
            out += lines[2][region[1] : region[2]]
        else:  # conflict: (kind, z1, z2, a1, a2, b1, b2)
            z1, z2, a1, a2, b1, b2 = region[1:7]  # type: ignore[misc]
            ours, others = lines[2][b1:b2], lines[1][a1:a2]
            if z1 == z2:  # both only inserted here: keep both, theirs first
                out += others + ours
            else:
                conflict = True
                out += [MINE + "\n", *ours, SEPARATOR + "\n", *others, THEIRS + "\n"]
    text = "".join(out)
    if not any(t.endswith("\n") for t in (base, theirs, mine)):
        text = text.removesuffix("\n")
    return Merged(text, "conflict" if conflict else "merged")


def _lines(text: str) -> list[str]:
    """The lines of `text`, each ending in a newline (so a last line compares equal)."""
    parts = text.split("\n")
    if parts[-1] == "":
        parts.pop()
    return [part + "\n" for part in parts]
