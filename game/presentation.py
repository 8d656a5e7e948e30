"""How ``daylights --help`` presents a story: its title, subtitle, author and blurb, on one line.

They come from story.yaml, read and checked as the loader reads it, which imports PyYAML, msgspec
and the content model: twice as long as argparse takes to print the whole help. So the line is
kept in the cache folder (``locations.cache_folder``) together with the exact bytes of the
story.yaml it was read from, under a header naming the game's version and the sources that read
it; a later ``--help`` that finds the same bytes uses the line without importing any of that. A
missing, damaged, foreign or outdated entry is simply made again: the cache can make the help
faster, never different.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from game import __version__, locations

FORMAT = b"daylights-help 1"
"""The start of an entry's first line; a new layout gets a new number."""
_LIMIT = 8 << 20
"""The most bytes an entry may hold: a copy of a story.yaml, which the loader bounds at 4 MiB, and a line."""
_STORY_SOURCES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "story")
"""The story's reader: with this module, the sources that decide the line."""


def story_line(folder: Path) -> str:
    """``Title: Subtitle, by Author. Blurb`` from ``folder``'s story.yaml (each part only when it is
    there), or nothing when the file has no title, cannot be read or is not a valid story.yaml."""
    story_file = folder / "story.yaml"
    entry = _entry(story_file)
    if entry is not None:
        cached = _cached(*entry, story_file)
        if cached is not None:
            return cached
    data, line = _read_line(story_file)
    if entry is not None and data and line.isprintable():
        _store(*entry, data, line)
    return line


def _read_line(story_file: Path) -> tuple[bytes, str]:
    """The bytes of ``story_file`` as the loader read them (empty when it could not) and its line."""
    import yaml

    from game.story.yamlfile import read_yaml_file

    parsed = read_yaml_file(story_file)
    fields: dict[str, str] = {}
    if isinstance(parsed.root, yaml.MappingNode):
        for key, value in parsed.root.value:
            if isinstance(value, yaml.ScalarNode):
                fields[str(key.value)] = " ".join(value.value.split())
    title = fields.get("title", "")
    if not title:
        return parsed.text, ""
    heading = f"{title}: {fields['subtitle']}" if fields.get("subtitle") else title
    by = f", by {fields['author']}" if fields.get("author") else ""
    about = fields.get("blurb") or fields.get("description", "")
    return parsed.text, f"{heading}{by}.{' ' + about if about else ''}"


def _entry(story_file: Path) -> tuple[Path, bytes] | None:
    """Where the line for ``story_file`` is kept and the header its entry must start with; None
    when there is no cache (``$DAYLIGHTS_CACHE`` is ``off``) or the sources cannot be found."""
    cache = locations.cache_folder()
    if cache is None:
        return None
    where = os.path.abspath(story_file)
    try:
        with os.scandir(_STORY_SOURCES) as entries:
            sources = sorted(entry.path for entry in entries if entry.name.endswith(".py"))
        if not sources:
            return None  # installed without its sources: a new version could not be told apart
        stamps = [f"{os.path.basename(source)}:{info.st_size}:{info.st_mtime_ns}"
                  for source in (__file__, *sources) for info in (os.stat(source),)]
    except OSError:
        return None
    header = " ".join([FORMAT.decode(), __version__, sys.version.split()[0], *stamps])
    # An int hashes the same in every process (a str does not), so a tuple of the path's bytes
    # names its entry without importing a hash; two paths sharing a name only miss in turn.
    name = f"{hash(tuple(os.fsencode(where))) & 0xFFFF_FFFF_FFFF_FFFF:016x}.txt"
    return cache / "help" / name, f"{header}\n{where}\n".encode("utf-8", "surrogateescape")


def _cached(entry: Path, header: bytes, story_file: Path) -> str | None:
    """The line in ``entry`` when it is this user's, carries ``header`` and holds the very bytes
    ``story_file`` holds now (a regular file, as the loader reads only those); None otherwise."""
    data = _read_regular(entry, _LIMIT, own=True)
    if data is None or not data.startswith(header):
        return None
    size, _, rest = data[len(header):].partition(b"\n")
    if not size.isdigit() or len(size) > 12 or len(rest) < int(size):  # no int() of a damaged entry's 5,000 digits
        return None
    story, line = rest[:int(size)], rest[int(size):]
    if _read_regular(story_file, len(story), own=False) != story:
        return None
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if text.isprintable() else None


def _read_regular(path: Path, limit: int, own: bool) -> bytes | None:
    """The bytes of ``path`` when it is a regular file (of this user's, with ``own``) of at most
    ``limit`` bytes; None otherwise. Opening never blocks, even on a pipe.

    ``game.story.files.read_regular_file`` reads the same way, but importing it imports the content
    model, which is what this module exists to avoid.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if (not stat.S_ISREG(info.st_mode) or info.st_size > limit
                or (own and hasattr(os, "getuid") and info.st_uid != os.getuid())):
            return None
        chunks: list[bytes] = []
        size = 0
        while size <= limit and (chunk := os.read(fd, limit + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
    except OSError:
        return None
    finally:
        os.close(fd)
    return b"".join(chunks) if size <= limit else None


def _store(entry: Path, header: bytes, story: bytes, line: str) -> None:
    """Keep ``line`` for ``story``; a cache that cannot be written just leaves the help slower."""
    from game.atomic import AtomicWriteError, write_atomic

    try:
        write_atomic(entry, b"%s%d\n%s%s" % (header, len(story), story, line.encode("utf-8")), durable=False)
    except AtomicWriteError:
        return
