"""Engines: every backend per capability, and why it can or cannot run here."""
from __future__ import annotations

from fastapi import APIRouter

from storyloom.engines.base import engines

router = APIRouter(tags=["engines"])


@router.get("/api/engines")
def list_engines() -> list[dict]:
    """``[{name, capability, available, reason, description, neural, priority}]``, best first."""
    out = []
    for e in engines():
        a = e.is_available()
        out.append({"name": e.NAME, "capability": e.CAPABILITY, "available": bool(a),
                    "reason": a.reason or ("ready" if a else "unavailable"), "description": e.DESCRIPTION,
                    "neural": e.NEURAL, "priority": e.PRIORITY, "version": e.VERSION})
    return out
