"""The detail pane: everything about the highlighted abstract, and the user's note."""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Markdown, Static

from reader.core.models import Abstract, Annotation
from reader.tui.render import glyph, highlight, latex_text, tag_text


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
        title.update(highlight(Text(annotation.title or abstract.headline), terms, match))
        meta.update(self._metadata(abstract, annotation))
        body.update(highlight(latex_text(abstract.text, self._style("math")), terms, match))
        has_note = bool(annotation.note.strip())
        label.display = note.display = has_note
        if has_note:
            note.update(annotation.note)
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

        if abstract.arxiv_id and abstract.url:
            version = f"v{abstract.version}" if abstract.version else ""
            line("arXiv", f"{abstract.arxiv_id}{version}")
            line("link", Text(abstract.url, self._style("link") + Style(link=abstract.url)))
        if abstract.headline != (annotation.title or abstract.headline):
            line("headline", abstract.headline)
        line("date", abstract.date or "unknown")
        line("source", f"{abstract.source} #{abstract.position} (line {abstract.line})")
        for comment in abstract.comments:
            line("comments", comment)
        status = annotation.status
        line("status", f"{glyph(status)} {status.label}")
        line("tags", Text(tag_text(annotation.tags) or "none", self._style("tags")))
        return text
