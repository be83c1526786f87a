"""From text files to Abstract records: the parser, LaTeX to Unicode, the importer."""
