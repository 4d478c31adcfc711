"""The Storyloom document model: plain, versioned data with no I/O.

Imports nothing of Storyloom's outside ``storyloom.model`` but ``storyloom.errors``, and
neither numpy nor OpenCV: every door (and every render worker) can load a document cheaply.

    >>> from storyloom.model import Project, Restyle
    >>> Project(title="Trip").add_scene("Arrival").add_shot(title="Sky").add_operation(Restyle(style="ukiyo-e")).label()
    'restyle ukiyo-e'
"""
from storyloom.model.animation import Key, Param, Transform, ease
from storyloom.model.document import (AssetRef, AssetSource, Character, ColorSource, DialogueLine,
                                      Layer, Project, Scene, Shot, ShotSource, Size, Take, TextSource,
                                      Transition, Voice, new_id)
from storyloom.model.operations import (CameraMove, Click, Cutout, Harmonize, Interpolate, Operation, Remove,
                                        Restyle, Upscale, load_operation, operation_types)
from storyloom.model.schema import NewerSchemaError, Schema, register_upgrade

__all__ = [
    "AssetRef", "AssetSource", "CameraMove", "Character", "Click", "ColorSource", "Cutout",
    "DialogueLine", "Harmonize", "Interpolate", "Key", "Layer", "NewerSchemaError", "Operation", "Param",
    "Project", "Remove", "Restyle", "Scene", "Schema", "Shot", "ShotSource", "Size", "Take", "TextSource",
    "Transform", "Transition", "Upscale", "Voice", "ease", "load_operation", "new_id",
    "operation_types", "register_upgrade",
]
