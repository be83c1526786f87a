"""LaTeX fragments -> Unicode text and styled runs (reader.core.ingest.latex)."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.core.ingest.latex import latex_segments, latex_to_unicode


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (r"an $\alpha$-fraction of the machines", "an α-fraction of the machines"),
        (r"stochastic \emph{language layers} in", "stochastic language layers in"),
        (r"study $\textit{how}$ models learn", "study how models learn"),
        (r"$x^2$, $x^{10}$, $x_i$ and $W^\top$", "x², x¹⁰, xᵢ and Wᵀ"),
        (r"$n^{1/3}$ and $x_{\theta}$", "n^(1/3) and x_θ"),
        (r"$\mathcal{O}(\sqrt{T})$ regret", "𝒪(√(T)) regret"),
        (r"pairs $(x,f(x))$ can", "pairs (x,f(x)) can"),
        (r"Schr\"odinger and \'etude", "Schrödinger and étude"),
        (r"\textbf{bold} and {\em old style}", "bold and old style"),
        (r"see \href{https://x.org}{the site} and \texttt{code_x}", "see the site and code_x"),
        (r"$$ E = mc^2 $$ said \LaTeX", "E = mc² said LaTeX"),
    ],
)
def test_latex_to_unicode_renders_fragments(source: str, expected: str) -> None:
    assert latex_to_unicode(source) == expected


def test_bare_percent_and_ampersand_are_literal() -> None:
    # In LaTeX `%` starts a comment: taken literally it would eat the rest of the text.
    assert latex_to_unicode(r"gains up to 35% with $m$ R&D runs") == (
        "gains up to 35% with m R&D runs"
    )
    assert latex_to_unicode(r"50\% of $x$") == "50% of x"


def test_plain_text_takes_the_fast_path_unchanged() -> None:
    text = "Plain text with 'quotes', 3.5% and A_b, kept as written."
    assert latex_to_unicode(text) == text
    assert latex_to_unicode("  runs   of\tspace\n") == "runs of space"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # issue 11: templates leaked, and common forms were left as written
        (r"\frac{", ""),
        (r"$\frac{a$", "a"),
        (r"ends with \frac", "ends with"),
        (r"$\frac{a}{b}$ and $\frac12$", "a/b and 1/2"),
        (r"$\frac{n+1}{2}$ of $\frac{\alpha}{\beta_1}$", "(n+1)/2 of α/β₁"),
        (r"\sqrt{", "√"),
        (r"$\sqrt[3]{x}$", "∛(x)"),
        (r"as in \cite{smith20} and \citep[p.~3]{a, b}.", "as in [smith20] and [a, b]."),
        (r"see \ref{} and \ref{sec:intro}, \eqref{e1}", "see and sec:intro, (e1)"),
        ("the ``quotes'' here", "the “quotes” here"),
        ("pages 1--3, a -- b, a---b, and --flag", "pages 1–3, a – b, a—b, and --flag"),
        (r"``$x$'' -- in \emph{1--3}", "“x” – in 1–3"),
        (r"$\epsilon$-greedy, $\varepsilon$", "ε-greedy, ε"),
        (r"\footnote{", ""),
        (r"\href{", ""),
    ],
)
def test_latex_forms_and_missing_arguments(source: str, expected: str) -> None:
    assert latex_to_unicode(source) == expected
    assert "".join(text for text, _ in latex_segments(source)) == expected


def test_currency_dollars_keep_their_spaces() -> None:
    assert latex_to_unicode("costs $5 and $10 total") == "costs 5 and 10 total"


@pytest.mark.parametrize(
    "source",
    [
        "",
        "{" * 5000,
        "}" * 10,
        "\\",
        "$",
        "$$",
        r"\href{only-one-argument}",
        r"\begin{itemize} \item unclosed",
        r"\frac{",
        "\ue001marks\ue000 in the input",
        "a\x00b",
    ],
)
def test_never_raises_on_broken_latex(source: str) -> None:
    assert isinstance(latex_to_unicode(source), str)
    assert isinstance(latex_segments(source), list)


def test_unparseable_input_falls_back_to_the_raw_text() -> None:
    deep = "{" * 5000 + " x"
    assert latex_to_unicode(deep) == deep


def test_segments_carry_styles() -> None:
    source = r"We view LLMs as \emph{language layers}, an $\alpha$ and \textbf{bold} end"
    assert latex_segments(source) == [
        ("We view LLMs as ", None),
        ("language layers", "italic"),
        (", an ", None),
        ("α", "math"),
        (" and ", None),
        ("bold", "bold"),
        (" end", None),
    ]


def test_italic_inside_math_is_italic() -> None:
    assert latex_segments(r"to study $\textit{how}$ models") == [
        ("to study ", None),
        ("how", "italic"),
        (" models", None),
    ]


def test_segments_of_plain_and_empty_text() -> None:
    assert latex_segments("just text") == [("just text", None)]
    assert latex_segments("   ") == []


LOGGED = [r"\textbf{unclosed $x and \end{nothing}", r"\frac{", r"$\frac{a$", r"\ket{"]
"""Inputs on which pylatexenc logs a warning (a template that failed, a bad end)."""


def test_pylatexenc_logs_nothing(caplog: pytest.LogCaptureFixture) -> None:
    # caplog's handler sits on the root logger: any record pylatexenc lets through
    # lands here (capsys could not see them: pytest captures the log first). The
    # walker logs each tolerated parse error at INFO; a program may turn its level up.
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="pylatexenc.latexwalker")
    for source in LOGGED:
        latex_to_unicode(source + " " + source[::-1])  # not cached by an earlier test
    assert [r for r in caplog.records if r.name.startswith("pylatexenc")] == []


def test_pylatexenc_prints_nothing_outside_pytest(tmp_path: Path) -> None:
    script = (
        "import logging, sys\n"
        "logging.basicConfig(level=logging.DEBUG)\n"  # as an embedding program might
        "from reader.core.ingest.latex import latex_to_unicode\n"
        f"for source in {LOGGED!r}:\n"
        "    print(latex_to_unicode(source))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


PIECES = list("ab \\${}^_~%&#[]()\n\t.é-`'") + [
    "\\emph",
    "\\alpha",
    "$x$",
    "\\em ",
    "\\frac",
    "\\sqrt",
    "\\cite",
    "\\ref",
    "\\epsilon",
    " qq ",
    "qq",
    "--",
]
LATEXISH = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)
WORD = "qq"
"""A word of the fuzz whose letters have no super- or subscript: nothing may lose it."""
_MACRO_OR_WORD_BEFORE = re.compile(
    r"(\\[^\W\d_]*\s*(\[[^\]]*\]\s*)?|\\[^\W\d_]*\s*\[[^\]]*|\\[\W\d_]\s*|[^\W\d_])$"
)
"""Before a word that is not text: a macro (`\\emph qq`), with its optional argument
(in math, `\\sqrt[] qq` is the root of q, then q), inside that argument (`\\cite[ qq ]`
is a citation's note), an accent (`\\^qq`), a letter."""


def plain_words(source: str) -> int:
    """Occurrences of WORD in `source` that are text: not part of a longer word or a
    macro name (pylatexenc takes any letter, `\\fracé` is one name), nor the argument
    a bare macro takes (`\\frac qq` is a fraction)."""
    count = 0
    for match in re.finditer(rf"{WORD}(?![^\W\d_])", source):
        if not _MACRO_OR_WORD_BEFORE.search(source[: match.start()]):
            count += 1
    return count


@settings(max_examples=500, deadline=None)
@given(LATEXISH)
def test_segments_join_to_the_unicode_text(source: str) -> None:
    segments = latex_segments(source)
    text = latex_to_unicode(source)
    assert "".join(text for text, _ in segments) == text
    assert all(text for text, _ in segments)
    assert all(a[1] != b[1] for a, b in zip(segments, segments[1:], strict=False))
    assert all(style in (None, "italic", "bold", "math") for _, style in segments)
    for template in ("%s", "%(1)s", "%(2)s"):  # no pylatexenc template leaks
        assert template not in text or template in source
    assert "<cit.>" not in text and "<ref>" not in text
    assert text.count(WORD) >= plain_words(source), "plain text was lost"
