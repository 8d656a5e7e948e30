"""The default look: a dark theme whose colours survive a 16-colour terminal."""

from textual.theme import Theme

DAYLIGHTS_THEME = Theme(
    name="daylights",
    primary="#d7af00",
    secondary="#5f87d7",
    accent="#d75f00",
    foreground="#e4e4e4",
    background="#000000",
    surface="#121212",
    panel="#262626",
    success="#5faf5f",
    warning="#d7af00",
    error="#ff5f5f",
    dark=True,
)
