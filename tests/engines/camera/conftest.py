"""Fixtures of the camera tests: see camera_media.py."""
import pytest

from camera_media import ecc_motion, make_texture, median_motion


@pytest.fixture
def texture():
    return make_texture


@pytest.fixture
def motion():
    return median_motion


@pytest.fixture
def motion_pair():
    return ecc_motion
