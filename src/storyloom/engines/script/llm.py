"""Storyboard from any OpenAI-compatible chat endpoint (OpenAI, vLLM, llama.cpp, Ollama, …).

Configured by ``STORYLOOM_LLM_BASE_URL`` (e.g. ``http://localhost:8000/v1``),
``STORYLOOM_LLM_MODEL`` and ``STORYLOOM_LLM_API_KEY`` (or ``[engines.llm]`` in the config
file). The model is asked for JSON matching ``SHOT_LIST_SCHEMA``; the answer is checked
with pydantic, and anything unusable (HTTP error, timeout, not JSON, wrong shape) falls
back to the rule-based reader with a warning, so a script always gives a storyboard.

    $ STORYLOOM_LLM_BASE_URL=http://localhost:8000/v1 storyloom script films/trip trip.fountain --llm
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from storyloom.config import engine_setting
from storyloom.engines.base import AVAILABLE, Availability, Progress, no_progress, register
from storyloom.engines.script.base import ScriptEngine
from storyloom.script import script_to_scenes
from storyloom.script.storyboard import (LineDraft, SceneDraft, ShotDraft, Storyboard, clamp_seconds, display_name,
                                         estimate_seconds, words)

DEFAULT_MODEL = "gpt-4o-mini"
DEFAULT_TIMEOUT = 120.0
#: longer scripts go to the rules instead (most endpoints' context windows)
DEFAULT_MAX_CHARS = 60000


class LlmDialogue(BaseModel):
    model_config = ConfigDict(extra="ignore")
    character: str = Field(min_length=1, max_length=80)
    text: str = Field(min_length=1)
    parenthetical: str = ""


class LlmShot(BaseModel):
    model_config = ConfigDict(extra="ignore")
    title: str = Field(min_length=1, max_length=200)
    description: str = ""
    duration: Optional[float] = None
    characters: list[str] = Field(default_factory=list)
    dialogue: list[LlmDialogue] = Field(default_factory=list)


class LlmScene(BaseModel):
    model_config = ConfigDict(extra="ignore")
    title: str = Field(min_length=1, max_length=200)
    description: str = ""
    shots: list[LlmShot] = Field(min_length=1)


class LlmShotList(BaseModel):
    model_config = ConfigDict(extra="ignore")
    title: str = ""
    scenes: list[LlmScene] = Field(min_length=1)


SHOT_LIST_SCHEMA = {
    "type": "object", "required": ["scenes"],
    "properties": {
        "title": {"type": "string"},
        "scenes": {"type": "array", "items": {
            "type": "object", "required": ["title", "shots"],
            "properties": {
                "title": {"type": "string", "description": "scene heading, e.g. INT. KITCHEN - NIGHT"},
                "description": {"type": "string"},
                "shots": {"type": "array", "items": {
                    "type": "object", "required": ["title", "description"],
                    "properties": {
                        "title": {"type": "string", "description": "a few words naming the shot"},
                        "description": {"type": "string", "description": "what the camera sees"},
                        "duration": {"type": "number", "description": "seconds on screen, 1.5 to 20"},
                        "characters": {"type": "array", "items": {"type": "string"}},
                        "dialogue": {"type": "array", "items": {
                            "type": "object", "required": ["character", "text"],
                            "properties": {"character": {"type": "string"}, "text": {"type": "string"},
                                           "parenthetical": {"type": "string"}}}}}}}}}}}}

SYSTEM_PROMPT = (
    "You are a storyboard artist. Break the user's script (a Fountain screenplay or prose) into "
    "scenes and shots, in story order. Each shot is what one camera set-up sees between two cuts: "
    "a short title, a one- or two-sentence visual description, the characters visible, the dialogue "
    "spoken during it (speaker, words, optional parenthetical) and its duration in seconds "
    "(1.5 to 20; speech runs at about 2.5 words per second). Answer with one JSON object only, "
    "no prose, matching this JSON schema:\n" + json.dumps(SHOT_LIST_SCHEMA))


class LlmAnswerError(ValueError):
    """The endpoint answered, but not with a usable shot list."""


def _settings() -> dict:
    return {"base_url": engine_setting("llm", "base_url"),
            "model": engine_setting("llm", "model", DEFAULT_MODEL),
            "api_key": engine_setting("llm", "api_key"),
            "timeout": float(engine_setting("llm", "timeout", str(DEFAULT_TIMEOUT))),
            "max_chars": int(engine_setting("llm", "max_chars", str(DEFAULT_MAX_CHARS)))}


def _json_from(content: str) -> dict:
    """The JSON object in a chat answer (tolerating a Markdown code fence around it)."""
    s = content.strip()
    fence = re.match(r"^```(?:json)?\s*(.*?)\s*```$", s, re.S)
    if fence:
        s = fence.group(1)
    try:
        data = json.loads(s)
    except json.JSONDecodeError as e:
        raise LlmAnswerError(f"answer is not JSON ({e.msg} at character {e.pos})") from None
    if not isinstance(data, dict):
        raise LlmAnswerError("answer is JSON but not an object")
    return data


def ask_shot_list(text: str, base_url: str, model: str = DEFAULT_MODEL, api_key: Optional[str] = None,
                  timeout: float = DEFAULT_TIMEOUT) -> LlmShotList:
    """Ask ``base_url``'s ``/chat/completions`` for a shot list of ``text``; raises httpx
    errors, ``LlmAnswerError`` or pydantic's ``ValidationError`` when it cannot be used.

    >>> ask_shot_list("INT. HALL - DAY ...", "http://localhost:8000/v1").scenes[0].title  # doctest: +SKIP
    'INT. HALL - DAY'
    """
    import httpx
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    body = {"model": model, "temperature": 0, "response_format": {"type": "json_object"},
            "messages": [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": text}]}
    r = httpx.post(base_url.rstrip("/") + "/chat/completions", json=body, headers=headers, timeout=timeout)
    r.raise_for_status()
    try:
        content = r.json()["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise LlmAnswerError("reply is not a chat completion (no choices[0].message.content)") from None
    if not isinstance(content, str):
        raise LlmAnswerError("reply's message content is not text")
    return LlmShotList.model_validate(_json_from(content))


def to_storyboard(shot_list: LlmShotList, filename: str, known_cast: Optional[list[str]] = None) -> Storyboard:
    """The model's shot list as a ``Storyboard`` (durations clamped, or estimated from
    the words when missing; names matched to ``known_cast`` in any case)."""
    cast = {n.lower(): n for n in (known_cast or [])}
    order: list[str] = []

    def name(raw: str) -> str:
        disp = display_name(re.sub(r"\s*\(.*?\)\s*", " ", raw).strip() or raw.strip())
        n = cast.setdefault(disp.lower(), disp)
        if n not in order:
            order.append(n)
        return n

    scenes = []
    for sc in shot_list.scenes:
        scene = SceneDraft(title=sc.title.strip(), description=sc.description.strip())
        for s in sc.shots:
            dialogue = [LineDraft(character=name(d.character), text=d.text.strip(),
                                     parenthetical=d.parenthetical.strip()) for d in s.dialogue if d.text.strip()]
            chars = []
            for c in [*(name(c) for c in s.characters if c.strip()), *(d.character for d in dialogue)]:
                if c not in chars:
                    chars.append(c)
            if s.duration is not None and 0 < s.duration < 3600:
                duration = clamp_seconds(s.duration)
            else:
                duration = estimate_seconds(words(s.description), dialogue)
            scene.shots.append(ShotDraft(title=s.title.strip(), description=s.description.strip(), duration=duration,
                                    dialogue=dialogue, characters=chars))
        scenes.append(scene)
    return Storyboard(scenes=scenes, characters=order, warnings=[], format="llm", title=shot_list.title.strip(),
                      engine="llm")


@register
class LlmScript(ScriptEngine):
    NAME = "llm"
    VERSION = "1"
    PRIORITY = 0   # never picked silently: ask for it (`storyloom script … --llm`)
    DESCRIPTION = "OpenAI-compatible chat endpoint asked for a JSON shot list; falls back to the rules"

    @classmethod
    def is_available(cls) -> Availability:
        if not engine_setting("llm", "base_url"):
            return Availability(False, "no endpoint configured (set STORYLOOM_LLM_BASE_URL, e.g. "
                                       "http://localhost:8000/v1, and STORYLOOM_LLM_MODEL / STORYLOOM_LLM_API_KEY)")
        try:
            import httpx  # noqa: F401
        except ImportError:
            return Availability(False, "needs the Python package httpx")
        return AVAILABLE

    def storyboard(self, text: str, filename: str = "script.fountain", known_cast: Optional[list[str]] = None,
                   progress: Progress = no_progress):
        import httpx
        cfg = _settings()
        name = Path(filename).name
        progress(0.0, "asking the LLM")
        if len(text) > cfg["max_chars"]:
            reason = f"script is {len(text)} characters, over the LLM limit of {cfg['max_chars']}"
        else:
            try:
                sb = to_storyboard(ask_shot_list(text, cfg["base_url"], cfg["model"], cfg["api_key"],
                                                 cfg["timeout"]), name, known_cast)
                progress(1.0, f"{len(sb.shots)} shots")
                return sb
            except httpx.TimeoutException:
                reason = f"no answer within {cfg['timeout']:g} s"
            except httpx.HTTPStatusError as e:
                reason = f"HTTP {e.response.status_code} from {cfg['base_url']}"
            except httpx.HTTPError as e:
                reason = f"{type(e).__name__}: {e}"
            except ValidationError as e:
                err = e.errors()[0]
                reason = f"answer does not match the shot-list schema ({'.'.join(map(str, err['loc']))}: {err['msg']})"
            except LlmAnswerError as e:
                reason = str(e)
        sb = script_to_scenes(text, filename, known_cast=known_cast)
        sb.warnings.insert(0, f"{name}: the LLM storyboard could not be used ({reason}); "
                              f"used the rule-based reader instead")
        progress(1.0, f"{len(sb.shots)} shots")
        return sb
