"""The studio's service layer: every door (the API, the CLI, the Python ``Project``) edits
a project through these functions.

A service function takes the document (and the library, for media), makes one edit and
returns an ``Edit`` (its summary, what it created); its caller saves the document as one
revision (``commit``), so undo takes back exactly one edit.

    commit      Edit, commit(), patch(): how a service call becomes one revision
    board       project settings, scenes, shots, takes; finding and naming them
    layers      a shot's layers and operations
    cutout      an object cut out as its own layer, corrected with clicks
    background  a scene's new background (subjects cut out, colours harmonised)
    cast        characters
    importer    footage and stills into shots and scenes
    script      a script's scenes, shots and cast
    project     the Python door (``storyloom.Project``)
    jobs        what the studio server's jobs run; previews: outputs in the cache
    demo        the bundled demo project

    >>> from storyloom.model import Project
    >>> from storyloom.studio import board
    >>> board.add_scene(Project(), "Arrival").summary
    "add scene 'Arrival'"
"""
