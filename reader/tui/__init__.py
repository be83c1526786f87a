"""The terminal interface: a Textual app over `reader.core.library.Library`."""
