"""Fixtures for the studio API tests: an app over a temporary library, tiny media."""
import numpy as np
import pytest
from fastapi.testclient import TestClient

from storyloom.api import create_app


@pytest.fixture
def make_client(tmp_path):
    """``make_client(**create_app kwargs) -> TestClient`` over ``tmp_path/lib`` (renders in-process)."""
    clients = []

    def make(**kw):
        kw.setdefault("render_workers", 0)
        app = create_app(kw.pop("library", tmp_path / "lib"), **kw)
        client = TestClient(app, base_url="http://127.0.0.1")   # a loopback Host, as a browser on this machine sends
        client.__enter__()
        clients.append(client)
        return client
    yield make
    for c in clients:
        c.__exit__(None, None, None)


@pytest.fixture
def client(make_client):
    return make_client()


@pytest.fixture
def png_bytes():
    import cv2
    img = np.zeros((36, 64, 3), np.uint8)
    img[:, 32:] = (0, 128, 255)
    ok_, data = cv2.imencode(".png", img)
    return data.tobytes()
