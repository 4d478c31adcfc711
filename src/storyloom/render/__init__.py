"""Rendering: compositing layers, running operation steps (cached), writing the film.

    >>> from storyloom.render import render_project, render_shot   # doctest: +SKIP
"""
from storyloom.render.compositor import LayerImage, composite_frame
from storyloom.render.jobs import RenderResult, render_project
from storyloom.render.render import render_shot
from storyloom.render.steps import Clip, StepContext, register_step, step_for

__all__ = ["Clip", "LayerImage", "RenderResult", "StepContext", "composite_frame", "register_step",
           "render_project", "render_shot", "step_for"]
