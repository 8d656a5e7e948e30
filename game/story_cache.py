"""Opening a story: from the cache when nothing has changed, else parsed and validated afresh.

Parsing YAML is most of the cost of opening a story, and a player opens the same story again and
again, as a writer checks it. The cache keeps the last story loaded from each folder in the user's
cache folder (``$DAYLIGHTS_CACHE`` moves it; ``off`` turns it off), with what ``check`` reads
besides: the loader's warnings and the story's walkthroughs. An entry is JSON decoded into the
story's own typed structures: data that cannot run code, whatever bytes a file holds (compiled
condition tests are rebuilt from their trees). It opens only under its key, a digest of everything
the story depends on: the folder as given, the names and bytes of its scene and walkthrough files,
the versions of the game, Python and msgspec, and the size and modification time of the sources
that read them (stat only: a first start does not hash them). An edited file, a new version of the
game or an entry written for another folder is therefore never used, and a story is stored only
if it was parsed from the bytes its key was made from. The entry ends with the SHA-256 of its JSON,
so a damaged or hand-edited one is rebuilt before it is decoded. Files are listed and read
under the loader's own limits (``game.story.files``) and the entry under a size bound; a missing,
unreadable, damaged or foreign entry is simply rebuilt: the cache can make opening faster, never
wrong and never unsafe.

YAML and the loader are imported only when a story really has to be parsed.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

import msgspec

from game import __version__, locations
from game.atomic import AtomicWriteError, clean_stale_temps, read_bounded, write_atomic
from game.gcpause import paused_gc
from game.story import conditions
from game.story.files import FileRefused, read_regular_file, story_files
from game.story.model import Story, uncompiled
from game.story.problems import Problem, StoryError
from game.walkthrough import WALKTHROUGHS, WalkthroughFile, WalkthroughSource, read_walkthroughs, walkthrough_sources

FORMAT = b"daylights-story-cache 3"
"""The first line of an entry, before its key; a new layout gets a new number. The JSON follows,
then a last line with its SHA-256: a damaged entry is rebuilt, never decoded."""
_TRAILER = 65
"""The last line's size: a newline and 64 hex digits."""
_HERE = Path(__file__).resolve().parent
_SOURCES = (*(_HERE / "story").glob("*.py"), _HERE / "walkthrough.py", _HERE / "story_cache.py")
"""The code that decides what an entry holds: a change to any of it (by size or time) is a new key."""
_UNSAFE_JSON = (re.compile(rb"\\(?:[bfr]|u(?:00[01]|00[89]|007f|202[89a-e]|206[6-9]|d[89a-f]))", re.I),
                re.compile(rb"\xc2[\x80-\x9f]"), re.compile(rb"\xe2(?:\x80[\xa8-\xae]|\x81[\xa6-\xa9])"))
"""A character the loader refuses in any text (``files.UNSAFE_CHARACTERS``), as JSON writes it,
escaped or raw (three searches, each fast for its own first byte). An entry holding one was not
written by this game; a writer's literal backslash before such letters merely goes uncached."""


class _Tree(msgspec.Struct, frozen=True, gc=False):
    """A condition's tree, decoded through a Struct so that msgspec keeps its type information."""

    tree: conditions.Tree


class _Key(NamedTuple):
    """Where a story's entry lives and what it must match, from the files as read before parsing."""

    entry: Path
    header: bytes
    """The first line the entry must hold: the format and the key."""
    limit: int
    """The most bytes the entry may hold."""
    fingerprint: str
    """The ``Story.fingerprint`` of the scene files the key was made from: a story parsed from other
    bytes (a file edited and put back while it was parsed) is not stored under this key."""
    walkthroughs: tuple[WalkthroughSource, ...]
    """The walkthrough files the key was made from, which are parsed from these very bytes."""


class CheckedStory(msgspec.Struct, frozen=True, gc=False):
    """A valid story with everything ``check`` reads besides it: what one cache entry holds."""

    story: Story
    warnings: tuple[Problem, ...]
    """The loader's warnings, in the order it reports them."""
    walkthroughs: tuple[WalkthroughFile, ...]


def load_story(folder: Path | str, cached: bool = True) -> Story:
    """The valid story in ``folder``, from the cache when possible; raises StoryError listing every error."""
    story, store = open_story(folder, cached)
    if store is not None:
        store()
    return story


def open_story(folder: Path | str, cached: bool = True) -> tuple[Story, Callable[[], None] | None]:
    """``load_story`` without the cache write: the story, and the call that stores a story just parsed.

    The game stores it on another thread while it builds its first frame. The call stores only if
    no file has changed since the story was parsed; it may run on any thread.
    """
    path = Path(folder)
    found = _entry(path) if cached else None
    entry = _read(found) if found is not None else None
    if entry is not None:
        return entry.story, None
    story, warnings = _parse(path)
    if found is None:
        return story, None
    return story, lambda: _store(path, found, story, warnings, read_walkthroughs(path, found.walkthroughs))


def check_story(folder: Path | str, cached: bool = True
                ) -> tuple[CheckedStory | None, list[Problem], Callable[[], None] | None]:
    """What ``check`` reads: the valid story with its warnings and walkthroughs (from the cache when
    nothing has changed, else parsed afresh), or None with every error and warning; and, for a
    story just parsed, the call that stores it (``check`` makes it once its analysis is over and
    freed, so that the entry's encoding never adds to the most memory a check takes)."""
    path = Path(folder)
    found = _entry(path) if cached else None
    entry = _read(found) if found is not None else None
    if entry is not None:
        return entry, list(entry.warnings), None
    try:
        story, warnings = _parse(path)
    except StoryError as exc:
        return None, list(exc.problems), None
    walkthroughs = read_walkthroughs(path, None if found is None else found.walkthroughs)
    checked = CheckedStory(story, tuple(warnings), walkthroughs)
    if found is None:
        return checked, warnings, None
    return checked, warnings, lambda: _store(path, found, story, warnings, checked.walkthroughs)


def _parse(folder: Path) -> tuple[Story, list[Problem]]:
    """The story parsed afresh with its warnings; raises StoryError when it has errors."""
    from game.story import loader

    parsed, problems = loader.check_story(folder)
    if parsed is None:
        raise StoryError(problems)
    return parsed, problems


def _store(folder: Path, found: _Key, story: Story, warnings: list[Problem],
           walkthroughs: tuple[WalkthroughFile, ...]) -> None:
    """Write the entry, if the story was parsed from the bytes its key was made from and no file has
    changed since (an entry nobody would read is not worth writing)."""
    if story.fingerprint != found.fingerprint:
        return
    now = _entry(folder)
    if now is not None and now.header == found.header:
        _write(found.entry, found.header, CheckedStory(story, tuple(warnings), walkthroughs))


def _entry(folder: Path) -> _Key | None:
    """The key of ``folder``'s story as its files are now; None when the story cannot be cached (no
    cache, or a folder the loader would refuse)."""
    cache = locations.cache_folder()
    if cache is None:
        return None
    listing = story_files(folder)
    if listing.story_file is None or listing.has_errors:
        return None
    digest, fingerprint = hashlib.sha256(), hashlib.sha256()
    try:
        resolved = folder.resolve(strict=True)
        for part in (__version__, sys.version, msgspec.__version__, str(folder), str(resolved)):
            digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
        if not any(path.name == "loader.py" for path in _SOURCES):
            return None  # installed without its sources: a new version could not be told apart
        for source in sorted(_SOURCES):
            info = source.stat()
            digest.update(f"{source.name}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
        for problem in listing.problems:
            digest.update(str(problem).encode() + b"\0")
        total = 0
        for path in (listing.story_file, *listing.act_files):
            content = read_regular_file(path)
            total += len(content)
            digest.update(path.name.encode() + b"\0" + len(content).to_bytes(8, "big") + content)
            fingerprint.update(path.name.encode() + b"\0" + content + b"\0")  # as the loader makes it
        walkthroughs = walkthrough_sources(folder)
        for path, read in walkthroughs:
            content = read if isinstance(read, bytes) else repr(read).encode()
            # at most one choice in two bytes, each kept with its place (the file's path and a line)
            total += len(content) // 2 * (len(str(path)) + 64) // 16
            digest.update(f"{WALKTHROUGHS}/".encode() + path.name.encode("utf-8", "surrogateescape") + b"\0"
                          + len(content).to_bytes(8, "big") + content)
    except (OSError, RuntimeError, FileRefused):
        return None
    name = hashlib.sha256(str(resolved).encode("utf-8", "surrogateescape")).hexdigest()[:32]
    header = FORMAT + b" " + digest.hexdigest().encode() + b"\n"
    return _Key(cache / "stories" / f"{name}.json", header, 16 * total + (1 << 20), fingerprint.hexdigest(),
                walkthroughs)


def _read(key: _Key) -> CheckedStory | None:
    """The story in the key's entry if it is this user's regular file, carries the key's header, is
    whole (its last line is the SHA-256 of the JSON before it) and decodes."""
    try:
        if hasattr(os, "getuid") and os.stat(key.entry).st_uid != os.getuid():
            return None  # another user's file is never read, however harmless its format
        data = read_bounded(key.entry, key.limit)
    except (OSError, AtomicWriteError):
        return None
    start, end = len(key.header), len(data) - _TRAILER
    if (end < start or not data.startswith(key.header) or data[end:end + 1] != b"\n"
            or hashlib.sha256(memoryview(data)[start:end]).hexdigest().encode() != data[end + 1:]
            or any(unsafe.search(data, start, end) for unsafe in _UNSAFE_JSON)):
        return None
    try:
        with paused_gc():
            checked = _DECODER.decode(memoryview(data)[start:end])
    except (msgspec.DecodeError, conditions.ConditionError, RecursionError, KeyError):
        return None  # a damaged or planted entry is rebuilt, never trusted
    story = checked.story
    return msgspec.structs.replace(checked, story=msgspec.structs.replace(
        story, items=MappingProxyType(story.items), variables=MappingProxyType(story.variables),
        scenes=MappingProxyType(story.scenes)))


def _write(entry: Path, header: bytes, checked: CheckedStory) -> None:
    """Store the entry; a folder that cannot be written, or a story JSON cannot hold, just goes uncached."""
    clean_stale_temps(entry.parent)  # what a writer killed mid-store left
    try:
        write_atomic(entry, _pieces(header, checked), durable=False)
    except (AtomicWriteError, TypeError, RecursionError, UnicodeEncodeError):
        return  # UnicodeEncodeError: a path that is not UTF-8 (JSON cannot hold it)


def _pieces(header: bytes, checked: CheckedStory) -> Iterator[bytes]:
    """The entry: its header, its JSON a scene at a time (storing a large story never holds its whole
    encoding: at 100,000 scenes that would add half as much again to the memory the story takes), and
    the JSON's digest."""
    digest = hashlib.sha256()
    yield header
    for piece in _json_pieces(checked):
        digest.update(piece)
        yield piece
    yield b"\n" + digest.hexdigest().encode()


def _json_pieces(checked: CheckedStory) -> Iterator[bytes]:
    encode = msgspec.json.Encoder(enc_hook=_encode).encode
    story = checked.story
    yield b'{"story":{'
    for index, field in enumerate(msgspec.structs.fields(Story)):
        yield (b"," if index else b"") + encode(field.encode_name) + b":"
        if field.name != "scenes":
            yield encode(getattr(story, field.name))
            continue
        yield b"{"
        for number, (scene_id, scene) in enumerate(story.scenes.items()):
            yield (b"," if number else b"") + encode(scene_id) + b":" + encode(scene)
        yield b"}"
    yield b'},"warnings":' + encode(checked.warnings) + b',"walkthroughs":' + encode(checked.walkthroughs) + b"}"


def _encode(value: object) -> object:
    """Read-only mappings as plain ones; a compiled test as nothing (it is rebuilt from the tree)."""
    if isinstance(value, MappingProxyType):
        return dict(value)
    if callable(value):
        return None
    raise TypeError(f"the story cache cannot hold a {type(value).__name__}")


def _decode(kind: type, value: Any) -> object:
    """A condition's tree from its tagged nodes; its test stands uncompiled until the condition
    compiles it (``Condition.__post_init__``)."""
    if kind is object:
        return msgspec.convert({"tree": value}, _Tree).tree
    if getattr(kind, "__origin__", None) is Callable and value is None:
        return uncompiled
    raise msgspec.ValidationError(f"unexpected {kind!r} in a story cache entry")


_DECODER = msgspec.json.Decoder(CheckedStory, dec_hook=_decode)
