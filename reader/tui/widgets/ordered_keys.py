"""Text fields that run their own keys in the order they were typed.

Textual runs a focused widget's bindings (an `Input`'s enter and backspace, a
`TextArea`'s backspace, ctrl+z, the arrows) only once the key has bubbled up to the
app, through each ancestor's message queue. The field meanwhile takes the next keys
from its own queue, so when keys come in a burst (a fast typist, a paste of keys, an
SSH link that sends them together) a character typed after a binding's key is
inserted before that binding runs:

- `x enter j j` in the tag prompt applied the tag `xjj`;
- `a b c backspace d` in the filter left `abc`, not `abd`; in a note, the same.

`run_own_binding` runs the binding of a key the field does not take itself at once,
in the field's queue, before any key typed after it: the field's own binding, else
one of the widgets it is part of (the filter bar's escape and up), as the app would
find it. The screen's and the app's bindings still wait for the key to bubble up (a
dialog runs them only while it is on top: see `Dialog.on_key`), unless the field asks
for its screen's too (`screen=True`: the note editor's escape closes it in the order
typed, and `hand_on` sends the keys typed after it to the screen below).
"""

from __future__ import annotations

from textual import events
from textual._context import active_message_pump
from textual.screen import Screen
from textual.widget import Widget


async def run_own_binding(widget: Widget, event: events.Key, *, screen: bool = False) -> bool:
    """Run the (non-priority) binding of `event`'s key on `widget` or on the widgets
    around it below its screen (with `screen`, on its screen too), nearest first, as
    the app's keymap has it; True when one ran (the key is then used up). A key the
    field takes itself (a character) runs nothing here."""
    if widget.check_consume_key(event.key, event.character):
        return False  # the field inserts it itself, in order
    keymap = widget.app._keymap
    for node in widget.ancestors_with_self:
        if isinstance(node, Screen) and not screen:
            break
        bindings = node._bindings.copy()  # as the app does for each key (private API)
        if keymap:
            bindings.apply_keymap(keymap)
        for binding in bindings.key_to_bindings.get(event.key, ()):
            if not binding.priority and await widget.app.run_action(binding.action, node):
                event.stop()
                event.prevent_default()
                return True
        if isinstance(node, Screen):
            break
    return False


async def hand_on(widget: Widget, event: events.Key) -> None:
    """Send `event` (a key that reached `widget` after its field was left: escape in
    the note editor) on as the app routes a key from the terminal: the app's priority
    bindings first (`t` opens the tag prompt), else to what has the focus then (a dialog
    just opened holds it). A key handed on as a forwarded one bubbled up only to the
    ordinary bindings, and the priority ones never ran."""
    event.stop()
    event.prevent_default()
    app = widget.app
    key = events.Key(event.key, event.character)
    key.set_sender(app)
    # as the app does (private API), and as from the app: a dialog a binding opens
    # answers the app (Textual calls a dialog's callback through the message pump that
    # pushed it: the closed note editor's field never ran it, and the tag was lost)
    token = active_message_pump.set(app)
    try:
        if await app._check_bindings(key.key, priority=True):
            return
        # an ordinary binding of what has the focus runs now too: forwarded, `j` waited in
        # the list's queue while the `t` after it (a priority binding) ran at once, and
        # tagged the row above the one `j` moved to
        focused = app.focused
        typed = focused is not None and focused.check_consume_key(key.key, key.character)
        if not typed and await app._check_bindings(key.key):
            return
    finally:
        active_message_pump.reset(token)
    (app.focused or app.screen)._forward_event(key)  # as the app does, in order
