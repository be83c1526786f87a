"""Text fields that run their own keys in the order they were typed.

Textual runs a focused widget's bindings (an `Input`'s enter and backspace, a
`TextArea`'s backspace, ctrl+z, the arrows) only once the key has bubbled up to the
app, through each ancestor's message queue. The field meanwhile takes the next keys
from its own queue, so when keys come in a burst (a fast typist, a paste of keys, an
SSH link that sends them together) a character typed after a binding's key is
inserted before that binding runs:

- `x enter j j` in the tag prompt applied the tag `xjj`;
- `a b c backspace d` in the filter left `abc`, not `abd`; in a note, the same.

`run_own_binding` runs the field's own binding for a key at once, in the field's
queue, before any key typed after it. Keys bound on the screens around the field
still bubble as before.
"""

from __future__ import annotations

from textual import events
from textual.widget import Widget


async def run_own_binding(widget: Widget, event: events.Key) -> bool:
    """Run `widget`'s own (non-priority) binding of `event`'s key now, as the app's
    keymap has it; True when one ran (the key is then used up)."""
    if event.is_printable:
        return False  # the field inserts it itself, in order
    bindings = widget._bindings.copy()  # the app does the same per key (private API)
    keymap = widget.app._keymap
    if keymap:
        bindings.apply_keymap(keymap)
    for binding in bindings.key_to_bindings.get(event.key, ()):
        if not binding.priority and await widget.app.run_action(binding.action, widget):
            event.stop()
            event.prevent_default()
            return True
    return False
