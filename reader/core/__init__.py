"""The headless core: parsing, storage, the query language and the Library API.

Nothing below this package imports Textual (a test enforces it), so the CLI, the TUI
and scripts all share one implementation of every rule about the data.
"""
