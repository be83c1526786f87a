"""What every dialog of the app shares: it returns once, and it loses no key.

Textual's `Screen.dismiss` pops whatever screen is on top, not the screen it is called
on. Keys come faster than a dialog closes (a paste, a fast typist, a held key): a
second enter is already queued in the prompt when the first one dismisses it, and its
`Input.Submitted` then dismissed the screen under the prompt (`ScreenStackError` when
that was the main screen) or ran the dialog's callback twice. A dialog therefore
dismisses only while it is the top screen; a late event's dismiss does nothing.

Keys typed right after the key that opens a dialog (`t x y enter` in one burst) reach
the app before the dialog has composed its widgets. The app sends each key to the
focused widget, and while the new screen has none yet, to the screen itself
(`App.on_event`), where a character is dropped: no widget takes it. So a dialog holds
the keys sent to it before anything in it has focus, and hands them, in order, to the
widget that gets the focus first (or to itself when it has nothing to focus), before
any later key can reach that widget. The keys its widgets let through run the
dialog's bindings while it is on top; once it has closed, they are dropped, never run on
the screen below.
"""

from __future__ import annotations

from typing import Any, TypeVar

from textual import events
from textual.await_complete import AwaitComplete
from textual.screen import ModalScreen, Screen
from textual.widget import Widget

ResultType = TypeVar("ResultType")


def may_dismiss(screen: Screen[Any]) -> bool:
    """True while `screen` is the top screen: only then may it dismiss (and so pop)."""
    return screen.is_active


class Dialog(ModalScreen[ResultType]):
    """A modal screen that dismisses once (a dismiss after that, from a late event, is
    ignored) and passes on the keys typed while it opened."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held: list[events.Key] | None = []
        """Keys sent to the screen before anything in it had focus; None once handed on."""

    def dismiss(self, result: ResultType | None = None) -> AwaitComplete:
        if not may_dismiss(self):
            return AwaitComplete.nothing()  # dismissed already: this event came late
        return super().dismiss(result)

    def _forward_event(self, event: events.Event) -> None:
        # The app calls this (synchronously, in the order keys arrive) for a key when
        # nothing on this screen has focus yet: keep it for the widget that gets focus.
        if isinstance(event, events.Key) and self._held is not None and self.focused is None:
            event._set_forwarded()
            self._held.append(event)
            return
        super()._forward_event(event)

    def set_focus(
        self, widget: Widget | None, scroll_visible: bool = True, from_app_focus: bool = False
    ) -> None:
        super().set_focus(widget, scroll_visible, from_app_focus)
        if widget is not None and self.focused is widget:
            self._hand_on_keys(widget)

    def _on_mount(self, event: events.Mount) -> None:
        # Composed and auto-focused by now; a dialog with nothing to focus takes its keys
        # itself (its own bindings: y and n in a confirmation)
        self._hand_on_keys(self.focused or self)

    async def on_key(self, event: events.Key) -> None:
        # A key its widget let through (enter, escape, arrows) would go on to the app,
        # which runs the binding of whatever screen is on top by the time it gets there:
        # after an enter that closed this dialog, a second enter opened the detail pane
        # below. Run its binding here, in order, while this dialog is on top; a key that
        # comes after the dialog closed was typed into it: drop it.
        event.stop()
        if self.is_active:
            await self.app._check_bindings(event.key)  # what the app would do (private API)

    def _hand_on_keys(self, target: Widget) -> None:
        """Post the held keys to `target` now, in order: the app sends later keys to the
        focused widget (or to this screen), so they queue behind these."""
        held, self._held = self._held, None
        for key in held or ():
            target.post_message(key)
