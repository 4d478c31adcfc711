"""The rule-based script reader (Fountain syntax, or prose paragraphs); needs nothing."""
from __future__ import annotations

from typing import Optional

from storyloom.engines.base import Progress, no_progress, register
from storyloom.engines.script.base import ScriptEngine
from storyloom.script import script_to_scenes


@register
class RulesScript(ScriptEngine):
    NAME = "rules"
    VERSION = "1"
    PRIORITY = 10   # the default: deterministic, offline, instant
    DESCRIPTION = "Fountain / prose reader: scene headings, action, dialogue, words-per-second timing"

    def storyboard(self, text: str, filename: str = "script.fountain", known_cast: Optional[list[str]] = None,
                   progress: Progress = no_progress):
        progress(0.0, "reading the script")
        sb = script_to_scenes(text, filename, known_cast=known_cast)
        progress(1.0, f"{len(sb.shots)} shots")
        return sb
