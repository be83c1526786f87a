"""LaTeX fragments -> Unicode text and styled runs (reader.core.latex)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.core.latex import latex_segments, latex_to_unicode


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
    text = "Plain text -- with 'quotes', 3.5% and A_b, kept as written."
    assert latex_to_unicode(text) == text
    assert latex_to_unicode("  runs   of\tspace\n") == "runs of space"


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


def test_pylatexenc_logs_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    latex_to_unicode(r"\textbf{unclosed $x and \end{nothing}")
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


LATEXISH = st.lists(
    st.sampled_from(list("ab \\${}^_~%&#[]()\n\t.é") + ["\\emph", "\\alpha", "$x$", "\\em "]),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(LATEXISH)
def test_segments_join_to_the_unicode_text(source: str) -> None:
    segments = latex_segments(source)
    assert "".join(text for text, _ in segments) == latex_to_unicode(source)
    assert all(text for text, _ in segments)
    assert all(a[1] != b[1] for a, b in zip(segments, segments[1:], strict=False))
    assert all(style in (None, "italic", "bold", "math") for _, style in segments)
