"""Restyle: a clip in one of 20+ named looks, with no flicker.

    >>> from storyloom.engines.restyle import style_names
    >>> "ukiyo-e" in style_names()
    True
"""
from storyloom.engines.restyle.base import Restyler, blend_strength, check_frames, check_strength
from storyloom.engines.restyle.catalogue import STYLES, StyleInfo, get_style, style_names

__all__ = ["Restyler", "STYLES", "StyleInfo", "blend_strength", "check_frames", "check_strength",
           "get_style", "style_names"]
