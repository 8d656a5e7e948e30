"""Text from files and players shown as text: never parsed as markup, never sent raw to the terminal.

Rich and Textual parse ``[...]`` in a plain ``str`` as markup, so a scene title such as
``[@click=app.screenshot]x[/]`` would become a button that runs an app action, a stray ``[/]``
would crash the screen, and a save named ``[WIP] run`` would lose its first word. Control
characters are worse: ESC and the C1 controls start terminal escape sequences (window title,
clipboard), and the bidirectional overrides make text read in another order than it is stored.

Every string that came from a scene file, a save or the player reaches a widget through
``content()`` (or ``clean()`` where a widget insists on ``str`` and has markup switched off).
"""

from __future__ import annotations

import unicodedata

from rich.text import Text
from textual.content import Content

_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_KEPT = frozenset("\n")


def _visible(char: str) -> str:
    """The visible stand-in for one control character (Unicode's control pictures where they exist)."""
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return "\ufffd"


def _is_control(char: str) -> bool:
    return char not in _KEPT and (unicodedata.category(char) == "Cc" or char in _BIDI_CONTROLS)


def clean(text: str) -> str:
    """``text`` with every control character but the newline replaced by a visible symbol.

    ESC becomes ␛, BEL ␇, a tab ␉; C1 controls and the bidirectional overrides become �. Ordinary
    text, including every printable non-ASCII character, is left exactly as it is.
    """
    if text.isprintable():
        return text
    return "".join(_visible(c) if _is_control(c) else c for c in text)


def content(text: str, style: str = "") -> Content:
    """``text`` as Textual content, styled as a whole: its brackets are shown, never interpreted."""
    plain = Content(clean(text))
    return plain.stylize(style) if style else plain


def rich_text(text: str, style: str = "", wrap: bool = False) -> Text:
    """``text`` on one line as a Rich ``Text`` (never parsed as markup), for widgets that lay out Rich
    renderables (a DataTable sizes its columns from them; the help is a Rich table)."""
    return Text(one_line(text), style=style, no_wrap=not wrap)


def one_line(text: str) -> str:
    """``text`` cleaned and folded onto one line (for headers, table cells, list entries)."""
    return " ".join(clean(text).split())
