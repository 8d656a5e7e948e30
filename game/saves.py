"""Saves that are never lost: named slots, a quicksave, rotating autosaves, and endings found.

Each story keeps its data in its own folder, ``<saves root>/<story id>/``, so two stories never
touch each other. Every write is crash-safe (``game.atomic``); reading never changes a save.
Every file read back is decoded into typed records with every value range-checked, so a damaged
or hostile file is reported with a one-line reason and every other save keeps working. A save
holds the story's fingerprint and the path of choice ids, so a save made before the story was
edited can still be brought forward (by ``game.session.restore``), and undo can be rebuilt.

Limits (a file beyond them is damaged): a file is at most ``MAX_SAVE_BYTES``; a game at most
``MAX_MOVES`` moves; a variable's value within ±``MAX_INT`` (what a story's largest number added
every move could reach, about 10^15, inside a double's exact range) and its declared range; play
time finite, from 0 to ``MAX_ELAPSED`` (ten years); timestamps RFC 3339 with a time zone, years
1970 to 9999; texts without control or bidi characters. The game checks what it writes against
the same limits, so it never writes a save it would refuse to read.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import unicodedata
from collections import deque
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Literal

import msgspec
from immutables import Map

from game import engine
from game.atomic import AtomicWriteError, NotRegularFile, TooLarge, clean_stale_temps, read_bounded, why, write_atomic
from game.engine import State, Trail
from game.story.model import MAX_VALUE, Story, Variable

FORMAT_VERSION = 2
"""2: path stored once, dictionary-encoded; per-story folders. Format 1 is still read."""
MAX_SAVE_BYTES = 4 * 1024 * 1024
MAX_SLOT_NAME = 40
MAX_MOVES = 1_000_000
MAX_INT = MAX_VALUE * (MAX_MOVES + 1)
"""The largest counter any game of allowed length can reach: a story's largest number, added every move."""
MAX_ELAPSED = 10 * 365.25 * 24 * 3600
MAX_TEXT = 1_000
MAX_NAMES = 100_000
"""The most distinct choice ids, items, variables or scenes a save may name."""
AUTOSAVES = 5
QUICKSAVE = "quicksave"
ENDINGS = "endings"
RECORDS = "speedrun"
AUTOSAVE_SLOTS = tuple(f"autosave-{n}" for n in range(1, AUTOSAVES + 1))
_RESERVED = frozenset({QUICKSAVE, ENDINGS, RECORDS, *AUTOSAVE_SLOTS})
_FLAT_COPIED = ".flat-saves-copied"
"""Marks a story folder whose saves from the old flat layout have been copied in."""
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

Kind = Literal["named", "quick", "auto"]


class SaveError(AtomicWriteError):
    """A save that cannot be written, read or used; the message is one line for the player."""


class SaveInfo(msgspec.Struct, frozen=True):
    """A save as listed in a table: enough to choose one without loading it."""

    slot: str
    kind: Kind
    saved_at: str
    act_title: str
    scene_title: str
    moves: int
    elapsed: float
    sequence: int
    error: str | None = None
    """Why the save cannot be loaded, for damaged or foreign files; None when it looks fine."""


# -- the file formats, as typed records -----------------------------------------------------------

Ident = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=200)]
Text = Annotated[str, msgspec.Meta(max_length=MAX_TEXT)]
Count = Annotated[int, msgspec.Meta(ge=0, le=MAX_MOVES + 1)]
Number = Annotated[int, msgspec.Meta(ge=-MAX_INT, le=MAX_INT)]
Seconds = Annotated[float, msgspec.Meta(ge=0, le=MAX_ELAPSED)]
Sequence = Annotated[int, msgspec.Meta(ge=0, le=MAX_INT)]
Stamp = Annotated[datetime, msgspec.Meta(tz=True)]
UsedKey = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$", max_length=401)]
"""A once-only choice taken, as ``engine.used_key`` writes it: ``scene.choice``."""
Fingerprint = Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]*$", max_length=128)]


class StoryRef(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    id: Ident
    version: Text
    fingerprint: Fingerprint


class Head(msgspec.Struct, frozen=True):
    """Enough of any file of ours to know what it is before decoding the rest."""

    game: str
    format: int


class StoryOf(msgspec.Struct, frozen=True):
    story: StoryRef


class SavedState(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    scene: Ident
    inventory: Annotated[list[Ident], msgspec.Meta(max_length=MAX_NAMES)]
    variables: Annotated[dict[Ident, Number | bool], msgspec.Meta(max_length=MAX_NAMES)]
    visits: Annotated[dict[Ident, Count], msgspec.Meta(max_length=MAX_NAMES)]
    elapsed: Seconds = 0.0
    used: Annotated[list[UsedKey], msgspec.Meta(max_length=MAX_NAMES)] = []


class SavedStateV1(SavedState, frozen=True, forbid_unknown_fields=True):
    """Format 1 kept the path in the state too (format 2 keeps it once, in the record)."""

    path: Annotated[list[Ident], msgspec.Meta(max_length=MAX_MOVES)] = []


class Record(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A save file, format 2: the path is a table of choice ids and indexes into it."""

    format: Literal[2]
    game: Literal["daylights"]
    story: StoryRef
    slot: Text
    kind: Kind
    sequence: Sequence
    saved_at: Stamp
    act_title: Text
    scene_title: Text
    state: SavedState
    choices: Annotated[list[Ident], msgspec.Meta(max_length=MAX_NAMES)]
    path: Annotated[list[Annotated[int, msgspec.Meta(ge=0, lt=MAX_NAMES)]], msgspec.Meta(max_length=MAX_MOVES)]


class RecordV1(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A save file, format 1 (the path twice, as strings)."""

    format: Literal[1]
    game: Literal["daylights"]
    story: StoryRef
    slot: Text
    kind: Kind
    sequence: Sequence
    saved_at: Stamp
    act_title: Text
    scene_title: Text
    moves: Count
    elapsed: Seconds
    path: Annotated[list[Ident], msgspec.Meta(max_length=MAX_MOVES)]
    state: SavedStateV1


class EndingsRecord(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """``endings.json`` of one story: each ending scene found, with when it was first reached."""

    format: Literal[2]
    game: Literal["daylights"]
    story: Ident
    found: Annotated[dict[Ident, Stamp], msgspec.Meta(max_length=MAX_NAMES)]


class Saved(msgspec.Struct, frozen=True):
    """A decoded, checked save, before it is brought forward to the story being played."""

    info: SaveInfo
    story: StoryRef
    state: State
    path: tuple[str, ...]


_decoders: dict[int, msgspec.json.Decoder[Record] | msgspec.json.Decoder[RecordV1]] = {
    1: msgspec.json.Decoder(RecordV1), 2: msgspec.json.Decoder(Record)}
_head = msgspec.json.Decoder(Head)
_story_of = msgspec.json.Decoder(StoryOf)
_endings = msgspec.json.Decoder(EndingsRecord)
_encoder = msgspec.json.Encoder()


# -- names ------------------------------------------------------------------------------------------

def check_slot_name(name: str) -> str:
    """The slot name, or SaveError saying what is wrong with it (it becomes a file name)."""
    if not name or not name.strip():
        raise SaveError("a save name cannot be empty")
    if len(name) > MAX_SLOT_NAME:
        raise SaveError(f"a save name can be at most {MAX_SLOT_NAME} characters (this one has {len(name)})")
    if has_control(name):
        raise SaveError("a save name cannot contain control characters")
    for bad in ("/", "\\", ".."):
        if bad in name:
            raise SaveError(f"a save name cannot contain '{bad}'")
    if name != name.strip() or name.startswith("."):
        raise SaveError("a save name cannot start or end with a space, or start with '.'")
    if name.lower() in _RESERVED or name.lower().startswith("autosave-"):
        raise SaveError(f"'{name}' is reserved for the game's own saves; pick another name")
    return name


def check_loadable(name: str) -> str:
    """A name that may be loaded or deleted: a player's slot name or one of the game's own saves."""
    return name if name in (QUICKSAVE, *AUTOSAVE_SLOTS) else check_slot_name(name)


def kind_of(slot: str) -> Kind:
    return "quick" if slot == QUICKSAVE else "auto" if slot in AUTOSAVE_SLOTS else "named"


def has_control(text: str) -> bool:
    """True when ``text`` holds a control, format (bidi, zero-width), unassigned or line-breaking
    character: anything that could move a terminal's cursor, reorder text or split a line."""
    return not text.isprintable() and any(_unsafe(c) for c in text)


def _unsafe(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] == "C" or category in ("Zl", "Zp")


def _printable(text: str) -> str:
    """A display copy (titles shown in a save list) without control characters, of bounded length."""
    if has_control(text):
        text = "".join(c for c in text if not _unsafe(c))
    return text[:MAX_TEXT]


# -- reading and checking ----------------------------------------------------------------------------

def decode_save(data: bytes, slot: str, story: Story) -> Saved:
    """Check a save file's bytes and return what it holds; SaveError says what is wrong."""
    record = _decode(data, slot, story)
    path = tuple(record.path) if isinstance(record, RecordV1) else tuple([record.choices[i] for i in record.path])
    saved = record.state
    state = State(saved.scene, frozenset(saved.inventory), Map(saved.variables), Map(saved.visits),
                  Trail.of(path), saved.elapsed, frozenset(saved.used))
    return Saved(_info_of(record, slot), record.story, state, path)


def _decode(data: bytes, slot: str, story: Story) -> Record | RecordV1:
    """The typed record in a save file's bytes, every value checked."""
    try:
        head = _head.decode(data)
    except msgspec.ValidationError:
        raise SaveError(f"save '{slot}' is not a Daylights save") from None
    except (ValueError, RecursionError):  # malformed JSON, or bytes that are not UTF-8
        raise SaveError(f"save '{slot}' is damaged: it is not valid JSON") from None
    if head.game != "daylights":
        raise SaveError(f"save '{slot}' is not a Daylights save")
    if head.format > FORMAT_VERSION:
        raise SaveError(f"save '{slot}' was made by a newer Daylights (format {head.format}; this one reads up to "
                        f"{FORMAT_VERSION}); update the game to load it")
    if head.format not in _decoders:
        raise SaveError(f"save '{slot}' is damaged: there is no save format {head.format}")
    try:
        record = _decoders[head.format].decode(data)
    except msgspec.ValidationError as exc:
        raise SaveError(f"save '{slot}' is damaged: {_reason(exc)}") from None
    except (ValueError, RecursionError):  # malformed JSON, or bytes that are not UTF-8
        raise SaveError(f"save '{slot}' is damaged: it is not valid JSON") from None
    if record.story.id != story.id:
        raise SaveError(f"save '{slot}' belongs to another story ('{record.story.id}')")
    if isinstance(record, Record) and max(record.path, default=-1) >= len(record.choices):
        raise SaveError(f"save '{slot}' is damaged: its path names a choice its table lacks")
    if isinstance(record, RecordV1) and record.state.path != record.path:
        raise SaveError(f"save '{slot}' is damaged: its two copies of the path differ")
    for text in (record.act_title, record.scene_title, record.story.version):
        if has_control(text):
            raise SaveError(f"save '{slot}' is damaged: it holds control characters")
    if record.saved_at.year < 1970:
        raise SaveError(f"save '{slot}' is damaged: its date is out of range")
    if record.story.fingerprint == story.fingerprint:
        _check_names(record.state, story, slot)
    return record


def _info_of(record: Record | RecordV1, slot: str) -> SaveInfo:
    return SaveInfo(slot, kind_of(slot), record.saved_at.isoformat(), record.act_title, record.scene_title,
                    len(record.path), record.state.elapsed, record.sequence)


def _check_names(saved: SavedState, story: Story, slot: str) -> None:
    """A save of exactly this story version must name only what the story has, and all its variables."""
    extra = sorted(set(saved.variables) - set(story.variables))
    missing = sorted(set(story.variables) - set(saved.variables))
    problems = [f"its scene '{saved.scene}' is not in the story"] if saved.scene not in story.scenes else []
    problems += [
        *(f"its item '{i}' is not in the story" for i in saved.inventory if i not in story.items),
        *(f"variable '{v}' is not in the story" for v in extra),
        *(f"variable '{v}' is missing" for v in missing),
        *(f"variable '{k}' has a value of the wrong kind" for k, v in saved.variables.items()
          if k in story.variables and type(v) is not type(story.variables[k].default)),
        *(f"variable '{k}' is {v}, outside its range" for k, v in saved.variables.items()
          if k in story.variables and not _in_range(story.variables[k], v)),
        *(f"it counts visits to scene '{s}', which is not in the story" for s in saved.visits if s not in story.scenes),
        *(f"it has taken choice '{k}', which is not in the story" for k in saved.used if not _is_choice(story, k)),
    ]
    if problems:
        raise SaveError(f"save '{slot}' is damaged: {problems[0]}")


def _in_range(variable: Variable, value: int | bool) -> bool:
    return isinstance(value, bool) or ((variable.low is None or value >= variable.low)
                                       and (variable.high is None or value <= variable.high))


def _is_choice(story: Story, key: str) -> bool:
    scene_id, _, choice_id = key.partition(".")
    scene = story.scenes.get(scene_id)
    return scene is not None and scene.choice(choice_id) is not None


def _reason(exc: msgspec.ValidationError) -> str:
    """msgspec's message, e.g. 'Expected `int`, got `str` - at `$.moves`', kept to one short line."""
    text = " ".join(str(exc).split())
    return text if len(text) <= 200 else text[:197] + "..."


def titles(story: Story, state: State) -> tuple[str, str]:
    """The act and scene titles a save list shows, as display-safe copies."""
    scene = story.scenes[state.scene]
    return _printable(story.act(scene.act).title if scene.act else ""), _printable(scene.title)


def encode_save(slot: str, kind: Kind, story: Story, state: State, sequence: int, now: datetime) -> bytes:
    """A format-2 save of ``state``; SaveError if it would be refused when read back."""
    act_title, scene_title = titles(story, state)
    table: dict[str, int] = {}
    path = [table.setdefault(choice_id, len(table)) for choice_id in state.path]
    record = Record(
        format=2, game="daylights", story=StoryRef(story.id, story.version, story.fingerprint), slot=slot,
        kind=kind, sequence=sequence, saved_at=now, act_title=act_title, scene_title=scene_title,
        state=SavedState(state.scene, sorted(state.inventory), dict(sorted(state.variables.items())),
                         dict(sorted(state.visits.items())), state.elapsed, sorted(state.used)),
        choices=list(table), path=path)
    data = _encoder.encode(record)
    if len(data) > MAX_SAVE_BYTES:
        raise SaveError(f"this game is too long to save ({state.moves:,} moves make {len(data):,} bytes; a save "
                        f"holds at most {MAX_SAVE_BYTES:,}); the previous save is untouched")
    try:
        _decode(data, slot, story)
    except SaveError as exc:
        raise SaveError(f"cannot save this game, it would not load again ({exc}); "
                        "the previous save is untouched") from None
    return data


# -- the store -------------------------------------------------------------------------------------

class SaveStore:
    """The saves under one root folder, each story in its own folder. Writes are crash-safe;
    nothing is deleted unless the player asks."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        """The saves root; a story's own files are in ``story_folder(story)``."""
        self._ready: set[str] = set()
        self._sequence: dict[str, int] = {}
        self._lock = threading.Lock()

    def story_folder(self, story: Story) -> Path:
        """``<root>/<story id>``, made on first use, with any saves of the old flat layout copied in."""
        if not _IDENT.match(story.id):
            raise SaveError(f"the story id '{story.id}' cannot name a saves folder")
        folder = self.folder / story.id
        if story.id not in self._ready:
            with self._lock:
                if story.id not in self._ready:
                    with contextlib.suppress(OSError):
                        folder.mkdir(parents=True, exist_ok=True)
                    clean_stale_temps(self.folder)
                    clean_stale_temps(folder)
                    _copy_flat_saves(self.folder, folder, story)
                    self._ready.add(story.id)
        return folder

    def path(self, story: Story, slot: str) -> Path:
        """The file of a slot (checked: a name can never leave the story's folder)."""
        return self.story_folder(story) / f"{check_loadable(slot)}.json"

    # -- writing -------------------------------------------------------------------------------
    def save(self, slot: str, story: Story, state: State) -> SaveInfo:
        """Save to a named slot (overwriting it: front ends ask first)."""
        return self._write(check_slot_name(slot), "named", story, state)

    def quicksave(self, story: Story, state: State) -> SaveInfo:
        return self._write(QUICKSAVE, "quick", story, state)

    def autosave(self, story: Story, state: State) -> SaveInfo:
        """Save into the oldest of the five rotating autosave slots.

        The next sequence number is found once, from the five autosave files, then kept in
        memory: an autosave never lists the folder, so its cost does not grow with the saves.
        """
        with self._lock:
            sequence = self._sequence.get(story.id)
        if sequence is None:
            sequence = max((i.sequence for i in self._autosaves(story) if i.error is None), default=0)
        sequence = sequence + 1 if sequence < MAX_INT else 1  # a planted file at the limit cannot stop autosaves
        info = self._write(AUTOSAVE_SLOTS[(sequence - 1) % AUTOSAVES], "auto", story, state, sequence)
        with self._lock:
            self._sequence[story.id] = sequence
        return info

    def _write(self, slot: str, kind: Kind, story: Story, state: State, sequence: int = 0) -> SaveInfo:
        now = datetime.now(UTC).replace(microsecond=0)
        _write(self.story_folder(story) / f"{slot}.json", encode_save(slot, kind, story, state, sequence, now))
        return SaveInfo(slot, kind, now.isoformat(), *titles(story, state), state.moves, state.elapsed, sequence)

    # -- reading -------------------------------------------------------------------------------
    def read(self, slot: str, story: Story) -> Saved:
        """The save in ``slot``, decoded and checked; ``game.session.restore`` brings it forward to
        an edited story (the saves know nothing of migration)."""
        return decode_save(self._bytes(slot, story), slot, story)

    def _bytes(self, slot: str, story: Story) -> bytes:
        path = self.path(story, slot)
        try:
            return read_bounded(path, MAX_SAVE_BYTES)
        except FileNotFoundError:
            raise SaveError(f"there is no save called '{slot}'") from None
        except NotRegularFile:
            raise SaveError(f"save '{slot}' is damaged: it is not a regular file") from None
        except TooLarge:
            raise SaveError(f"save '{slot}' is larger than {MAX_SAVE_BYTES:,} bytes; "
                            "it is not a Daylights save") from None
        except AtomicWriteError as exc:
            raise SaveError(str(exc)) from None

    def latest_autosave(self, story: Story) -> SaveInfo | None:
        """The newest readable autosave of this story (what Continue loads); reads five files."""
        return max((i for i in self._autosaves(story) if i.error is None), key=lambda i: i.sequence, default=None)

    def list(self, story: Story) -> list[SaveInfo]:
        """Every save of this story, damaged ones included with their one-line error."""
        folder = self.story_folder(story)
        try:
            with os.scandir(folder) as entries:
                slots = sorted(e.name.removesuffix(".json") for e in entries if e.name.endswith(".json"))
        except OSError:
            return []
        infos = [self._info(slot, story) for slot in slots if slot not in (ENDINGS, RECORDS) and _loadable(slot)]
        return sorted(infos, key=lambda i: (i.kind != "named", i.kind, i.slot))

    def delete(self, slot: str, story: Story) -> None:
        """Remove a save the player asked to delete."""
        path = self.path(story, slot)
        try:
            path.unlink()
        except FileNotFoundError:
            raise SaveError(f"there is no save called '{slot}'") from None
        except OSError as exc:
            raise SaveError(f"could not delete '{slot}': {why(exc)}") from None

    def _autosaves(self, story: Story) -> Iterator[SaveInfo]:
        for slot in AUTOSAVE_SLOTS:
            info = self._info(slot, story)
            if info.error != f"there is no save called '{slot}'":
                yield info

    def _info(self, slot: str, story: Story) -> SaveInfo:
        try:
            return _info_of(_decode(self._bytes(slot, story), slot, story), slot)
        except SaveError as exc:
            return SaveInfo(slot, kind_of(slot), "", "", "", 0, 0.0, 0, str(exc))

    # -- endings found -------------------------------------------------------------------------
    def endings_found(self, story: Story) -> dict[str, str]:
        """Ending scene id → when it was first reached (ISO), for the endings this story still has."""
        found, _ = self.endings_record(story)
        return {scene: when for scene, when in found.items()
                if scene in story.scenes and story.scenes[scene].ending is not None}

    def endings_record(self, story: Story) -> tuple[dict[str, str], str | None]:
        """Every ending in the record, and why the record is damaged (None when it is fine or absent)."""
        try:
            data = read_bounded(self.story_folder(story) / f"{ENDINGS}.json", MAX_SAVE_BYTES)
        except FileNotFoundError:
            return {}, None
        except AtomicWriteError as exc:
            return {}, f"the endings record is damaged: {exc}"
        try:
            record = _endings.decode(data)
        except msgspec.ValidationError as exc:
            return {}, f"the endings record is damaged: {_reason(exc)}"
        except (ValueError, RecursionError):  # malformed JSON, or bytes that are not UTF-8
            return {}, "the endings record is damaged: it is not valid JSON"
        if record.story != story.id:
            return {}, f"the endings record belongs to another story ('{record.story}')"
        if any(when.year < 1970 for when in record.found.values()):
            return {}, "the endings record is damaged: a date is out of range"
        return {scene: when.isoformat() for scene, when in record.found.items()}, None

    def record_ending(self, story: Story, state: State) -> bool:
        """Remember the ending ``state`` has reached; True when it is a new discovery.

        A damaged record is copied aside (``.endings-damaged-<time>.json``) before a new one
        is written, so nothing it held is lost.
        """
        if engine.ending_of(story, state) is None:
            return False
        found, problem = self.endings_record(story)
        if state.scene in found:
            return False
        path = self.story_folder(story) / f"{ENDINGS}.json"
        if problem is not None:
            keep_aside(path)
        now = datetime.now(UTC).replace(microsecond=0)
        everything = {scene: datetime.fromisoformat(when) for scene, when in found.items()} | {state.scene: now}
        _write(path, _encoder.encode(EndingsRecord(2, "daylights", story.id, everything)))
        return True


def _loadable(slot: str) -> bool:
    try:
        check_loadable(slot)
    except SaveError:
        return False
    return True


def _write(path: Path, data: bytes) -> None:
    try:
        write_atomic(path, data)
    except AtomicWriteError as exc:
        raise SaveError(str(exc)) from None


def keep_aside(path: Path) -> None:
    """Copy a damaged record to a hidden, dated file beside it before it is replaced."""
    try:
        data = read_bounded(path, MAX_SAVE_BYTES)
    except (OSError, AtomicWriteError):
        return
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    aside = path.with_name(f".{path.stem}-damaged-{stamp}{path.suffix}")
    number = 1
    while aside.exists() or aside.is_symlink():  # never over an earlier copy, even within a microsecond
        number += 1
        aside = path.with_name(f".{path.stem}-damaged-{stamp}-{number}{path.suffix}")
    with contextlib.suppress(AtomicWriteError):
        write_atomic(aside, data)


# -- the old flat layout -----------------------------------------------------------------------------

def _copy_flat_saves(root: Path, folder: Path, story: Story) -> None:
    """Copy this story's saves, endings and records from the flat layout (files directly in the
    root, shared by every story) into its own folder, once. Originals are never removed; a file
    already in the story's folder is never overwritten."""
    try:
        if (folder / _FLAT_COPIED).exists():
            return
        with os.scandir(root) as entries:
            names = sorted(e.name for e in entries if e.name.endswith(".json") and e.is_file(follow_symlinks=False))
    except OSError:
        return
    if not names:
        return
    with contextlib.suppress(AtomicWriteError, OSError):
        for name in names:
            slot = name.removesuffix(".json")
            if slot == ENDINGS:
                _copy_flat_endings(root / name, folder, story)
            elif slot == RECORDS:
                _copy_flat_entry(root / name, folder / name, story)
            elif _loadable(slot) and not (folder / name).exists():
                data = _flat_bytes(root / name)
                with contextlib.suppress(ValueError, RecursionError):
                    if data is not None and _story_of.decode(data).story.id == story.id:
                        write_atomic(folder / name, data)
        write_atomic(folder / _FLAT_COPIED, b"")


def _flat_bytes(path: Path) -> bytes | None:
    try:
        return read_bounded(path, MAX_SAVE_BYTES)
    except (OSError, AtomicWriteError):
        return None


def _flat_entry(path: Path, story: Story) -> object:
    """This story's entry in an old shared file keyed by story id (endings.json, speedrun.json)."""
    data = _flat_bytes(path)
    try:
        everything = msgspec.json.decode(data) if data is not None else None
    except (ValueError, RecursionError):
        return None
    return everything.get(story.id) if isinstance(everything, dict) else None


def _copy_flat_endings(path: Path, folder: Path, story: Story) -> None:
    entry = _flat_entry(path, story)
    if not isinstance(entry, dict):
        return
    found: dict[str, datetime] = {}
    for scene, when in entry.items():
        with contextlib.suppress(ValueError, TypeError):
            stamp = datetime.fromisoformat(when)
            if _IDENT.match(scene) and stamp.tzinfo is not None and stamp.year >= 1970:
                found[scene] = stamp
    target = folder / f"{ENDINGS}.json"
    if target.exists():
        with contextlib.suppress(ValueError, OSError, AtomicWriteError):
            found |= _endings.decode(read_bounded(target, MAX_SAVE_BYTES)).found
    if found:
        write_atomic(target, _encoder.encode(EndingsRecord(2, "daylights", story.id, found)))


def _copy_flat_entry(path: Path, target: Path, story: Story) -> None:
    """Speedrun records: the old entry wrapped in the per-story envelope, if there is none yet."""
    entry = _flat_entry(path, story)
    if isinstance(entry, dict) and not target.exists():
        write_atomic(target, _encoder.encode({"format": 2, "game": "daylights", "story": story.id, "best": entry}))


# -- autosaving off the UI thread ---------------------------------------------------------------------

class AutosaveWriter:
    """Writes autosaves on one background thread, in order, so a key press never waits for the disk.

    ``on_error`` is called on the writer's thread (a Textual app wraps it in ``call_from_thread``);
    failures are also kept for ``take_failures``. ``flush`` waits until every submitted autosave
    is on disk; call it before reading autosaves back and before the program exits.
    """

    def __init__(self, store: SaveStore, on_error: Callable[[SaveError], None] | None = None) -> None:
        self.store = store
        self.on_error = on_error
        self._queue: deque[tuple[Story, State]] = deque()
        self._busy = 0
        self._failures: list[str] = []
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None

    def submit(self, story: Story, state: State) -> None:
        with self._changed:
            self._queue.append((story, state))
            self._busy += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="autosave", daemon=True)
                self._thread.start()
            self._changed.notify_all()

    def flush(self, timeout: float | None = None) -> bool:
        """Wait for every autosave submitted so far; False if ``timeout`` ran out first."""
        with self._changed:
            return self._changed.wait_for(lambda: self._busy == 0, timeout)

    def take_failures(self) -> list[str]:
        """The messages of autosaves that failed since the last call."""
        with self._changed:
            failures, self._failures = self._failures, []
        return failures

    def _run(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: bool(self._queue))
                story, state = self._queue.popleft()
            try:
                self.store.autosave(story, state)
            except Exception as exc:  # the thread must outlive any failure, or flush would wait for ever
                failure = exc if isinstance(exc, SaveError) else SaveError(f"autosave failed: {exc!r}")
                with self._changed:
                    self._failures.append(str(failure))
                if self.on_error is not None:
                    self.on_error(failure)
            finally:
                with self._changed:
                    self._busy -= 1
                    self._changed.notify_all()
