"""Input completion for tags: the last word of a tag list, from the library's tags."""

from __future__ import annotations

import re
from collections.abc import Mapping

from textual.suggester import Suggester

_LAST = re.compile(r"^(.*?)(-?#?)([^\s,]*)$", re.DOTALL)


class TagSuggester(Suggester):
    """Completes the word being typed in `ml, -old, rea` to a known tag (`reading`).

    Tags are offered most used first; a leading `-` (remove) or `#` is kept.
    """

    def __init__(self, counts: Mapping[str, int]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.tags = [tag for tag, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]

    async def get_suggestion(self, value: str) -> str | None:
        match = _LAST.match(value)
        if match is None:
            return None
        head, mark, word = match.groups()
        if not word:
            return None
        lowered = word.lower()
        for tag in self.tags:
            if tag.startswith(lowered) and tag != lowered:
                return head + mark + tag
        return None


def split_tags(text: str) -> tuple[list[str], list[str]]:
    """Tags to add and to remove from `a, b -c #d`: (["a", "b", "d"], ["c"])."""
    add: list[str] = []
    remove: list[str] = []
    for word in re.split(r"[\s,]+", text.strip()):
        if word.startswith("-") and len(word) > 1:
            remove.append(word[1:])
        elif word and word != "-":
            add.append(word)
    return add, remove
