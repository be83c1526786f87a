"""Finding abstracts: the query language, the search index and its postings."""
