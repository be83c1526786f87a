"""The detail pane: the highlighted abstract first, one line of metadata, the user's note."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from reader.core.models import Abstract, Annotation, Record, Status
from reader.tui.render import Hanging, glyph, highlight, latex_text, source_label

if TYPE_CHECKING:
    from textual.widgets import Markdown

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
    """The abstract of the highlighted record, as it opens: its title (only when it has
    one: an untitled abstract's first sentence is already its first line), one line of
    metadata (id · date · authors · categories · source · status · tags, wrapped with a
    hanging indent), its links whole (so terminals detect them), the abstract with its
    LaTeX rendered, then the user's note as Markdown. Nothing long comes before the
    abstract, so it never leaves the screen. The Markdown widget is made for the first
    note shown, once the frame being drawn is on screen: importing and building it
    (markdown-it, a widget per block) took a tenth of the app's start, and the first
    abstract's note now follows the first frame instead of delaying it.

    Call `show(abstract, annotation, terms)`; `terms` are highlighted in the title and
    the abstract. j/k (the list's keys, as the user mapped them) scroll; J/K post `Step`
    to go to the next or previous abstract without going back to the list.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "scroll_down", "Scroll down", show=False, id="list.down"),
        Binding("up,k", "scroll_up", "Scroll up", show=False, id="list.up"),
        Binding("g,home", "scroll_home", "Top", show=False, id="list.first"),
        Binding("G,end", "scroll_end", "Bottom", show=False, id="list.last"),
        Binding("J", "step(1)", "Next", id="detail.next"),
        Binding("K", "step(-1)", "Previous", id="detail.previous"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "detail--label",
        "detail--link",
        "detail--math",
        "detail--match",
        "detail--tags",
        *(f"detail--{status.value}" for status in Status),
    }

    class Step(Message):
        """Go to the abstract `by` rows down the list (negative: up) and show it here."""

        def __init__(self, by: int) -> None:
            super().__init__()
            self.by = by

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._note: Markdown | None = None
        """The note's widget, once a note was shown (None before)."""
        self._note_text = ""
        """The note of the abstract shown (what `_make_note` shows)."""
        self._making = False
        """`_make_note` is scheduled."""

    def compose(self) -> ComposeResult:
        yield Static(id="detail-title")
        yield Static(id="detail-meta")
        yield Static(id="detail-abstract")
        yield Static("Note", id="detail-note-label")

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"detail--{name}", partial=True)

    def action_step(self, by: int) -> None:
        self.post_message(self.Step(by))

    def show(
        self, abstract: Abstract | None, annotation: Annotation, terms: tuple[str, ...] = ()
    ) -> None:
        """Show one abstract (None: nothing matches)."""
        title = self.query_one("#detail-title", Static)
        meta = self.query_one("#detail-meta", Static)
        body = self.query_one("#detail-abstract", Static)
        if abstract is None:
            title.update("No abstract matches the filter.")
            title.display = True
            for widget in (meta, body):
                widget.update("")
            self._show_note("")
            return
        match = self._style("match")
        record = Record(abstract.id, abstract, annotation)
        titled = record.title != abstract.headline
        title.display = titled
        title.update(highlight(Text(record.title), terms, match) if titled else "")
        meta.update(self._metadata(record, abstract, annotation))
        body.update(highlight(latex_text(abstract.text, self._style("math")), terms, match))
        self._show_note(annotation.note)
        if self.scroll_y:
            self.scroll_home(animate=False)

    def _show_note(self, note: str) -> None:
        """The note as Markdown under its label; neither when there is no note. Before
        the first note: both hidden until `_make_note` runs (see the class docstring)."""
        self._note_text = note
        label = self.query_one("#detail-note-label", Static)
        has_note = bool(note.strip())
        if self._note is None:
            label.display = False
            if has_note and not self._making:
                self._making = True
                self.call_after_refresh(self._make_note)
            return
        label.display = self._note.display = has_note
        if has_note:
            self._note.update(shown_note(note))

    def _make_note(self) -> None:
        """Make the note's widget for the note shown now (if it still has one)."""
        self._making = False
        if self._note is not None or not self._note_text.strip() or not self.is_attached:
            return  # (not attached: the app closed meanwhile)
        from textual.widgets import Markdown  # (see the class docstring)

        self._note = Markdown(shown_note(self._note_text), id="detail-note")
        self.mount(self._note)
        self.query_one("#detail-note-label", Static).display = True

    def _metadata(self, record: Record, abstract: Abstract, annotation: Annotation) -> Hanging:
        """`2306.10015 · 2023-06-16 · 000 #1 · ● unread · #rl`, then comments, DOI and
        journal, then the links, each on its own line; only the fields the record has."""
        label = self._style("label")
        parts: list[Text] = []
        parts.append(Text(record.arxiv_label or abstract.id[:8]))
        if abstract.date:
            updated = (
                f" (updated {abstract.updated})"
                if abstract.updated and abstract.updated != abstract.date
                else ""
            )
            parts.append(Text(abstract.date + updated))
        if abstract.authors:
            parts.append(Text(abstract.short_authors))
        if abstract.categories:
            parts.append(Text(" ".join(abstract.categories)))
        parts.append(Text(f"{source_label(abstract.source)}\u00a0#{abstract.position}", label))
        status = annotation.status
        parts.append(Text(f"{glyph(status)}\u00a0{status.label}", self._style(status.value)))
        if record.tags:
            parts.append(Text(record.tags, self._style("tags")))
        text = Text(" · ", label).join(parts)
        extra = [*abstract.comments]
        if abstract.journal_ref:
            extra.append(abstract.journal_ref)
        if abstract.doi:
            extra.append(f"doi:{abstract.doi}")
        for line in extra:
            text.append("\n")
            text.append(line, label)
        link = self._style("link")
        # the PDF's address when the source gave one (arXiv's can be derived from any id:
        # the export keys open it; listing it for every seed would push the abstract down)
        pdf = abstract.pdf_url if abstract.pdf else None
        for url in dict.fromkeys(u for u in (record.url, pdf) if u):
            text.append("\n")
            text.append(url, link + Style(link=url))
        return Hanging(text)
