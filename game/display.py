"""How times and counts are shown to players, the same in every front end and command."""

from __future__ import annotations


def play_time(seconds: float) -> str:
    """Seconds as H:MM:SS."""
    whole = int(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def saved_at(stamp: str) -> str:
    """An ISO timestamp from a save, in local time, short enough for a table column."""
    from datetime import datetime  # only here: `daylights --help` and the author commands never need it

    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%d %b %H:%M")
    except (ValueError, OverflowError):  # a date at the edge of time cannot be moved to local time
        return stamp or "?"




def clock_text(seconds: float) -> str:
    """Run times to the tenth of a second: M:SS.t (H:MM:SS.t past an hour)."""
    tenths = round(seconds * 10)
    minutes, rest = divmod(tenths, 600)
    hours, minutes = divmod(minutes, 60)
    body = f"{minutes:02d}:{rest // 10:02d}.{rest % 10}" if hours else f"{minutes}:{rest // 10:02d}.{rest % 10}"
    return f"{hours}:{body}" if hours else body


def delta_text(seconds: float) -> str:
    """A gain or loss against a record, to the tenth of a second."""
    return f"{'−' if seconds < 0 else '+'}{abs(seconds):.1f}"


def count(number: int, noun: str) -> str:
    """``number`` with ``noun`` in the right form: '1 warning', '2 warnings', '0 moves'.

    Every noun a message counts takes a plain -s (error, warning, move, scene, ending, playthrough).
    """
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
