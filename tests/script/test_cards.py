"""Storyboard cards: what a blank shot renders as, and when it is (not) used."""
import numpy as np

from storyloom.model import ColorSource, DialogueLine, Layer, Project
from storyloom.render import render_shot
from storyloom.render.shot import shot_key
from storyloom.render.cards import card_image


def _project(w=320, h=180):
    p = Project(size={"width": w, "height": h}, fps=12)
    sc = p.add_scene("INT. LAB - NIGHT")
    shot = sc.add_shot(title="Sparks fly", description="Sparks fly from the old machine as Ida pulls the lever.",
                       duration=1.0, characters=["Ida"],
                       dialogue=[DialogueLine(character="Ida", text="It works!", parenthetical="shouting")])
    return p, shot


def _rows_with_text(img, threshold=170):
    return np.nonzero((img.max(axis=2) > threshold).any(axis=1))[0]


def test_card_has_text_where_the_layout_puts_it():
    p, shot = _project()
    img = card_image(p, shot)
    assert img.shape == (180, 320, 3) and img.dtype == np.uint8
    # dark slate background (not black), light text
    assert 20 < np.median(img) < 60 and img.max() > 230
    assert img[-5:, :, 2].mean() > img[-5:, :, 0].mean()      # slate is bluish
    rows = _rows_with_text(img)
    # text starts under the top margin and everything fits in the upper part of the frame
    assert 8 <= rows.min() <= 16 and rows.max() < 110
    light = img.max(axis=2) > 200
    # the rule under the heading: one full-width accent line
    rule = int(np.argmax(light.mean(axis=1)))
    assert 16 <= rule <= 28 and light[rule, 20:300].all()
    # the title (bold, biggest) just under it, the left and right margins kept
    assert light[rule + 4:rule + 26].mean() > 0.03
    assert not light[:, :15].any() and not light[:, 306:].any()
    # the speaker's name in warm yellow below the description, the heading label in blue
    warm = (img[..., 0] > 200) & (img[..., 1] > 150) & (img[..., 2] < 150)
    blue = (img[..., 2] > 200) & (img[..., 0] < 160)
    assert warm.sum() > 20 and blue[:rule].sum() > 20
    assert not warm[:rule + 40].any()                        # dialogue comes after title and description


def test_card_changes_with_the_shot_and_fits_long_text():
    p, shot = _project()
    a = card_image(p, shot)
    shot.description = "A completely different description of what happens."
    b = card_image(p, shot)
    assert np.abs(a.astype(int) - b.astype(int)).mean() > 1
    shot.title = "An extraordinarily long title that cannot possibly fit on one or two lines of a small card"
    shot.description = " ".join(["word"] * 300)
    shot.dialogue = [DialogueLine(character="Ida", text=f"Line {i} goes on and on and on.") for i in range(30)]
    c = card_image(p, shot)
    rows = _rows_with_text(c, 120)
    assert rows.max() < 175                                  # shrunk and cut, never drawn off the frame
    assert card_image(p, shot, index=7).shape == (180, 320, 3)


def test_blank_shots_render_as_cards_and_layered_shots_do_not():
    p, shot = _project()
    frames = render_shot(None, p, shot).frames
    assert frames.shape == (12, 180, 320, 3)
    assert np.array_equal(frames[0], card_image(p, shot)) and np.array_equal(frames[0], frames[-1])
    # a hidden layer still leaves the shot blank
    shot.add_layer(Layer(name="bg", source=ColorSource(color="#ff0000"), visible=False))
    assert np.array_equal(render_shot(None, p, shot).frames[3], card_image(p, shot))
    key = shot_key(p, shot)
    shot.description = "Changed."
    assert shot_key(p, shot) != key                          # the card's text is part of its cache key
    shot.layers[0].visible = True
    red = render_shot(None, p, shot).frames[0]
    assert (red[..., 0] > 240).all() and (red[..., 1] < 15).all()
    key = shot_key(p, shot)
    shot.description = "Changed again."
    assert shot_key(p, shot) == key                          # a filled shot's picture ignores its text
