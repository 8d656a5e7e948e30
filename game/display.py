"""How times are shown to players, the same in every front end."""

from __future__ import annotations

from datetime import datetime


def play_time(seconds: float) -> str:
    """Seconds as H:MM:SS."""
    whole = int(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def saved_at(stamp: str) -> str:
    """An ISO timestamp from a save, in local time, short enough for a table column."""
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%d %b %H:%M")
    except ValueError:
        return stamp or "?"


def paragraphs(text: str) -> list[str]:
    """Prose as paragraphs, each on one line: writers wrap lines in YAML, screens wrap them again."""
    return [" ".join(p.split()) for p in text.strip().split("\n\n") if p.strip()]
