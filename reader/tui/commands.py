"""The command palette (ctrl+p) and the help screen share this list of commands.

Every key binding with an id becomes a command, so each key's action is also in the
palette; screens add commands without a key through `palette_commands()`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial

from textual.binding import Binding, BindingsMap
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode


@dataclass(frozen=True)
class Command:
    """One palette entry."""

    title: str
    help: str
    callback: Callable[[], object]


def key_bindings(nodes: Iterable[DOMNode]) -> list[tuple[DOMNode, Binding]]:
    """The bindings with an id of each node, in declaration order, each with its keys as
    the app's keymap has them (`key` is "" when the keymap gave its keys to another).

    Textual has no public way to list one node's bindings as remapped by
    `App.set_keymap`; this applies the keymap as `Screen._binding_chain` does.
    """
    found: list[tuple[DOMNode, Binding]] = []
    seen: set[str] = set()
    for node in nodes:
        declared: dict[str, Binding] = {}
        for binding in Binding.make_bindings(node.BINDINGS):
            if binding.id:
                declared.setdefault(binding.id, binding)
        bindings = BindingsMap(Binding.make_bindings(node.BINDINGS))
        keymap = node.app._keymap
        if keymap:
            bindings.apply_keymap(keymap)
        keys: dict[str, list[str]] = {}
        for key, binding in bindings:
            if binding.id and key not in keys.setdefault(binding.id, []):
                keys[binding.id].append(key)  # (a keymap can list a key twice)
        for binding_id, binding in declared.items():
            if binding_id not in seen:
                seen.add(binding_id)
                found.append((node, binding.with_key(",".join(keys.get(binding_id, [])))))
    return found


def key_display(node: DOMNode, binding: Binding) -> str:
    """The keys of `binding` as the footer writes them: `j, down` (`none` for no key)."""
    if not binding.key:
        return "none"
    if binding.key_display:
        return binding.key_display
    return ", ".join(node.app.get_key_display(binding.with_key(k)) for k in binding.key.split(","))


def binding_commands(nodes: Iterable[DOMNode]) -> list[Command]:
    """A command per binding: running it runs the binding's action on its node."""
    return [
        Command(
            binding.description,
            f"{key_display(node, binding)}  ({binding.id})",
            partial(node.app.run_action, binding.action, node),
        )
        for node, binding in key_bindings(nodes)
        if binding.description
    ]


class ScreenCommands(Provider):
    """The commands of the screen the palette was opened over (its `palette_commands()`)."""

    def _commands(self) -> list[Command]:
        commands = getattr(self.screen, "palette_commands", None)
        return list(commands()) if commands is not None else []

    async def discover(self) -> Hits:
        for command in self._commands():
            yield DiscoveryHit(command.title, command.callback, help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._commands():
            score = matcher.match(command.title)
            if score > 0:
                yield Hit(
                    score, matcher.highlight(command.title), command.callback, help=command.help
                )
