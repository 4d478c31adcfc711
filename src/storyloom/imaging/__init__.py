"""Plain array functions shared by engines and the renderer: alpha and blending, colour,
motion. No I/O, no state, nothing of the document; numpy and OpenCV only.

    >>> from storyloom.imaging.alpha import premultiply, unpremultiply   # doctest: +SKIP
"""
