"""A picture's main subject, found with no help from the user (shared by the engines and
the studio, not a capability of its own):

- ``auto_prompt(rgb, before, after)``: a point and a box on it, to prompt a cutout (a
  scene's new background cuts each shot's subject out with it);
- ``find_subject(rgb)``: its matte, to move it apart from the background (the camera's
  "make the photo move").

Both look for a person first (MediaPipe), then for what stands out (saliency); the
prompt also follows what moves unlike the camera.

    >>> import numpy as np
    >>> auto_prompt(np.zeros((90, 160, 3), np.uint8))["how"], find_subject(np.zeros((90, 160, 3), np.uint8))[0]
    ('centre', None)
"""
from storyloom.engines.subject.matte import find_subject
from storyloom.engines.subject.prompt import auto_prompt

__all__ = ["auto_prompt", "find_subject"]
