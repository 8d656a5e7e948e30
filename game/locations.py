"""The one place that knows where saves live."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

SAVES_ENV = "DAYLIGHTS_SAVES"
_CHECKOUT = Path(__file__).resolve().parent.parent


def saves_folder(override: Path | str | None = None) -> Path:
    """``--saves DIR``, else ``$DAYLIGHTS_SAVES``, else ``saves/`` in a checkout, else the user data folder."""
    if override:
        return Path(override)
    if os.environ.get(SAVES_ENV):
        return Path(os.environ[SAVES_ENV])
    if (_CHECKOUT / "pyproject.toml").is_file() and (_CHECKOUT / "saves").is_dir():
        return _CHECKOUT / "saves"
    return platformdirs.user_data_path("daylights", appauthor=False) / "saves"
