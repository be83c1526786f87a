"""The detail pane: everything about the highlighted abstract, and the user's note."""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Markdown, Static

from reader.core.models import Abstract, Annotation, Record
from reader.tui.render import glyph, highlight, latex_text

SHOWN_NOTE = 16 * 1024
"""Characters of a note the pane renders as Markdown: a longer note shows its start and
how much more there is (rendering megabytes of Markdown froze the app for seconds)."""


def shown_note(note: str) -> str:
    """`note`, or its first SHOWN_NOTE characters (cut at a line end) and what is left."""
    if len(note) <= SHOWN_NOTE:
        return note
    cut = note.rfind("\n", 0, SHOWN_NOTE)
    head = note[: cut if cut > 0 else SHOWN_NOTE]
    rest = (len(note) - len(head)) // 1024
    return f"{head}\n\n*… {rest} kB more: e opens the whole note in $EDITOR.*"


class DetailPane(VerticalScroll):
    """Title, metadata (arXiv link, date, source, comments), status, tags, the
    user's note rendered as Markdown (above the abstract, so it shows without
    scrolling), and the abstract with its LaTeX rendered.

    Call `show(abstract, annotation, terms)`; `terms` are highlighted in the title and
    the abstract.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "detail--label",
        "detail--link",
        "detail--math",
        "detail--match",
        "detail--tags",
    }

    def compose(self) -> ComposeResult:
        yield Static(id="detail-title")
        yield Static(id="detail-meta")
        yield Static("Note", id="detail-note-label")
        yield Markdown(id="detail-note")
        yield Static(id="detail-abstract")

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"detail--{name}", partial=True)

    def show(
        self, abstract: Abstract | None, annotation: Annotation, terms: tuple[str, ...] = ()
    ) -> None:
        """Show one abstract (None: nothing matches)."""
        title = self.query_one("#detail-title", Static)
        meta = self.query_one("#detail-meta", Static)
        body = self.query_one("#detail-abstract", Static)
        label = self.query_one("#detail-note-label", Static)
        note = self.query_one("#detail-note", Markdown)
        if abstract is None:
            title.update("No abstract matches the filter.")
            for widget in (meta, body):
                widget.update("")
            label.display = note.display = False
            return
        match = self._style("match")
        title.update(highlight(Text(Record(abstract.id, abstract, annotation).title), terms, match))
        meta.update(self._metadata(abstract, annotation))
        body.update(highlight(latex_text(abstract.text, self._style("math")), terms, match))
        has_note = bool(annotation.note.strip())
        label.display = note.display = has_note
        if has_note:
            note.update(shown_note(annotation.note))
        if self.scroll_y:
            self.scroll_home(animate=False)

    def _metadata(self, abstract: Abstract, annotation: Annotation) -> Text:
        """Label/value lines: id and link, date, source, comments, status, tags."""
        label = self._style("label")
        text = Text()

        def line(name: str, value: Text | str) -> None:
            if text:
                text.append("\n")
            text.append(f"{name:<9}", label)
            text.append_text(value if isinstance(value, Text) else Text(value))

        record = Record(abstract.id, abstract, annotation)
        if record.arxiv_label and record.url:
            line("arXiv", record.arxiv_label)
            line("link", Text(record.url, self._style("link") + Style(link=record.url)))
        if abstract.headline != record.title:
            line("headline", abstract.headline)
        line("date", abstract.date or "unknown")
        line("source", f"{abstract.source} #{abstract.position} (line {abstract.line})")
        for comment in abstract.comments:
            line("comments", comment)
        status = annotation.status
        line("status", f"{glyph(status)} {status.label}")
        line("tags", Text(record.tags or "none", self._style("tags")))
        return text
