"""Receiving uploaded files: streamed to disk, size-limited, recognised by content.

The multipart body is parsed as it arrives (``python_multipart``), the file part written
in chunks to a temp file with a generated name inside the library (``uploads/``); the
client's file name is kept only as metadata. The file's kind is decided by reading it
(``storyloom.media.probe.stored_suffix``), never by its name.

    >>> upload = await receive_upload(request, lib, limit=2 << 30)   # doctest: +SKIP
    >>> upload.path.name, upload.filename                            # doctest: +SKIP
    ('upload-3f9a0c1b2d4e5f60.mp4', 'holiday.mp4')
"""
from __future__ import annotations

import contextlib
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from starlette.requests import Request

from storyloom.api.deps import ApiError
from storyloom.errors import BadInput
from storyloom.media.probe import stored_suffix

DEFAULT_LIMIT = 2 << 30  # 2 GiB
#: bytes of multipart framing (boundaries, part headers, small fields) allowed beyond the limit
_FRAMING = 64 * 1024
_MAX_FIELD = 64 * 1024

@dataclass
class Upload:
    """A received file (``path``, inside the library) and the other form fields."""

    path: Optional[Path] = None
    filename: str = ""
    size: int = 0
    fields: dict = field(default_factory=dict)

    def discard(self) -> None:
        if self.path is not None:
            with contextlib.suppress(OSError):
                self.path.unlink()


def display_name(filename: str) -> str:
    """The client's file name reduced to a harmless label (last path part, printable, ≤ 120 chars).

    >>> display_name("../../etc/passwd"), display_name("C:\\\\clips\\\\a.mp4"), display_name("")
    ('passwd', 'a.mp4', 'upload')
    """
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable()).strip().lstrip(".")
    return name[:120] or "upload"


async def receive_upload(request: Request, lib, limit: int, file_field: str = "file") -> Upload:
    """Stream a multipart upload to ``lib.root/uploads/upload-<random>.part``.

    413 once the file passes ``limit`` bytes (also up front from Content-Length), 400 for a
    body that is not multipart or has no ``file_field``. The caller owns ``upload.path``.
    """
    import python_multipart
    from python_multipart.multipart import parse_options_header

    ctype, params = parse_options_header(request.headers.get("content-type", ""))
    if ctype != b"multipart/form-data" or b"boundary" not in params:
        raise ApiError(400, f"send the file as multipart/form-data in a field named {file_field!r}")
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit + _FRAMING:
        raise ApiError(413, f"upload is {int(declared)} bytes; this studio accepts files up to {limit} bytes",
                       limit=limit)
    folder = Path(lib.root) / "uploads"
    folder.mkdir(exist_ok=True)
    up = Upload()
    state = {"headers": [], "hname": b"", "hvalue": b"", "name": None, "is_file": False,
             "buf": bytearray(), "out": None, "files": 0}

    def on_part_begin():
        state.update(headers=[], name=None, is_file=False, buf=bytearray())

    def on_header_field(data, start, end):
        state["hname"] += data[start:end]

    def on_header_value(data, start, end):
        state["hvalue"] += data[start:end]

    def on_header_end():
        state["headers"].append((state["hname"].lower(), state["hvalue"]))
        state["hname"], state["hvalue"] = b"", b""

    def on_headers_finished():
        disp = dict(state["headers"]).get(b"content-disposition", b"")
        _, opts = parse_options_header(disp)
        state["name"] = opts.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" in opts and state["name"] == file_field:
            if state["files"]:
                raise ApiError(400, "send one file per upload")
            state["files"] += 1
            state["is_file"] = True
            up.filename = display_name(opts[b"filename"].decode("utf-8", "replace"))
            up.path = folder / f"upload-{secrets.token_hex(8)}.part"
            state["out"] = open(up.path, "xb")

    def on_part_data(data, start, end):
        if state["is_file"]:
            up.size += end - start
            if up.size > limit:
                raise ApiError(413, f"{up.filename}: larger than the {limit} bytes this studio accepts",
                               limit=limit)
            state["out"].write(data[start:end])
        elif state["name"] is not None:
            if len(state["buf"]) + end - start > _MAX_FIELD:
                raise ApiError(400, f"form field {state['name']!r} is too long")
            state["buf"] += data[start:end]

    def on_end():
        state["ended"] = True

    def on_part_end():
        if state["is_file"]:
            state["out"].close()
            state["out"] = None
        elif state["name"]:
            up.fields[state["name"]] = bytes(state["buf"]).decode("utf-8", "replace")

    parser = python_multipart.MultipartParser(params[b"boundary"], {
        "on_part_begin": on_part_begin, "on_part_data": on_part_data, "on_part_end": on_part_end,
        "on_header_field": on_header_field, "on_header_value": on_header_value,
        "on_header_end": on_header_end, "on_headers_finished": on_headers_finished, "on_end": on_end})
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
        if not state.get("ended"):
            raise ApiError(400, "the upload was cut short (no closing multipart boundary); send it again")
        if up.path is None:
            raise ApiError(400, f"no file in the upload: send it in the form field {file_field!r}")
        if up.size == 0:
            raise ApiError(400, f"{up.filename}: file is empty")
    except BaseException as e:
        if state["out"] is not None:
            state["out"].close()
        up.discard()
        if isinstance(e, python_multipart.exceptions.FormParserError):
            raise ApiError(400, "the upload is not valid multipart/form-data") from None
        raise
    return up


def recognise(up: Upload, lib):
    """Give the upload the suffix its content calls for, then store it in the library
    (which probes it once); 415 when it is not media. Returns ``(AssetRef, MediaInfo)``
    with the client's name on the ref. The upload file stays for the caller to discard.
    """
    try:
        suffix = stored_suffix(up.path)
        target = up.path.with_suffix(suffix)
        os.replace(up.path, target)
        up.path = target
        ref, info = lib.import_asset(target)
    except BadInput as e:
        msg = str(e).replace(str(up.path), up.filename).replace(up.path.name, up.filename)
        up.discard()
        if not msg.startswith(up.filename):
            msg = f"{up.filename}: {msg}"
        raise ApiError(415, msg) from None
    return ref.model_copy(update={"name": up.filename}), info
