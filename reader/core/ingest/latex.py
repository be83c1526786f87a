"""LaTeX fragments in abstracts turned into readable Unicode.

Abstracts carry bits of LaTeX (`$\\alpha$-fraction`, `\\emph{language layers}`,
`$\\textit{how}$`). `latex_to_unicode` gives plain text for headlines, search and
export; `latex_segments` gives the same text cut into styled runs for the TUI.

Both use pylatexenc with a few fixes on top of its defaults:

- a bare `%` (common in abstracts: "gains up to 35%") and `&` are literal, not a
  comment or a table column;
- `\\texttt`, `\\href`, `\\LaTeX` and friends keep their text (pylatexenc drops
  them or, for `\\href`, crashes);
- simple super- and subscripts in math become Unicode (`$x^2$` -> x², `$x_i$` -> xᵢ),
  others stay readable (`n^(1/3)`);
- a macro whose arguments are missing (`\\frac{` at the end of a text) gives the
  text of the arguments it has, never pylatexenc's template (`%s/%s`);
- fractions read `a/b`, with brackets around a compound part (`(n+1)/2`);
  `\\cite{a,b}` gives `[a, b]` and `\\ref{x}` gives `x` (not `<cit.>`, `<ref>`);
  `\\epsilon` is ε, the letter, not the lunate symbol ϵ;
- in text outside math, ``` ``quotes'' ``` become “quotes”, `--` an en dash and
  `---` an em dash, as LaTeX typesets them (plain text included);
- white space is collapsed to single spaces (display math and `\\\\` included).

Neither function raises: on any failure the raw text (white space collapsed) comes
back. pylatexenc's log messages never reach a handler: a terminal app cannot have
them printed over its screen (its `\\frac{` warning went to stderr).
"""

from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache
from typing import Any

from pylatexenc import latexwalker
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db
from pylatexenc.macrospec import LatexContextDb, MacroSpec

from reader.core.text import squash


def _silence(name: str) -> None:
    """Keep the log records of `name` and its children from every handler.

    A level alone is not enough: a child logger given its own level, or a handler
    configured below it, would print again. The records stop at a NullHandler here.
    """
    logger = logging.getLogger(name)
    logger.setLevel(logging.CRITICAL + 1)
    logger.propagate = False
    if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
        logger.addHandler(logging.NullHandler())


_silence("pylatexenc")

Segment = tuple[str, str | None]
"""A run of converted text and its style: "italic", "bold", "math" or None."""

_CLOSE = "\ue000"
_OPEN = {"italic": "\ue001", "bold": "\ue002", "math": "\ue003"}
_STYLE_OF_MARK = {mark: style for style, mark in _OPEN.items()}
_MARKS = re.compile("[\ue000-\ue004]")
"""Private-use characters the converter wraps styled runs in; stripped from input."""

_BARE = re.compile(r"(?<!\\)([%&])")

_STYLE_MACROS = {"emph": "italic", "textit": "italic", "textsl": "italic", "textbf": "bold"}
"""Macros with an argument whose text gets a style in `latex_segments`."""
_STYLE_SWITCHES = dict.fromkeys(("em", "it", "itshape", "sl"), "italic") | dict.fromkeys(
    ("bf", "bfseries"), "bold"
)
"""Declarations that style the rest of their group: `{\\em word}`."""

_SUPERSCRIPT = dict(
    zip(
        "0123456789+-−=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVW⊤′*†",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵀ′*†",
        strict=True,
    )
)
_SUBSCRIPT = dict(
    zip("0123456789+-−=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", strict=True)
)
_INLINE_SCRIPT = re.compile(r"([\^_])\s*([^\s^_])")


def _script(kind: str, text: str) -> str:
    """`text` as a super- (`kind` "^") or subscript ("_"), in Unicode when it can be."""
    text = text.strip()
    table = _SUPERSCRIPT if kind == "^" else _SUBSCRIPT
    if text and all(c in table for c in text):
        return "".join(table[c] for c in text)
    if len(text) <= 1:
        return kind + text
    return f"{kind}({text})"


def _inline_scripts(chars: str) -> str:
    """Single-character scripts inside one run of math characters: `x^2` -> x²."""
    if "^" not in chars and "_" not in chars:
        return chars

    def repl(match: re.Match[str]) -> str:
        converted = _script(match[1], match[2])
        return match[0] if converted.startswith(match[1]) else converted

    return _INLINE_SCRIPT.sub(repl, chars)


def _walker_context() -> LatexContextDb:
    """The parser's macro table: pylatexenc's, plus arguments for `\\href` and co."""
    db = latexwalker.get_default_latex_context_db()
    macros = [MacroSpec("href", "{{"), MacroSpec("textnormal", "{"), MacroSpec("mbox", "{")]
    db.add_context_category("reader-fixes", macros=macros, prepend=True)
    return db


def _last_argument(node: Any) -> str:
    """The source of the last argument of macro `node`, braces and spaces stripped."""
    args = [a for a in (node.nodeargd.argnlist if node.nodeargd else None) or () if a]
    if not args:
        return ""
    source = args[-1].latex_verbatim().strip()
    if source.startswith("{") and source.endswith("}"):
        source = source[1:-1]
    return squash(source)


def _citation(node: Any) -> str:
    """`\\cite{a,b}` -> "[a, b]" (the keys say more than a placeholder would)."""
    keys = [k.strip() for k in _last_argument(node).split(",") if k.strip()]
    return f"[{', '.join(keys)}]" if keys else ""


def _reference(node: Any) -> str:
    """`\\ref{sec:x}` -> "sec:x", `\\eqref{e}` -> "(e)"."""
    label = _last_argument(node)
    return f"({label})" if label and node.macroname == "eqref" else label


def _root(node: Any, l2tobj: Any) -> str:
    """`\\sqrt{x}` -> "√(x)", `\\sqrt[3]{x}` -> "∛(x)", a bare `\\sqrt{` -> "√"."""
    args = (node.nodeargd.argnlist if node.nodeargd else None) or ()
    index, body = (list(args) + [None, None])[:2]
    radicand = l2tobj.nodelist_to_text([body]).strip() if body is not None else ""
    degree = l2tobj.nodelist_to_text([index]).strip() if index is not None else ""
    sign = {"": "√", "2": "√", "3": "∛", "4": "∜"}.get(degree)
    if sign is None:
        sign = _script("^", degree) + "√"
    return f"{sign}({radicand})" if radicand else sign


def _footnote(node: Any, l2tobj: Any) -> str:
    """`\\footnote{text}` -> "[text]"; an empty or unclosed one gives nothing."""
    args = (node.nodeargd.argnlist if node.nodeargd else None) or ()
    body = l2tobj.nodelist_to_text([args[-1]]).strip() if args and args[-1] else ""
    return f"[{body}]" if body else ""


_SIMPLE_OPERAND = re.compile(r"[\w.′]+|\(.*\)|\[.*\]", re.DOTALL)
"""A fraction part that needs no brackets: one word or number, or bracketed already."""


def _fraction(node: Any, l2tobj: Any) -> str:
    """`\\frac{a}{b}` -> "a/b", `\\frac{n+1}{2}` -> "(n+1)/2"; missing parts are left out."""
    args = (node.nodeargd.argnlist if node.nodeargd else None) or ()
    parts = [l2tobj.nodelist_to_text([a]).strip() for a in args if a is not None]
    parts = [p if _SIMPLE_OPERAND.fullmatch(_MARKS.sub("", p)) else f"({p})" for p in parts if p]
    return "/".join(parts)


def _text_context() -> LatexContextDb:
    """The converter's macro table: pylatexenc's, with the fixes listed in the docstring."""
    db = get_default_latex_context_db()
    keep = ["texttt", "textsf", "textup", "textmd", "textnormal", "mbox", "mathtt"]
    macros = [MacroTextSpec(name, discard=False) for name in keep]
    replacements: list[tuple[str, Any]] = [
        ("href", "%(2)s"),
        ("url", "%s"),
        ("LaTeX", "LaTeX"),
        ("TeX", "TeX"),
        ("epsilon", "ε"),
    ]
    replacements += [(name, _fraction) for name in ("frac", "dfrac", "tfrac", "nicefrac")]
    replacements += [(name, _fraction) for name in ("textfrac",)]
    replacements += [("sqrt", _root), ("footnote", _footnote)]
    cites = ("cite", "citet", "citep", "citealt", "citealp", "citeauthor", "citeyear")
    replacements += [(name, _citation) for name in cites]
    refs = ("ref", "autoref", "cref", "Cref", "eqref")
    replacements += [(name, _reference) for name in refs]
    for name, replacement in replacements:
        macros.append(MacroTextSpec(name, simplify_repl=replacement))
    db.add_context_category("reader-fixes", macros=macros, prepend=True)
    return db


_DASH = re.compile(r"(?<=[^\W_])---?(?=[^\W_])|(?<=\s)---?(?=\s)")
"""`--` and `---` between two words or numbers ("1--3") or two spaces ("a -- b")."""


def _typeset(plain: str) -> str:
    """Plain text (outside LaTeX regions) with TeX's ligatures: ``` ``quotes'' ``` as
    “quotes”, `--` as an en dash and `---` as an em dash.

    Dashes are taken only between words or between spaces, so `--flag` stays.
    """
    if "--" in plain:
        plain = _DASH.sub(lambda m: "—" if len(m[0]) == 3 else "–", plain)
    if "``" in plain or "''" in plain:
        plain = plain.replace("``", "“").replace("''", "”")
    return plain


_PERCENT_S = re.compile(r"(?:^|[^%])(?:%%)*%s")
_PERCENT_N = re.compile(r"%\((\d+)\)s")


class _Converter(LatexNodes2Text):
    """LatexNodes2Text that marks styled runs and writes math scripts in Unicode.

    Styled runs are wrapped in private-use marks (`_OPEN[style]` ... `_CLOSE`) that
    `latex_segments` splits on and `latex_to_unicode` drops. Not thread-safe: use
    `_converter()`, which keeps one per thread.
    """

    def __init__(self) -> None:
        super().__init__(latex_context=_text_context(), math_mode="text")
        self.walker_context = _walker_context()
        self._math_depth = 0

    def convert(self, latex: str) -> str:
        """`latex` as text with style marks (may raise: pylatexenc has crashing corners)."""
        walker = latexwalker.LatexWalker(
            latex, latex_context=self.walker_context, tolerant_parsing=True
        )
        return self.nodelist_to_text(walker.get_latex_nodes()[0])

    def math_node_to_text(self, node):  # type: ignore[no-untyped-def]
        self._math_depth += 1
        try:
            content = super().math_node_to_text(node)
        finally:
            self._math_depth -= 1
        # Display math comes indented on lines of its own, and "$5 and $10" is not
        # math at all: keep white space at the edges, outside the math run.
        opening, closing = getattr(node, "delimiters", None) or ("", "")
        source = node.latex_verbatim()
        inner = source[len(opening) : len(source) - len(closing)]
        lead = " " if content[:1].isspace() or inner[:1].isspace() else ""
        trail = " " if content[-1:].isspace() or inner[-1:].isspace() else ""
        return lead + _OPEN["math"] + content.strip() + _CLOSE + trail

    def apply_simplify_repl(self, node, simplify_repl, what):  # type: ignore[no-untyped-def]
        """pylatexenc's, except that a template whose arguments are missing gives the
        text of the arguments present instead of the template itself (`%s/%s`)."""
        if (
            isinstance(simplify_repl, str)
            and len(simplify_repl) > 1
            and "%" in simplify_repl
            and node.isNodeType(latexwalker.LatexMacroNode)
        ):
            args = list((node.nodeargd.argnlist if node.nodeargd else None) or ())
            used = [int(n) - 1 for n in _PERCENT_N.findall(simplify_repl)]
            used += range(len(_PERCENT_S.findall(simplify_repl)))
            if any(k >= len(args) or args[k] is None for k in used):
                texts = (self._groupnodecontents_to_text(a) for a in args if a is not None)
                return " ".join(t.strip() for t in texts if t.strip())
        return super().apply_simplify_repl(node, simplify_repl, what)

    def macro_node_to_text(self, node):  # type: ignore[no-untyped-def]
        text = super().macro_node_to_text(node)
        style = _STYLE_MACROS.get(node.macroname)
        if style and node.nodeargd is not None and node.nodeargd.argnlist:
            return _OPEN[style] + text + _CLOSE
        return text

    def group_node_to_text(self, node):  # type: ignore[no-untyped-def]
        text = super().group_node_to_text(node)
        for child in node.nodelist:
            if child.isNodeType(latexwalker.LatexCharsNode) and not child.chars.strip():
                continue
            if child.isNodeType(latexwalker.LatexMacroNode):
                style = _STYLE_SWITCHES.get(child.macroname)
                if style:
                    return _OPEN[style] + text + _CLOSE
            break
        return text

    def nodelist_to_text(self, nodelist):  # type: ignore[no-untyped-def]
        if not self._math_depth:
            return super().nodelist_to_text(nodelist)
        # In math: the same as the base class, plus `^`/`_` scripts in Unicode.
        out = ""
        prev = None
        for node in nodelist:
            if self._is_bare_macro_node(prev) and node.isNodeType(latexwalker.LatexCharsNode):
                out += prev.macro_post_space
            text = self.node_to_text(node)
            if node.isNodeType(latexwalker.LatexCharsNode):
                out += _inline_scripts(text)
            elif out.rstrip().endswith(("^", "_")):
                head = out.rstrip()
                out = head[:-1] + _script(head[-1], _MARKS.sub("", text))
            else:
                out += text
            prev = node
        return out


_local = threading.local()


def _converter() -> _Converter:
    """The calling thread's converter, built once (building one takes milliseconds)."""
    conv = getattr(_local, "converter", None)
    if conv is None:
        conv = _local.converter = _Converter()
    return conv


_SEPARATOR = "\ue004"
"""Joins the LaTeX regions of a text so that pylatexenc converts them in one pass."""
_REGION_START = re.compile(r"[\\${}~]")
_CONTROL_WORD = re.compile(r"[A-Za-z]+")
_SPACED_ARGUMENT = re.compile(r"\s+\{")
_ENDS_IN_MACRO = re.compile(r"\\[A-Za-z]+$")


def _region_end(text: str, start: int) -> int:
    """Where the LaTeX region beginning at `start` ends: the first white space
    outside braces, math and environments (and not between a macro and its `{`)."""
    depth = envs = 0
    math: str | None = None  # the closing delimiter of the open math
    k, n = start, len(text)
    while k < n:
        c = text[k]
        if c == "\\":
            word = _CONTROL_WORD.match(text, k + 1)
            if word:
                envs += {"begin": 1, "end": -1}.get(word[0], 0)
                envs = max(envs, 0)
                k = word.end()
                continue
            pair = text[k : k + 2]
            if math is None and pair in ("\\(", "\\["):
                math = "\\)" if pair == "\\(" else "\\]"
            elif pair == math:
                math = None
            k += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth = max(depth - 1, 0)
        elif c == "$":
            if text.startswith("$$", k) and math in (None, "$$"):
                math = "$$" if math is None else None
                k += 1
            elif math in (None, "$"):
                math = "$" if math is None else None
        elif (
            c.isspace()
            and not (depth or envs or math)
            and not (_SPACED_ARGUMENT.match(text, k) and _ENDS_IN_MACRO.search(text, start, k))
        ):
            return k
        k += 1
    return n


def _split(text: str) -> tuple[list[str], list[str]]:
    """`text` cut into plain runs and LaTeX regions: plain[0] latex[0] plain[1] ..."""
    plain: list[str] = []
    latex: list[str] = []
    i = 0
    while (match := _REGION_START.search(text, i)) is not None:
        end = _region_end(text, match.start())
        plain.append(text[i : match.start()])
        latex.append(text[match.start() : end])
        i = end
    plain.append(text[i:])
    return plain, latex


_SIMPLE_MATH = re.compile(r"\$([A-Za-z0-9]+)\$")
"""Math that converts to itself (`$m$`, `$k$`), the commonest region by far."""
_REGIONS: dict[str, str] = {}
"""Converted LaTeX regions, shared by all texts: `$\\alpha$` and co. recur a lot."""
_REGIONS_MAX = 50_000


def _convert_regions(regions: list[str]) -> list[str]:
    """The regions converted (with style marks), from the cache or in one pylatexenc pass."""
    known = {region: _REGIONS.get(region) for region in regions}
    missing = []
    for region, converted in known.items():
        if converted is not None:
            continue
        simple = _SIMPLE_MATH.fullmatch(region)
        if simple:
            known[region] = _OPEN["math"] + simple[1] + _CLOSE
        else:
            missing.append(region)
    if missing:
        escaped = [_BARE.sub(r"\\\1", region) for region in missing]
        try:
            results = _converter().convert(_SEPARATOR.join(escaped)).split(_SEPARATOR)
        except Exception:  # pylatexenc has crashing corners (IndexError, RecursionError)
            results = []
        if len(results) != len(missing):  # or a macro took a separator as its argument
            results = [
                _convert_alone(region, raw) for region, raw in zip(escaped, missing, strict=True)
            ]
        if len(_REGIONS) > _REGIONS_MAX:
            _REGIONS.clear()
        for region, converted in zip(missing, results, strict=True):
            _REGIONS[region] = known[region] = converted
    return [known[region] or "" for region in regions]


def _convert_alone(region: str, raw: str) -> str:
    """One region converted, or `raw` as it is when pylatexenc fails on it."""
    try:
        return _converter().convert(region)
    except Exception:
        _local.converter = None  # its state may be half-updated
        return raw


def _marked(text: str) -> str | None:
    """`text` converted, with style marks (cached for texts of abstract size)."""
    return _marked_cached(text) if len(text) <= 5000 else _convert(text)


def _convert(text: str) -> str | None:
    """`text` converted, with style marks; None on failure.

    Only the LaTeX regions go through pylatexenc (it reads about 7 µs a character);
    plain text between them is kept as written.
    """
    plain, regions = _split(text)
    try:
        converted = _convert_regions(regions)
    except Exception:  # a bug of ours: never let it reach the caller
        return None
    out = [_typeset(plain[0])]
    for region, after in zip(converted, plain[1:], strict=True):
        out += (region, _typeset(after))
    return "".join(out)


_marked_cached = lru_cache(maxsize=1024)(_convert)


def latex_to_unicode(text: str) -> str:
    """`text` with its LaTeX rendered as Unicode, white space collapsed; never raises.

    `$\\alpha$-fraction` -> "α-fraction", `\\emph{x}` -> "x", `$x^2$` -> "x²".
    Text without `\\`, `$`, `{`, `~` or `^` takes a fast path and is returned as is
    (white space collapsed, dashes and quotes typeset).
    """
    text = _strip_marks(text)
    if not _needs_latex(text):
        return _typeset(squash(text))
    marked = _marked(text)
    if marked is None:
        return squash(text)
    return squash(_MARKS.sub("", marked))


def latex_segments(text: str) -> list[Segment]:
    """`text` rendered as Unicode, cut into runs with a style; never raises.

    The style is "italic" (`\\emph`, `\\textit`, `{\\em ..}`), "bold" (`\\textbf`),
    "math" (inline or display math) or None; the innermost wins, so
    `$\\textit{how}$` is italic. Joining the texts gives `latex_to_unicode(text)`.
    Adjacent runs have different styles and no run is empty.
    """
    text = _strip_marks(text)
    if not _needs_latex(text):
        plain = _typeset(squash(text))
        return [(plain, None)] if plain else []
    marked = _marked(text)
    if marked is None:
        plain = squash(text)
        return [(plain, None)] if plain else []
    segments: list[Segment] = []
    stack: list[str | None] = [None]
    for piece in re.split("([\ue000-\ue003])", marked):
        if piece == _CLOSE:
            if len(stack) > 1:
                stack.pop()
        elif piece in _STYLE_OF_MARK:
            stack.append(_STYLE_OF_MARK[piece])
        elif piece:
            _append(segments, _collapse_inside(piece), stack[-1])
    if segments:
        last, style = segments[-1]
        segments[-1] = (last.rstrip(), style)
        if not segments[-1][0]:
            segments.pop()
    return segments


# The three checks below run for every headline at import: `in` tests, which are
# much faster than a regex search or `any()` over a generator.


def _needs_latex(text: str) -> bool:
    """False for text without `\\`, `$`, `{`, `~` or `^`: it is returned as is."""
    return "\\" in text or "$" in text or "{" in text or "~" in text or "^" in text


def _strip_marks(text: str) -> str:
    """`text` without the private-use characters the converter uses as marks."""
    if text.isascii():
        return text
    return _MARKS.sub("", text)


def _collapse_inside(text: str) -> str:
    """White space runs as single spaces, keeping one at either end if there was any."""
    inner = squash(text)
    if not inner:
        return " " if text else ""
    lead = " " if text[0].isspace() else ""
    trail = " " if text[-1].isspace() else ""
    return lead + inner + trail


def _append(segments: list[Segment], piece: str, style: str | None) -> None:
    """Add a run, merging it into the previous one and never doubling a space."""
    previous = segments[-1][0] if segments else " "
    if previous.endswith(" ") and piece.startswith(" "):
        piece = piece.lstrip(" ")
        if not piece:
            return
    if segments and segments[-1][1] == style:
        segments[-1] = (previous + piece, style)
    else:
        segments.append((piece, style))
