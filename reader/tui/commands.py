"""The command palette's (ctrl+p) providers, and the key lists the help screen shares.

Every key binding with an id becomes a command (`KeyCommands`), so each key's action is
also in the palette; `MainCommands` and `ViewCommands` add the actions without a key.
A screen lists its providers in `COMMANDS` (as `MainScreen` does).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.binding import Binding, BindingsMap
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode
from textual.screen import Screen

from reader.tui.sorting import SORT_CYCLE, SORT_LABELS
from reader.tui.widgets.views_sidebar import view_list

if TYPE_CHECKING:
    from reader.tui.screens.main import MainScreen


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


FROM_PALETTE: ContextVar[bool] = ContextVar("FROM_PALETTE", default=False)
"""True while an action runs from the palette, not for a typed key (an action that
skips itself for keys typed in the filter runs anyway from here)."""


async def run_from_palette(node: DOMNode, action: str) -> bool:
    """Run a binding's `action` on `node` for the palette (with `FROM_PALETTE` set)."""
    token = FROM_PALETTE.set(True)
    try:
        return await node.app.run_action(action, node)
    finally:
        FROM_PALETTE.reset(token)


def binding_commands(nodes: Iterable[DOMNode]) -> list[Command]:
    """A command per binding: running it runs the binding's action on its node."""
    return [
        Command(
            binding.description,
            f"{key_display(node, binding)}  ({binding.id})",
            partial(run_from_palette, node, binding.action),
        )
        for node, binding in key_bindings(nodes)
        if binding.description
    ]


class CommandProvider(Provider):
    """A provider over a list of `Command`s (`commands()`), matched by title."""

    def commands(self) -> list[Command]:
        """The commands to offer now (read when the palette opens and on each search)."""
        raise NotImplementedError

    @property
    def main(self) -> MainScreen:
        """The screen the palette was opened over (one that lists this provider)."""
        return cast("MainScreen", self.screen)

    async def discover(self) -> Hits:
        for command in self.commands():
            yield DiscoveryHit(command.title, command.callback, help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self.commands():
            score = matcher.match(command.title)
            if score > 0:
                yield Hit(
                    score, matcher.highlight(command.title), command.callback, help=command.help
                )


class KeyCommands(CommandProvider):
    """Every key's action: the bindings of the list, the screen, the filter and the app."""

    def commands(self) -> list[Command]:
        return binding_commands(self.main.binding_nodes())


class MainCommands(CommandProvider):
    """The main screen's actions without a key: auto-advance, the filter, the sort
    orders, restoring an export."""

    def commands(self) -> list[Command]:
        main = self.main
        state = "on" if main.auto_advance else "off"
        return [
            Command(
                "Toggle auto-advance",
                f"Move to the next abstract after a status key (now {state})",
                main.action_toggle_auto_advance,
            ),
            Command("Clear the filter", "Show every abstract", main.clear_filter),
            *(
                Command(
                    f"Sort by {SORT_LABELS[sort]}",
                    f"Order the list by {sort}",
                    partial(main.set_sort, sort),
                )
                for sort in SORT_CYCLE
            ),
            Command(
                "Restore an export",
                "Put back statuses, tags, notes and titles from a JSON export (undoable)",
                main.action_restore,
            ),
        ]


class ViewCommands(CommandProvider):
    """Show each view (also where the sidebar has no room); rename and delete saved ones."""

    def commands(self) -> list[Command]:
        main = self.main
        library = main.library
        commands = [
            Command(f"Show view {name}", query or "(everything)", partial(main.apply_view, query))
            for _, name, query in view_list(library)
        ]
        for view in library.views():
            name = view.name
            commands.append(
                Command(f"Rename view {name}", view.query, partial(main.rename_view, name))
            )
            commands.append(
                Command(f"Delete view {name}", view.query, partial(main.delete_view, name))
            )
        return commands


def screen_commands(screen: Screen[object]) -> list[Command]:
    """Every command the palette offers over `screen`, from the providers it lists."""
    found: list[Command] = []
    for provider in screen.COMMANDS:
        if isinstance(provider, type) and issubclass(provider, CommandProvider):
            found += provider(screen).commands()
    return found
