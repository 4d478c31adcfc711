"""The ``diffusers`` restyle backend end to end with a tiny random-weight Stable Diffusion
img2img pipeline built from configs in code (the diffusers test-suite's dummy components),
saved with ``save_pretrained`` and loaded through the engine setting. Nothing is downloaded."""
from __future__ import annotations

import json

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


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    return build_tiny_pipeline(tmp_path_factory.mktemp("tiny-sd"))


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


def test_diffusers_bad_model_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("STORYLOOM_DIFFUSERS_MODEL", str(tmp_path))
    from storyloom.engines import resolve
    from storyloom.errors import EngineUnavailable
    with pytest.raises(EngineUnavailable, match="model_index.json"):
        resolve("restyle", "diffusers")
