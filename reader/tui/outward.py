"""Getting things out of the app: copying (`y`), opening pages (`o`, `p`, `L`, the
arXiv search) and exporting what the list shows or what is marked.

The main screen's actions call these with itself; the slow parts (a clipboard program,
a browser command, writing a big export) run in a thread worker and report with a
notification, which says what really happened: which way a copy went or that it did
not, that a page opened, or, with no browser (an SSH session), the address itself,
copied. Nothing here says "Opening" before a browser took the address.

The exporters (BibTeX with bibtexparser and pylatexenc, Markdown with markdown-it) are
imported when first used, not when the app starts.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual.notifications import SeverityLevel

from reader.core import clipboard
from reader.core.errors import ReaderError
from reader.core.export import LABELS, default_name, write_export
from reader.core.links import arxiv_search_url, open_in_browser, page_url, record_links
from reader.core.models import Record
from reader.core.text import plural
from reader.tui.environment import in_browser
from reader.tui.screens.copy_menu import CopyMenu
from reader.tui.screens.link_list import LinkList
from reader.tui.screens.prompt import PromptScreen

if TYPE_CHECKING:
    from reader.tui.screens.main import MainScreen


def _in_thread(screen: MainScreen, work: Callable[[], None]) -> None:
    screen.run_worker(work, thread=True, group="outward")


def _tell(
    screen: MainScreen,
    message: str,
    title: str,
    severity: SeverityLevel = "information",
    timeout: float = 10,
) -> None:
    """Notify from a worker thread (nothing when the app has gone meanwhile). Plain
    text: an address or a `[title](url)` is not Rich markup."""
    app = screen.app
    if app.is_running:
        app.call_from_thread(
            partial(
                screen.notify,
                message,
                title=title,
                severity=severity,
                timeout=timeout,
                markup=False,
            )
        )


# ---------------------------------------------------------------- copy
def copy_texts(rec: Record) -> dict[str, str | None]:
    """What each choice of the copy menu copies (None: nothing to copy)."""
    from reader.core.export.bibtex import record_bibtex
    from reader.core.export.common import heading

    abstract = rec.abstract
    url = page_url(rec)
    title = heading(rec).replace("[", "\\[").replace("]", "\\]")
    return {
        "id": (abstract.arxiv_label if abstract else None) or rec.id,
        "bibtex": record_bibtex(rec) if abstract else None,
        "url": url,
        "markdown": f"[{title}]({url})" if url else None,
    }


WHAT = {"id": "the id", "bibtex": "the BibTeX entry", "url": "the URL", "markdown": "the link"}


def copy_menu(screen: MainScreen, rec: Record) -> None:
    """`y`: the menu of what to copy; the choice is copied."""
    from reader.core.export.common import heading

    texts = copy_texts(rec)

    def chosen(what: str | None) -> None:
        text = texts.get(what or "")
        if what and text:
            copy(screen, text, f"{WHAT[what]} {_short(text)}")

    screen.app.push_screen(CopyMenu(heading(rec), texts), chosen)


def _short(text: str) -> str:
    line = text.split("\n", 1)[0]
    return line if len(line) <= 32 else line[:31] + "…"


def copy(screen: MainScreen, text: str, what: str, then: str = "") -> None:
    """Send `text` by OSC 52 and to the first clipboard program that takes it; say
    which way it went (after `then`, a sentence before it)."""
    screen.app.copy_to_clipboard(text)
    if in_browser(screen.app):  # the page copies it; a program here is the server's
        screen.notify(f"{what} sent to the browser's clipboard", title="Clipboard", markup=False)
        return

    def work() -> None:
        copied = clipboard.copy(text)
        _tell(
            screen,
            then + copied.message(what),
            title="Clipboard",
            severity="information" if copied.ok else "warning",
            timeout=10,
        )

    _in_thread(screen, work)


# ---------------------------------------------------------------- open
def open_address(screen: MainScreen, url: str, what: str) -> None:
    """Open `url` in the browser; with none (or a failing one), show it and copy it."""
    if in_browser(screen.app):  # a new tab of the page's browser (textual-serve forwards it)
        screen.app.open_url(url)
        screen.notify(f"Opening {what} in a new tab: {url}", title="Browser", markup=False)
        return

    def work() -> None:
        if open_in_browser(url):
            _tell(screen, f"Opened {what} in the browser: {url}", title="Browser", timeout=5)
            return
        copied = clipboard.copy(url)
        screen.app.call_from_thread(screen.app.copy_to_clipboard, url)
        _tell(
            screen,
            f"No browser opened here (SSH, or none set in $BROWSER). The address: {url}\n"
            + copied.message("it"),
            title=f"Open {what}",
            severity="warning",
            timeout=20,
        )

    _in_thread(screen, work)


def open_page(screen: MainScreen, rec: Record, pdf: bool = False) -> None:
    """`o` (the abstract page) or `p` (the PDF); with no id, say how to search arXiv."""
    abstract = rec.abstract
    url = (abstract.pdf_url if abstract else None) if pdf else page_url(rec)
    if url is None:
        screen.notify(
            "This abstract has no arXiv id (nor DOI). ctrl+p → 'Search arXiv for the "
            "highlighted abstract' looks for its headline.",
            title="No " + ("PDF" if pdf else "page"),
            severity="warning",
            timeout=10,
            markup=False,
        )
        return
    open_address(screen, url, "the PDF" if pdf else "the abstract page")


def search_arxiv(screen: MainScreen, rec: Record) -> None:
    """Search arXiv for the record's headline (the way to a record without an id)."""
    text = rec.abstract.headline if rec.abstract else rec.title
    open_address(screen, arxiv_search_url(text.rstrip("…")), "the arXiv search")


def show_links(screen: MainScreen, rec: Record) -> None:
    """`L`: every link of the record; the chosen one opens."""
    from reader.core.export.common import heading

    links = record_links(rec)
    if not links:
        screen.notify("No links in this abstract or its note.", title="Links")
        return

    def chosen(url: str | None) -> None:
        if url:
            open_address(screen, url, "the link")

    screen.app.push_screen(LinkList(heading(rec), links), chosen)


# ---------------------------------------------------------------- export
def _described(path: Path) -> str:
    """`12 kB, changed 2026-11-30 14:02`: what a file that would be replaced is."""
    import time

    try:
        st = path.stat()
    except OSError:
        return "cannot be read"
    size = f"{st.st_size:,} bytes" if st.st_size < 10_000 else f"{st.st_size // 1000:,} kB"
    return f"{size}, changed {time.strftime('%Y-%m-%d %H:%M', time.localtime(st.st_mtime))}"


def export(screen: MainScreen, fmt: str, which: Callable[[], list[str]], scope: str) -> None:
    """Ask for a file (a folder for notes), offering a name in the current folder, and
    write the export of the ids `which` gives there; say how many were written."""
    ids = which()
    if not ids:
        screen.notify(f"No abstracts are {scope}: nothing to export.", title="Export")
        return
    where = "folder" if fmt == "notes" else "file"

    def entered(text: str | None) -> None:
        if not text or not text.strip():
            return
        path = Path(text.strip()).expanduser()

        def work() -> None:
            try:
                done = write_export(fmt, screen.library, ids, path)
            except ReaderError as error:
                _tell(screen, str(error), title="Cannot export", severity="error")
                return
            except OSError as error:  # notes: a file of the folder could not be removed
                _tell(screen, f"cannot export to {path}: {error}", "Cannot export", "error")
                return
            _tell(screen, done[0].upper() + done[1:], title="Export", timeout=10)

        if fmt == "notes" or not path.is_file():
            _in_thread(screen, work)
            return
        from reader.tui.screens.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                _in_thread(screen, work)

        screen.app.push_screen(
            ConfirmScreen(
                f"Replace {path.name}?",
                f"{path.resolve()} is there already ({_described(path)}). The export "
                "would replace it.",
                hint="y: replace it · n or escape: keep it (nothing is written)",
                id="export-replace",
            ),
            answered,
        )

    screen.app.push_screen(
        PromptScreen(
            f"Export the {plural(len(ids), 'abstract')} {scope} as {LABELS[fmt]}, to the {where}:",
            value=default_name(fmt),
            hint=f"A path; relative to {Path.cwd()}. A file there is replaced, if you say so."
            if fmt != "notes"
            else f"A folder (made if missing); relative to {Path.cwd()}. A re-run "
            "updates the files it wrote and never touches others.",
            id="export-prompt",
        ),
        entered,
    )
