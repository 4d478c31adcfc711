"""Rendering: a shot's layers composited, its operations run as cached steps, the shots
joined into the film.

    compositor  layers blended into one frame (premultiplied alpha, transforms, blend modes)
    feeds       one layer's picture at each frame (colour, text, still, video, another shot)
    shot        a shot's frames: feeds composited, then its operation steps (cached)
    steps/      one module per operation: its step, the check of its values, its form's examples
    cache       step outputs on disk, keyed by content and the engines that may run them
    cards       what a blank shot shows: its storyboard card
    timeline    the film: shots in chunks on an executor, cuts and crossfades, sound, encoding
    executor    where chunks run: this process or a local process pool

    >>> from storyloom.render import render_project, render_shot   # doctest: +SKIP
"""
from storyloom.render.clip import Clip
from storyloom.render.compositor import LayerImage, composite_frame
from storyloom.render.shot import render_shot
from storyloom.render.steps import StepContext, register_step, step_for, validate_operation
from storyloom.render.timeline import RenderResult, render_project

__all__ = ["Clip", "LayerImage", "RenderResult", "StepContext", "composite_frame", "register_step",
           "render_project", "render_shot", "step_for", "validate_operation"]
