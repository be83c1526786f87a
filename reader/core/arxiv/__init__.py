"""The arXiv API: `queries` (what to ask), `client` (asking politely: throttled, paged,
retried), `atom` (Atom entries -> `Abstract`s), `subscriptions` (what plain `reader
fetch` asks for), `fetch` (pages into the Library as they arrive)."""
