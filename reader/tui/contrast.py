"""Colours as they reach the terminal: component styles made solid, and WCAG contrast.

A Rich style holds no alpha: a component style such as `background: $warning 35%`
becomes the solid colour (the tint is lost, and light text on solid orange reads at
1.5:1). `solid_style` composites each colour over what is under it, as Textual does for
widgets, so a tint stays a tint. `contrast` is the WCAG 2 ratio the tests check
(>= 4.5:1 for text).
"""

from __future__ import annotations

from rich.style import Style
from textual.color import Color
from textual.widget import Widget


def luminance(color: Color) -> float:
    """WCAG relative luminance of an opaque colour (0 black .. 1 white)."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = color.rgb
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: Color, b: Color) -> float:
    """The WCAG contrast ratio of two opaque colours (1 .. 21)."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def solid_style(widget: Widget, component: str, under: Color | None = None) -> Style:
    """The rich style of `widget`'s `component` class (partial: only what it sets),
    with its background composited over `under` (the widget's own background by
    default) and its colour over that background: solid colours that look as the
    CSS says, alpha and all."""
    styles = widget.get_component_styles(component)
    style = styles.partial_rich_style
    base = under if under is not None else widget.background_colors[1]
    background = base
    if styles.has_rule("background"):
        background = base + styles.background
        style += Style(bgcolor=background.rich_color)
    if styles.has_rule("color"):
        color = styles.color
        if styles.auto_color:  # `auto 60%`: black or white by the background, as Textual does
            color = background.get_contrast_text(color.a)
        style += Style(color=(background + color).rich_color)
    return style


def colors_of(style: Style, default_fg: Color, default_bg: Color) -> tuple[Color, Color]:
    """(foreground, background) of a rich style, each falling back to the defaults."""
    fg = Color.from_rich_color(style.color) if style.color else default_fg
    bg = Color.from_rich_color(style.bgcolor) if style.bgcolor else default_bg
    return fg, bg
