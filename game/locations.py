"""The one place that knows where saves and the story cache live."""

from __future__ import annotations

import os
from pathlib import Path

SAVES_ENV = "DAYLIGHTS_SAVES"
CACHE_ENV = "DAYLIGHTS_CACHE"
_CHECKOUT = Path(__file__).resolve().parent.parent


def saves_folder(override: Path | str | None = None) -> Path:
    """``--saves DIR``, else ``$DAYLIGHTS_SAVES``, else ``saves/`` in a checkout, else the user data folder."""
    if override:
        return Path(override)
    if os.environ.get(SAVES_ENV):
        return Path(os.environ[SAVES_ENV])
    if (_CHECKOUT / "pyproject.toml").is_file() and (_CHECKOUT / "saves").is_dir():
        return _CHECKOUT / "saves"
    import platformdirs  # only here: most starts name their folders, and it costs 10 ms to import

    return platformdirs.user_data_path("daylights", appauthor=False) / "saves"


def cache_enabled() -> bool:
    """Whether there is a cache at all (``$DAYLIGHTS_CACHE=off`` turns it off), without finding its folder."""
    return os.environ.get(CACHE_ENV, "").lower() != "off"


def cache_folder() -> Path | None:
    """``$DAYLIGHTS_CACHE`` (``off`` turns the cache off), else the user cache folder."""
    if not cache_enabled():
        return None
    chosen = os.environ.get(CACHE_ENV, "")
    if chosen:
        return Path(chosen)
    import platformdirs

    return platformdirs.user_cache_path("daylights", appauthor=False)
