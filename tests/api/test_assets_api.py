"""Uploads (streamed, size limit, content check, harmless names) and HTTP Range serving."""
import hashlib
from pathlib import Path

from api_helpers import ok


def _upload(client, data: bytes, name: str, url="/api/assets", **fields):
    return client.post(url, files={"file": (name, data, "application/octet-stream")}, data=fields)


def _leftovers(lib_dir: Path):
    return sorted(p.name for p in (lib_dir / "uploads").glob("*")) if (lib_dir / "uploads").exists() else []


def test_upload_video_and_picture_by_content(client, tiny_clip, png_bytes, tmp_path):
    data = tiny_clip.read_bytes()
    body = ok(_upload(client, data, "holiday clip.mp4"))
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    assert body["name"] == "holiday clip.mp4" and body["kind"] == "video"
    assert (body["info"]["width"], body["info"]["height"], body["info"]["frames"]) == (160, 90, 24)
    assert body["info"]["has_audio"] is True
    # the name lies ("photo.mp4") but the content is a PNG: it is stored and probed as a picture
    pic = ok(_upload(client, png_bytes, "photo.mp4"))
    assert pic["kind"] == "image" and (pic["info"]["width"], pic["info"]["height"]) == (64, 36)
    info = ok(client.get(f"/api/assets/{pic['sha256']}/info"))
    assert info["kind"] == "image"
    assert _leftovers(tmp_path / "lib") == []


def test_upload_too_big_is_413_and_leaves_nothing(make_client, tiny_clip, tmp_path):
    client = make_client(max_upload=10_000)
    data = tiny_clip.read_bytes()
    assert len(data) > 10_000
    # refused while streaming (the body is within the multipart allowance of Content-Length)
    r = _upload(client, data, "clip.mp4")
    assert r.status_code == 413 and "10000" in r.json()["detail"] and r.json()["limit"] == 10_000
    # refused up front from Content-Length
    r = _upload(client, data * 8, "clip.mp4")
    assert r.status_code == 413 and "10000" in r.json()["detail"]
    assert _leftovers(tmp_path / "lib") == []
    assert not any((tmp_path / "lib" / "assets").rglob("*.mp4"))


def test_upload_not_media_is_415(client, tmp_path):
    r = _upload(client, b"root:x:0:0:root:/root:/bin/bash\n" * 50, "notes.mp4")
    assert r.status_code == 415 and r.json()["detail"].startswith("notes.mp4:")
    r = _upload(client, b"", "empty.mp4")
    assert r.status_code == 400
    cut = client.post("/api/assets", content=b'--xx\r\nContent-Disposition: form-data; name="file"; '
                      b'filename="a.mp4"\r\n\r\n' + b"\0" * 100,
                      headers={"content-type": "multipart/form-data; boundary=xx"})
    assert cut.status_code == 400 and "cut short" in cut.json()["detail"]
    r = client.post("/api/assets", json={"file": "x"})
    assert r.status_code == 400 and "multipart" in r.json()["detail"]
    assert _leftovers(tmp_path / "lib") == []


def test_traversal_filename_stays_harmless(client, tiny_clip, tmp_path):
    lib_dir = tmp_path / "lib"
    before = {p for p in tmp_path.rglob("*") if "lib" not in p.relative_to(tmp_path).parts}
    body = ok(_upload(client, tiny_clip.read_bytes(), "../../etc/passwd"))
    assert body["name"] == "passwd" and body["kind"] == "video"
    after = {p for p in tmp_path.rglob("*") if "lib" not in p.relative_to(tmp_path).parts}
    assert after == before   # nothing written beside the library
    stored = list((lib_dir / "assets").rglob(f"{body['sha256']}*"))
    assert len(stored) == 1 and stored[0].name == body["sha256"] + ".mp4"
    r = _upload(client, b"not media at all", "../../etc/passwd")
    assert r.status_code == 415 and r.json()["detail"].startswith("passwd:")
    # path parameters are validated: only 64 hex digits name an asset
    assert client.get("/api/assets/..%2F..%2Fetc%2Fpasswd").status_code in (404, 422)
    assert client.get("/api/assets/" + "z" * 64).status_code == 422
    assert client.get("/api/assets/" + "0" * 64).status_code == 404


def test_range_requests(client, tiny_clip):
    data = tiny_clip.read_bytes()
    sha = ok(_upload(client, data, "clip.mp4"))["sha256"]
    url = f"/api/assets/{sha}"
    full = client.get(url)
    assert full.status_code == 200 and full.content == data
    assert full.headers["accept-ranges"] == "bytes" and full.headers["content-type"] == "video/mp4"

    part = client.get(url, headers={"Range": "bytes=100-1123"})
    assert part.status_code == 206 and part.content == data[100:1124]
    assert part.headers["content-range"] == f"bytes 100-1123/{len(data)}"
    assert int(part.headers["content-length"]) == 1024

    tail = client.get(url, headers={"Range": "bytes=-500"})
    assert tail.status_code == 206 and tail.content == data[-500:]
    rest = client.get(url, headers={"Range": f"bytes={len(data) - 10}-"})
    assert rest.status_code == 206 and rest.content == data[-10:]

    bad = client.get(url, headers={"Range": f"bytes={len(data) + 5}-{len(data) + 50}"})
    assert bad.status_code == 416 and bad.headers["content-range"] == f"bytes */{len(data)}"
    # an If-Range that no longer matches gets the whole file
    stale = client.get(url, headers={"Range": "bytes=0-9", "If-Range": '"other"'})
    assert stale.status_code == 200 and stale.content == data
    fresh = client.get(url, headers={"Range": "bytes=0-9", "If-Range": f'"{sha}"'})
    assert fresh.status_code == 206 and fresh.content == data[:10]
    head = client.head(url)
    assert head.status_code == 200 and int(head.headers["content-length"]) == len(data) and head.content == b""
