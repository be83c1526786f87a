"""Discovery over the library: abstracts like one (`similar`), an order learned from
the user's own triage and per-tag suggestions (`rank`), and the numbers of the stats
screen (`stats`, from the change log of `changelog`).

Everything reads the search index through `vectors.IndexView` (its postings and the
user's data on each row), so the index itself stays a search index.
"""
