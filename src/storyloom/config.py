"""Settings: environment variables first, then a TOML file.

``STORYLOOM_CONFIG`` names the file (default ``~/.config/storyloom/config.toml``)::

    [engines.sam2]
    weights = "/models/sam2.1-hiera-tiny"

The same setting from the environment: ``STORYLOOM_SAM2_WEIGHTS=/models/...``.
"""
from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional


def config_path() -> Path:
    return Path(os.environ.get("STORYLOOM_CONFIG", Path.home() / ".config" / "storyloom" / "config.toml"))


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> dict[str, Any]:
    try:
        return tomllib.loads(Path(path).read_text())
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def settings() -> dict[str, Any]:
    p = config_path()
    try:
        return _load(str(p), p.stat().st_mtime)
    except OSError:
        return {}


def engine_setting(engine: str, key: str, default: Optional[str] = None) -> Optional[str]:
    """A setting for one engine, e.g. ``engine_setting("sam2", "weights")``.

    >>> engine_setting("nonexistent-engine", "weights", "none")
    'none'
    """
    env = f"STORYLOOM_{engine.upper().replace('-', '_')}_{key.upper()}"
    if os.environ.get(env):
        return os.environ[env]
    value = settings().get("engines", {}).get(engine, {}).get(key)
    return str(value) if value is not None else default


def setting(section: str, key: str, default: Any = None) -> Any:
    """A general setting, ``STORYLOOM_<SECTION>_<KEY>`` or ``[section] key`` in the file."""
    env = f"STORYLOOM_{section.upper()}_{key.upper()}"
    if os.environ.get(env):
        return os.environ[env]
    return settings().get(section, {}).get(key, default)
