"""Moving data in and out: `reader import`, `reader export`, `reader restore`."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click

from reader.cli.common import State, UserError, pass_state, plural, query_text, utf8
from reader.core.export import FORMATS  # the package's __init__ alone: no exporter yet

PROGRESS_FILES = 20
"""An import of more files than this shows a progress bar..."""
PROGRESS_BYTES = 20_000_000
"""...and so does one of more bytes than this."""


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@pass_state
def import_(state: State, paths: tuple[Path, ...]) -> None:
    """Import files of abstracts, or every file in folders."""
    from reader.core.ingest import importer

    library = state.library()
    files = importer.expand(list(paths))
    size = 0
    for path, problem in files:
        if problem is None:
            with contextlib.suppress(OSError):
                size += path.stat().st_size
    if len(files) > PROGRESS_FILES or size > PROGRESS_BYTES:
        with click.progressbar(length=len(files), label="Importing", file=sys.stderr) as bar:
            report = library.import_paths(paths, lambda done, _: bar.update(done - bar.pos))
    else:
        report = library.import_paths(paths)
    for file in report.files:
        click.echo(file.summary(), err=bool(file.error))
        for warning in file.warnings:
            click.echo(f"  warning: {warning}", err=True)
    files_read = plural(len(report.files), "file")
    total = (
        f"{files_read}: {report.added} added, {report.updated} updated, "
        f"{report.unchanged} unchanged"
    )
    click.echo(total + (f", {report.failed} failed" if report.failed else ""))
    if report.errors:
        raise UserError(f"{len(report.errors)} of {files_read} failed to import")


@click.command("export")
@click.argument("query", nargs=-1, callback=utf8("query"))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="json")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="File (for notes: a folder).")
@click.option("--raw", is_flag=True, help="Markdown: keep the abstracts' LaTeX as written.")
@pass_state
def export_(state: State, query: tuple[str, ...], fmt: str, output: Path | None, raw: bool) -> None:
    """Export the abstracts matching QUERY (all when none), with your annotations.

    A JSON export restores with `reader restore`; with no QUERY it also holds the
    annotations of ids not in this library. It keeps the LaTeX as written; the
    Markdown export renders it as Unicode (unless --raw). bibtex: a @misc entry each
    (citation keys like vaswani2017attention); csv: a row each; html: one page;
    notes: a Markdown file per abstract with a note or tags, into the folder -o DIR.
    """
    from reader.core import export

    text = query_text(query)
    library = state.library()
    ids = library.search(text).ids
    if not text:
        known = set(ids)
        ids += [k for k in library.annotations() if k not in known]
    if fmt == "notes" and output is None:
        raise UserError("the notes export writes a folder: give it with -o DIR")
    if output is None:
        click.echo(export.render(fmt, library, ids, raw=raw), nl=False)
        return
    click.echo(export.write_export(fmt, library, ids, output, raw=raw), err=True)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_state
def restore(state: State, file: Path) -> None:
    """Put back the statuses, tags, notes and titles of a JSON export."""
    done = state.library().restore(file)
    line = f"restored {done.records} records from {file}: {done.change.count} changed"
    if done.elsewhere:
        line += f", {done.elsewhere} for abstracts not in this library (kept)"
    click.echo(line)
