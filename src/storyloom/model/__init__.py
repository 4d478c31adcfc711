"""The Storyloom document model: plain, versioned data with no I/O."""
from storyloom.model.animation import Key, Param, Transform, ease
from storyloom.model.document import (AssetRef, AssetSource, Character, ColorSource, DialogueLine,
                                      Layer, Project, Scene, Shot, Size, Take, TextSource,
                                      Transition, Voice, new_id)
from storyloom.model.operations import (CameraMove, Click, Cutout, Interpolate, Operation, Remove,
                                        Restyle, Upscale, load_operation, operation_types)
from storyloom.model.schema import NewerSchemaError, Schema, register_upgrade

__all__ = [
    "AssetRef", "AssetSource", "CameraMove", "Character", "Click", "ColorSource", "Cutout",
    "DialogueLine", "Interpolate", "Key", "Layer", "NewerSchemaError", "Operation", "Param",
    "Project", "Remove", "Restyle", "Scene", "Schema", "Shot", "Size", "Take", "TextSource",
    "Transform", "Transition", "Upscale", "Voice", "ease", "load_operation", "new_id",
    "operation_types", "register_upgrade",
]
