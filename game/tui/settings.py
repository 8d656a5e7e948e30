"""The player's settings (today only the theme), kept per user in the config folder.

Settings are a typed msgspec Struct decoded from JSON. A missing, damaged or foreign file gives
the defaults, never an error: losing a theme choice costs a player nothing, refusing to start
would cost them the game. Writes are atomic, like every file the game writes.
"""

from __future__ import annotations

import os
from pathlib import Path

import msgspec
import platformdirs

from game.atomic import AtomicWriteError, read_bounded, write_atomic

CONFIG_ENV = "DAYLIGHTS_CONFIG"
SETTINGS_FILE = "settings.json"
MAX_SETTINGS_BYTES = 64 * 1024
DEFAULT_THEME = "daylights"


class Settings(msgspec.Struct, frozen=True, forbid_unknown_fields=False):
    """What the player chose; every field has a default so an older or newer file still reads."""

    theme: str = DEFAULT_THEME


def settings_path() -> Path:
    """``$DAYLIGHTS_CONFIG/settings.json``, else ``settings.json`` in the user's config folder."""
    chosen = os.environ.get(CONFIG_ENV)
    folder = Path(chosen) if chosen else platformdirs.user_config_path("daylights", appauthor=False)
    return folder / SETTINGS_FILE


def read_settings(path: Path) -> Settings:
    """The settings in ``path``; the defaults when it is missing, unreadable or not valid settings."""
    try:
        return msgspec.json.decode(read_bounded(path, MAX_SETTINGS_BYTES), type=Settings)
    except (OSError, AtomicWriteError, msgspec.DecodeError, msgspec.ValidationError, RecursionError):
        return Settings()


def write_settings(path: Path, settings: Settings) -> str | None:
    """Store ``settings``; returns why it could not be written (for a notice), or None."""
    try:
        write_atomic(path, msgspec.json.format(msgspec.json.encode(settings)) + b"\n", durable=False)
    except AtomicWriteError as exc:
        return str(exc)
    return None
