"""Noticing that a story folder's files have changed, for live reload while a writer edits."""

from __future__ import annotations

from pathlib import Path


def folder_signature(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Name, size and modification time of every YAML file the loader reads."""
    entries = []
    try:
        paths = sorted(folder.glob("*.yaml"))
    except OSError:
        return ()
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            continue
        entries.append((path.name, stat.st_size, stat.st_mtime_ns))
    return tuple(entries)


class StoryWatcher:
    """Polls a story folder; ``changed()`` is true once after each edit."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._last = folder_signature(folder)

    def changed(self) -> bool:
        now = folder_signature(self.folder)
        if now != self._last:
            self._last = now
            return True
        return False
