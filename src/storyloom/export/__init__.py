"""Exports for other tools: OpenTimelineIO for editors."""
