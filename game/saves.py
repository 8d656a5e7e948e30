"""Saves that are never lost: named slots, a quicksave, rotating autosaves, and endings found.

Every write goes to a temporary file in the same folder, is flushed and fsynced, and then
replaces the old file atomically, so a crash leaves either the old save or the new one, never a
half-written file. Reading never writes. A save remembers the story's fingerprint and the path of
choice ids, so a save made before the story was edited can still be brought forward.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import tempfile
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import msgspec

from game import engine
from game.engine import State, StateFormatError
from game.migrate import MigrationError, bring_forward
from game.story.model import Story

FORMAT_VERSION = 1
MAX_SAVE_BYTES = 4 * 1024 * 1024
MAX_SLOT_NAME = 40
AUTOSAVES = 5
QUICKSAVE = "quicksave"
ENDINGS_FILE = "endings.json"
_AUTO_PREFIX = "autosave-"


class SaveError(Exception):
    """A save that cannot be written, read or used; the message is one line for the player."""


class SaveInfo(msgspec.Struct, frozen=True):
    """A save as listed in a table: enough to choose one without loading it."""

    slot: str
    kind: str
    """'named', 'quick' or 'auto'."""
    saved_at: str
    act_title: str
    scene_title: str
    moves: int
    elapsed: float
    sequence: int
    error: str | None = None
    """Why the save cannot be loaded, for damaged or foreign files; None when it looks fine."""


class Loaded(msgspec.Struct, frozen=True):
    state: State
    notes: tuple[str, ...]
    """What changed because the story was edited since the save; empty when nothing did."""


def check_slot_name(name: str) -> str:
    """The slot name, or SaveError saying what is wrong with it (it becomes a file name)."""
    if not name or not name.strip():
        raise SaveError("a save name cannot be empty")
    if len(name) > MAX_SLOT_NAME:
        raise SaveError(f"a save name can be at most {MAX_SLOT_NAME} characters (this one has {len(name)})")
    if any(unicodedata.category(c).startswith("C") for c in name):
        raise SaveError("a save name cannot contain control characters")
    for bad in ("/", "\\", ".."):
        if bad in name:
            raise SaveError(f"a save name cannot contain '{bad}'")
    if name != name.strip() or name.startswith("."):
        raise SaveError("a save name cannot start or end with a space, or start with '.'")
    if name.lower() in (QUICKSAVE, ENDINGS_FILE.removesuffix(".json")) or name.lower().startswith(_AUTO_PREFIX):
        raise SaveError(f"'{name}' is reserved for the game's own saves; pick another name")
    return name


def write_atomic(path: Path, data: bytes, durable: bool = True) -> None:
    """Replace ``path`` with ``data`` so that a crash at any moment leaves the old or the new file.

    ``durable=False`` skips the fsyncs (a power cut may then leave an empty or partial file), for
    files whose loss costs nothing and whose reader checks them, such as the story cache.
    """
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".json")
    except OSError as exc:
        raise SaveError(f"cannot write to {folder}: {_why(exc)}") from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            if durable:
                os.fsync(out.fileno())
        os.replace(temp, path)
        if durable:
            _fsync_folder(folder)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise SaveError(f"could not save {path.name}: {_why(exc)}; the previous save is untouched") from None


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def _why(exc: OSError) -> str:
    return {
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is used up",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.EROFS: "the folder is on a read-only file system",
    }.get(exc.errno or 0, exc.strerror or str(exc))


class SaveStore:
    """The saves of one folder. All methods that write are crash-safe; none deletes unasked."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    # -- writing -------------------------------------------------------------------------------
    def save(self, slot: str, story: Story, state: State) -> SaveInfo:
        """Save to a named slot (overwriting it: front ends ask first)."""
        return self._write(check_slot_name(slot), "named", story, state)

    def quicksave(self, story: Story, state: State) -> SaveInfo:
        return self._write(QUICKSAVE, "quick", story, state)

    def autosave(self, story: Story, state: State) -> SaveInfo:
        """Save into the oldest of the rotating autosave slots, keeping the last five."""
        autos = [i for i in self._infos() if i.kind == "auto" and i.error is None]
        sequence = max((i.sequence for i in autos), default=0) + 1
        return self._write(f"{_AUTO_PREFIX}{(sequence - 1) % AUTOSAVES + 1}", "auto", story, state, sequence)

    def _write(self, slot: str, kind: str, story: Story, state: State, sequence: int = 0) -> SaveInfo:
        scene = story.scenes[state.scene]
        act_title = story.act(scene.act).title if scene.act else ""
        saved_at = datetime.now(UTC).isoformat(timespec="seconds")
        record = {
            "format": FORMAT_VERSION,
            "game": "daylights",
            "story": {"id": story.id, "version": story.version, "fingerprint": story.fingerprint},
            "slot": slot,
            "kind": kind,
            "sequence": sequence,
            "saved_at": saved_at,
            "act_title": act_title,
            "scene_title": scene.title,
            "moves": state.moves,
            "elapsed": state.elapsed,
            "path": list(state.path),
            "state": state.to_json(),
        }
        data = json.dumps(record, ensure_ascii=False, indent=1).encode("utf-8")
        write_atomic(self.folder / f"{slot}.json", data)
        return SaveInfo(slot, kind, saved_at, act_title, scene.title, state.moves, state.elapsed, sequence)

    # -- reading -------------------------------------------------------------------------------
    def load(self, slot: str, story: Story) -> Loaded:
        """The state saved in ``slot``, brought forward to ``story`` if it was edited since."""
        if slot != QUICKSAVE and not slot.startswith(_AUTO_PREFIX):
            check_slot_name(slot)
        record = self._read(self.folder / f"{slot}.json", story.id)
        return restore(story, record, slot)

    def latest_autosave(self, story: Story) -> SaveInfo | None:
        """The newest readable autosave of this story (what Continue loads)."""
        autos = [i for i in self._infos(story.id) if i.kind == "auto" and i.error is None]
        return max(autos, key=lambda i: i.sequence, default=None)

    def list(self, story: Story) -> list[SaveInfo]:
        """Every save in the folder for this story, damaged ones included with their error."""
        return sorted(self._infos(story.id), key=lambda i: (i.kind != "named", i.kind, i.slot))

    def delete(self, slot: str) -> None:
        """Remove a save the player asked to delete."""
        path = self.folder / f"{slot}.json"
        if slot != QUICKSAVE and not slot.startswith(_AUTO_PREFIX):
            check_slot_name(slot)
        try:
            path.unlink()
        except FileNotFoundError:
            raise SaveError(f"there is no save called '{slot}'") from None
        except OSError as exc:
            raise SaveError(f"could not delete '{slot}': {_why(exc)}") from None

    def _infos(self, story_id: str | None = None) -> list[SaveInfo]:
        try:
            paths = sorted(self.folder.glob("*.json"))
        except OSError:
            return []
        infos = []
        for path in paths:
            if path.name.startswith(".") or path.name == ENDINGS_FILE:
                continue
            slot = path.stem
            kind = "quick" if slot == QUICKSAVE else "auto" if slot.startswith(_AUTO_PREFIX) else "named"
            try:
                record = self._read(path, story_id)
            except SaveError as exc:
                infos.append(SaveInfo(slot, kind, "", "", "", 0, 0.0, 0, str(exc)))
                continue
            infos.append(SaveInfo(slot, kind, record["saved_at"], record["act_title"], record["scene_title"],
                                  record["moves"], record["elapsed"], record["sequence"]))
        return infos

    def _read(self, path: Path, story_id: str | None) -> dict:
        name = path.stem
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_SAVE_BYTES + 1)
        except FileNotFoundError:
            raise SaveError(f"there is no save called '{name}'") from None
        except IsADirectoryError:
            raise SaveError(f"save '{name}' is a folder, not a file") from None
        except OSError as exc:
            raise SaveError(f"cannot read save '{name}': {_why(exc)}") from None
        if len(data) > MAX_SAVE_BYTES:
            raise SaveError(f"save '{name}' is larger than {MAX_SAVE_BYTES:,} bytes; it is not a Daylights save")
        return parse_record(data, name, story_id)

    # -- endings found -------------------------------------------------------------------------
    def endings_found(self, story: Story) -> dict[str, str]:
        """Ending scene id → when it was first reached, across every playthrough of this story."""
        return dict(self._endings_file().get(story.id, {}))

    def record_ending(self, story: Story, state: State) -> bool:
        """Remember the ending ``state`` has reached; True when it is a new discovery."""
        if engine.ending_of(story, state) is None:
            return False
        everything = self._endings_file()
        found = dict(everything.get(story.id, {}))
        if state.scene in found:
            return False
        found[state.scene] = datetime.now(UTC).isoformat(timespec="seconds")
        everything[story.id] = found
        write_atomic(self.folder / ENDINGS_FILE, json.dumps(everything, indent=1).encode("utf-8"))
        return True

    def _endings_file(self) -> dict[str, dict[str, str]]:
        """The endings record; a damaged one counts as empty (it is rewritten on the next ending)."""
        try:
            data = json.loads((self.folder / ENDINGS_FILE).read_bytes()[:MAX_SAVE_BYTES])
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        return {k: {e: t for e, t in v.items() if isinstance(e, str) and isinstance(t, str)}
                for k, v in data.items() if isinstance(k, str) and isinstance(v, dict)}


def parse_record(data: bytes, name: str, story_id: str | None) -> dict:
    """Check a save file's bytes and return its record; SaveError says what is wrong."""
    try:
        record = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise SaveError(f"save '{name}' is damaged: it is not text") from None
    except json.JSONDecodeError as exc:
        raise SaveError(f"save '{name}' is damaged: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    except RecursionError:
        raise SaveError(f"save '{name}' is damaged: nested too deeply") from None
    if not isinstance(record, dict) or record.get("game") != "daylights":
        raise SaveError(f"save '{name}' is not a Daylights save")
    version = record.get("format")
    if type(version) is not int:
        raise SaveError(f"save '{name}' is damaged: its format version is missing")
    if version > FORMAT_VERSION:
        raise SaveError(f"save '{name}' was made by a newer Daylights (format {version}; this one reads up to "
                        f"{FORMAT_VERSION}); update the game to load it")
    story = record.get("story")
    if not isinstance(story, dict) or not all(isinstance(story.get(k), str) for k in ("id", "version", "fingerprint")):
        raise SaveError(f"save '{name}' is damaged: it does not say which story it belongs to")
    if story_id is not None and story["id"] != story_id:
        raise SaveError(f"save '{name}' belongs to another story ('{story['id']}')")
    fields = {"saved_at": str, "act_title": str, "scene_title": str, "moves": int, "sequence": int}
    for key, kind in fields.items():
        if type(record.get(key)) is not kind:
            raise SaveError(f"save '{name}' is damaged: '{key}' is missing or of the wrong type")
    if type(record.get("elapsed")) not in (int, float):
        raise SaveError(f"save '{name}' is damaged: 'elapsed' is missing or of the wrong type")
    path = record.get("path")
    if not isinstance(path, list) or not all(isinstance(p, str) for p in path):
        raise SaveError(f"save '{name}' is damaged: 'path' must be a list of choice ids")
    try:
        record["state"] = State.from_json(record.get("state"))
    except StateFormatError as exc:
        raise SaveError(f"save '{name}' is damaged: {exc}") from None
    return record


def restore(story: Story, record: dict, name: str) -> Loaded:
    """Bring a saved record forward to ``story``: as saved, by replaying its path, or by mapping."""
    saved: State = record["state"]
    if record["story"]["fingerprint"] == story.fingerprint and saved.scene in story.scenes:
        return Loaded(saved, ())
    try:
        state, notes = bring_forward(story, saved, record["path"])
    except MigrationError as exc:
        raise SaveError(f"cannot load save '{name}': {exc}; the save file is kept as it was") from None
    return Loaded(state, notes)
