"""Opening a story: parse and validate it, or take it from the cache when nothing has changed.

Parsing YAML is most of the cost of opening a story, and a player opens the same story again and
again. ``load_story`` keeps the last story it loaded from each folder in the user's cache folder
(``$DAYLIGHTS_CACHE`` moves it; ``off`` turns it off), keyed by a digest of everything the result
depends on: the folder as given, the name and bytes of every file the loader would look at, the
Python and msgspec versions and the source of this package. An edited scene file or a new version
of the game therefore never sees a stale story. A missing, unreadable or damaged entry is simply
rebuilt, and an entry another user owns is never read (a pickle can run code): the cache can make
opening faster, never wrong.

The writer's ``check_story`` always parses afresh, since its point is to report every problem.
YAML and the loader are imported only when a story really has to be parsed.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import sys
from pathlib import Path

import msgspec

from game import locations
from game.gcpause import paused_gc
from game.story.model import Story
from game.story.problems import Problem, StoryError

_PACKAGE = Path(__file__).resolve().parent


def check_story(folder: Path | str) -> tuple[Story | None, list[Problem]]:
    """Parse and validate ``folder``: the story (None when there are errors) and every error and warning."""
    from game.story import loader

    return loader.check_story(folder)


def load_story(folder: Path | str, cached: bool = True) -> Story:
    """The valid story in ``folder``, from the cache when possible; raises StoryError listing every error."""
    entry, key = _entry(Path(folder)) if cached else (None, b"")
    if entry is not None:
        story = _read(entry, key)
        if story is not None:
            return story
    story, problems = check_story(folder)
    if story is None:
        raise StoryError(problems)
    if entry is not None:
        _write(entry, key, story)
    return story


def _entry(folder: Path) -> tuple[Path | None, bytes]:
    """The cache file for ``folder`` and the key its content must carry; (None, b"") when uncacheable."""
    cache = locations.cache_folder()
    if cache is None:
        return None, b""
    digest = hashlib.sha256()
    try:
        resolved = folder.resolve()
        for part in (str(folder), str(resolved), sys.version, str(pickle.HIGHEST_PROTOCOL), msgspec.__version__):
            digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
        sources = sorted(_PACKAGE.glob("*.py"))
        if not sources:
            return None, b""  # installed without its sources: a new version could not be told apart
        for source in sources:
            digest.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
        for path in sorted(folder.iterdir()):
            if path.suffix in (".yaml", ".yml"):
                target = str(path.resolve()).encode("utf-8", "surrogateescape")
                content = path.read_bytes() if path.suffix == ".yaml" and path.is_file() else b""
                digest.update(path.name.encode("utf-8", "surrogateescape") + b"\0" + target + b"\0")
                digest.update(len(content).to_bytes(8, "big") + content)
    except (OSError, ValueError):
        return None, b""
    name = hashlib.sha256(str(resolved).encode("utf-8", "surrogateescape")).hexdigest()[:32]
    return cache / "stories" / f"{name}.pickle", digest.digest()


def _read(entry: Path, key: bytes) -> Story | None:
    try:
        with entry.open("rb") as stream:
            info = os.fstat(stream.fileno())
            if not stat.S_ISREG(info.st_mode):
                return None
            if hasattr(os, "getuid") and info.st_uid != os.getuid():
                return None  # a pickle is code: only ever read one this user wrote
            data = stream.read()
    except OSError:
        return None
    if not data.startswith(key):
        return None
    try:
        with paused_gc():
            story = pickle.loads(data[len(key):])
    except Exception:  # a damaged entry of any kind is rebuilt, never trusted
        return None
    return story if isinstance(story, Story) else None


def _write(entry: Path, key: bytes, story: Story) -> None:
    """Store the entry; a folder that cannot be written or a story pickle cannot hold just goes uncached."""
    from game.atomic import AtomicWriteError, write_atomic

    try:
        write_atomic(entry, key + pickle.dumps(story, protocol=pickle.HIGHEST_PROTOCOL), durable=False)
    except (AtomicWriteError, pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return
