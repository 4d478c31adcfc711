"""Engines, one sub-package per capability; see ``storyloom.engines.base``."""
from storyloom.engines.base import (AVAILABLE, Availability, Choice, Engine, Progress,
                                    capabilities, engines, load_errors, missing, no_progress,
                                    register, resolve)

__all__ = ["AVAILABLE", "Availability", "Choice", "Engine", "Progress", "capabilities", "engines",
           "load_errors", "missing", "no_progress", "register", "resolve"]
