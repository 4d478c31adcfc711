"""The ``diffusers`` restyle backend end to end with a tiny random-weight Stable Diffusion
img2img pipeline and ControlNet built from configs in code (the diffusers test-suite's dummy
components), saved with ``save_pretrained`` and loaded through the engine settings. Nothing is
downloaded."""
from __future__ import annotations

import json
import re

import numpy as np
import pytest

pytest.importorskip("diffusers")
pytest.importorskip("transformers")


def _bytes_to_unicode() -> dict[int, str]:
    """GPT-2/CLIP byte-level alphabet: every byte as a printable character."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("\xa1"), ord("\xac") + 1)) + \
        list(range(ord("\xae"), ord("\xff") + 1))
    cs, n = bs[:], 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


def build_tiny_pipeline(folder):
    """A random-weight SD img2img pipeline (~7 MB) with a byte-level CLIP tokenizer."""
    import torch
    from diffusers import AutoencoderKL, PNDMScheduler, StableDiffusionImg2ImgPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer
    torch.manual_seed(0)
    unet = UNet2DConditionModel(block_out_channels=(32, 64), layers_per_block=1, sample_size=32, in_channels=4,
                                out_channels=4, down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
                                up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"), cross_attention_dim=32)
    vae = AutoencoderKL(block_out_channels=[32, 64], in_channels=3, out_channels=3,
                        down_block_types=["DownEncoderBlock2D"] * 2, up_block_types=["UpDecoderBlock2D"] * 2,
                        latent_channels=4)
    text = CLIPTextModel(CLIPTextConfig(bos_token_id=0, eos_token_id=2, hidden_size=32, intermediate_size=37,
                                        layer_norm_eps=1e-5, num_attention_heads=4, num_hidden_layers=2,
                                        pad_token_id=1, vocab_size=1000))
    vocab = {"<|startoftext|>": 0, "!": 1, "<|endoftext|>": 2}
    for c in _bytes_to_unicode().values():
        for tok in (c, c + "</w>"):
            vocab.setdefault(tok, len(vocab))
    (folder / "tok").mkdir(parents=True)
    (folder / "tok" / "vocab.json").write_text(json.dumps(vocab))
    (folder / "tok" / "merges.txt").write_text("#version: 0.2\n")
    tokenizer = CLIPTokenizer(vocab_file=str(folder / "tok" / "vocab.json"),
                              merges_file=str(folder / "tok" / "merges.txt"), model_max_length=77)
    scheduler = PNDMScheduler(skip_prk_steps=True, steps_offset=1)
    pipe = StableDiffusionImg2ImgPipeline(unet=unet, vae=vae, text_encoder=text, tokenizer=tokenizer,
                                          scheduler=scheduler, safety_checker=None, feature_extractor=None,
                                          requires_safety_checker=False)
    pipe.save_pretrained(folder / "sd")
    return folder / "sd"


def build_tiny_controlnet(folder):
    """A random ControlNet matching the tiny UNet (its down blocks, cross-attention width, and a
    conditioning embedding that downsamples 2x like the tiny VAE). A fresh ControlNet's output
    convolutions are zero (it starts as a no-op); they get random weights so the control counts."""
    import torch
    from diffusers import ControlNetModel
    torch.manual_seed(0)
    net = ControlNetModel(block_out_channels=(32, 64), layers_per_block=1, in_channels=4,
                          down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"), cross_attention_dim=32,
                          conditioning_embedding_out_channels=(16, 32))
    g = torch.Generator().manual_seed(0)
    for conv in [*net.controlnet_down_blocks, net.controlnet_mid_block, net.controlnet_cond_embedding.conv_out]:
        torch.nn.init.normal_(conv.weight, std=1.0, generator=g)
        torch.nn.init.zeros_(conv.bias)
    net.save_pretrained(folder / "controlnet")
    return folder / "controlnet"


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    return build_tiny_pipeline(tmp_path_factory.mktemp("tiny-sd"))


@pytest.fixture(scope="module")
def tiny_controlnet(tmp_path_factory):
    return build_tiny_controlnet(tmp_path_factory.mktemp("tiny-cn"))


def _clip():
    import cv2
    rng = np.random.default_rng(1)
    tex = cv2.resize(rng.random((12, 12, 3)).astype(np.float32), (80, 80), interpolation=cv2.INTER_CUBIC)
    tex = (tex.clip(0, 1) * 255).astype(np.uint8)
    return np.stack([tex[4:68, 2 * i:2 * i + 64] for i in range(3)])


def test_diffusers_restyles_a_clip_end_to_end(tiny_model, monkeypatch):
    monkeypatch.setenv("STORYLOOM_DIFFUSERS_MODEL", str(tiny_model))
    monkeypatch.setenv("STORYLOOM_DIFFUSERS_STEPS", "2")
    from storyloom.engines import resolve
    from storyloom.engines.restyle.diffusion import DiffusersRestyler
    assert DiffusersRestyler.is_available()
    assert resolve("restyle").engine.NAME == "cpu-styles"     # still the default
    clip = _clip()
    seen = []
    with resolve("restyle", "diffusers").engine() as eng:
        out = eng.restyle(clip, "ukiyo-e", seed=7, progress=lambda f, m: seen.append(f))
        again = eng.restyle(clip, "ukiyo-e", seed=7)
        none = eng.restyle(clip, "ukiyo-e", strength=0.0)
    assert out.shape == clip.shape and out.dtype == np.uint8
    # random weights draw noise-like pictures: far from the input, but reproducible per seed
    assert np.abs(out.astype(np.float32) - clip).mean() > 5
    assert np.array_equal(out, again)
    assert np.array_equal(none, clip)
    assert seen and seen[-1] == 1.0
    # frames after the first start from the previous output: they are closer to it than frame 0
    # of an independent run on the same frame would be to frame 0
    d_next = np.abs(out[1].astype(np.float32) - out[0]).mean()
    assert d_next < np.abs(out[0].astype(np.float32) - clip[0]).mean()


def test_diffusers_with_controlnet_end_to_end(tiny_model, tiny_controlnet, monkeypatch):
    monkeypatch.setenv("STORYLOOM_DIFFUSERS_MODEL", str(tiny_model))
    monkeypatch.setenv("STORYLOOM_DIFFUSERS_CONTROLNET", str(tiny_controlnet))
    monkeypatch.setenv("STORYLOOM_DIFFUSERS_STEPS", "2")
    monkeypatch.setenv("STORYLOOM_DIFFUSERS_DENOISE", "0.5")
    from storyloom.engines import resolve
    clip = _clip()
    seen = []
    with resolve("restyle", "diffusers").engine() as eng:
        assert type(eng.pipeline).__name__ == "StableDiffusionControlNetImg2ImgPipeline"
        out = eng.restyle(clip, "cartoon", seed=3, progress=lambda f, m: seen.append(m))
        # the first frame depends on nothing before it: the same seed gives the same picture
        first = eng.restyle(clip[:1], "cartoon", seed=3)
    assert out.shape == clip.shape and out.dtype == np.uint8
    assert np.array_equal(first[0], out[0])
    assert "controlnet" in seen[-1]
    assert np.abs(out.astype(np.float32) - clip).mean() > 5
    # later frames start from the flow-warped previous output, so they stay near it
    assert np.abs(out[1].astype(np.float32) - out[0]).mean() < np.abs(out[0].astype(np.float32) - clip[0]).mean()
    # the control picture steers the result: another kind of edges changes the same frame
    monkeypatch.setenv("STORYLOOM_DIFFUSERS_CONTROL", "soft-edge")
    with resolve("restyle", "diffusers").engine() as eng:
        soft = eng.restyle(clip[:1], "cartoon", seed=3)
    assert np.abs(soft[0].astype(np.float32) - out[0]).mean() > 0.2


def test_cli_restyle_with_diffusers_engine(tiny_model, tiny_controlnet, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("STORYLOOM_DIFFUSERS_MODEL", str(tiny_model))
    monkeypatch.setenv("STORYLOOM_DIFFUSERS_CONTROLNET", str(tiny_controlnet))
    monkeypatch.setenv("STORYLOOM_DIFFUSERS_STEPS", "2")
    from storyloom.cli.main import main
    from storyloom.media import probe, read_frames, write_video
    clip = _clip()
    src = write_video(tmp_path / "in.mp4", list(clip), 24)
    out = tmp_path / "out.mp4"
    code = main(["restyle", str(src), "--style", "pixel-art", "--engine", "diffusers", "-o", str(out)])
    io = capsys.readouterr()
    assert code == 0, io.err
    info = probe(out)
    assert info.frames == 3 and (info.width, info.height) == (64, 64)
    assert "3 frames in pixel-art (diffusers" in io.out
    frames = np.stack(read_frames(out))[..., :3].astype(np.float32)
    assert np.abs(frames - clip).mean() > 5


def test_control_images_follow_the_picture():
    from storyloom.engines.restyle.diffusion import control_image
    from storyloom.errors import BadInput
    clip = _clip()
    for kind in ("canny", "soft-edge"):
        a, b = control_image(clip[0], kind), control_image(clip[1], kind)
        assert a.shape == (64, 64, 3) and a.dtype == np.uint8 and (a[..., 0] == a[..., 2]).all()
        assert a.std() > 10
        # clip[1] is clip[0] moved 2 px left: its edges are the same edges moved 2 px left
        same = np.abs(a[8:-8, 10:-8].astype(np.float32) - b[8:-8, 8:-10]).mean()
        other = np.abs(a[8:-8, 10:-8].astype(np.float32) - b[8:-8, 10:-8]).mean()
        assert same < 0.5 * other
    assert set(np.unique(control_image(clip[0], "canny"))) == {0, 255}
    with pytest.raises(BadInput, match="control 'hed': unknown"):
        control_image(clip[0], "hed")


def test_prompt_setting_overrides_the_style_prompt(monkeypatch):
    from storyloom.engines.restyle.catalogue import get_style
    from storyloom.engines.restyle.diffusion import DiffusersRestyler
    monkeypatch.delenv("STORYLOOM_DIFFUSERS_PROMPT", raising=False)
    assert DiffusersRestyler.prompt_for("ink-wash") == get_style("ink-wash").prompt
    monkeypatch.setenv("STORYLOOM_DIFFUSERS_PROMPT", "{style}, a lighthouse at dusk")
    assert DiffusersRestyler.prompt_for("ink-wash") == get_style("ink-wash").prompt + ", a lighthouse at dusk"
    monkeypatch.setenv("STORYLOOM_DIFFUSERS_PROMPT", "a plain prompt")
    assert DiffusersRestyler.prompt_for("ink-wash") == "a plain prompt"


def test_diffusers_bad_model_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("STORYLOOM_DIFFUSERS_MODEL", str(tmp_path))
    from storyloom.engines import resolve
    from storyloom.errors import EngineUnavailable
    with pytest.raises(EngineUnavailable, match="model_index.json"):
        resolve("restyle", "diffusers")
    monkeypatch.setenv("STORYLOOM_DIFFUSERS_MODEL", str(tmp_path / "gone"))
    with pytest.raises(EngineUnavailable, match=f"model {tmp_path / 'gone'}: no such folder"):
        resolve("restyle", "diffusers")


def test_diffusers_bad_controlnet_settings(tiny_model, tmp_path, monkeypatch):
    from storyloom.engines import resolve
    from storyloom.engines.restyle.diffusion import DiffusersRestyler
    from storyloom.errors import EngineUnavailable
    monkeypatch.setenv("STORYLOOM_DIFFUSERS_MODEL", str(tiny_model))
    cases = [(tmp_path / "gone", "no such folder"),
             (tmp_path, "not a diffusers ControlNet folder (config.json missing)"),
             (tiny_model / "unet", "holds a UNet2DConditionModel, not a ControlNetModel")]
    for path, message in cases:
        monkeypatch.setenv("STORYLOOM_DIFFUSERS_CONTROLNET", str(path))
        with pytest.raises(EngineUnavailable, match=re.escape(f"controlnet {path}: {message}")):
            resolve("restyle", "diffusers")
    monkeypatch.setenv("STORYLOOM_DIFFUSERS_CONTROLNET", str(tiny_model / "unet"))
    monkeypatch.setenv("STORYLOOM_DIFFUSERS_CONTROL", "hed")
    a = DiffusersRestyler.is_available()
    assert not a and "not a ControlNetModel" in a.reason     # the first problem is named first
    (tmp_path / "cn").mkdir()
    (tmp_path / "cn" / "config.json").write_text(json.dumps({"_class_name": "ControlNetModel"}))
    monkeypatch.setenv("STORYLOOM_DIFFUSERS_CONTROLNET", str(tmp_path / "cn"))
    a = DiffusersRestyler.is_available()
    assert not a and a.reason == "control 'hed': unknown (choose from: canny, soft-edge)"
    monkeypatch.delenv("STORYLOOM_DIFFUSERS_CONTROLNET")
    assert DiffusersRestyler.is_available()          # the control kind only matters with a ControlNet


def test_diffusers_unloadable_model_is_engine_unavailable(tmp_path, monkeypatch):
    # model_index.json present but a component missing: loading fails, and says which model
    (tmp_path / "model_index.json").write_text(json.dumps(
        {"_class_name": "StableDiffusionImg2ImgPipeline", "unet": ["diffusers", "UNet2DConditionModel"]}))
    monkeypatch.setenv("STORYLOOM_DIFFUSERS_MODEL", str(tmp_path))
    monkeypatch.delenv("STORYLOOM_DIFFUSERS_CONTROLNET", raising=False)
    from storyloom.engines.restyle.diffusion import DiffusersRestyler
    from storyloom.errors import EngineUnavailable
    with pytest.raises(EngineUnavailable, match=f"diffusers: model {tmp_path}: cannot load it"):
        DiffusersRestyler().pipeline
