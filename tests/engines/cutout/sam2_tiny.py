"""A tiny random-weight SAM 2 video model for tests (built from a config, no download)."""
from __future__ import annotations


def tiny_sam2(path):
    """A SAM 2 video model with small random weights, 64 px input, saved to ``path``.
    Widths keep SAM 2's ratios: its memory is 64 wide (hard-coded) and the model 2x that."""
    import torch
    from transformers import Sam2VideoConfig, Sam2VideoModel
    from transformers.models.sam2.configuration_sam2 import Sam2HieraDetConfig, Sam2VisionConfig
    from transformers.models.sam2_video.configuration_sam2_video import (Sam2VideoMaskDecoderConfig,
                                                                         Sam2VideoPromptEncoderConfig)
    size = 64
    backbone = Sam2HieraDetConfig(hidden_size=12, num_channels=3, image_size=size, patch_stride=4,
                                  patch_kernel_size=7, patch_padding=3, blocks_per_stage=[1, 1, 1, 1],
                                  embed_dim_per_stage=[12, 24, 48, 96])
    vision = Sam2VisionConfig(backbone_config=backbone, backbone_channel_list=[96, 48, 24, 12],
                              backbone_feature_sizes=[[16, 16], [8, 8], [4, 4]], fpn_hidden_size=128)
    config = Sam2VideoConfig(
        vision_config=vision,
        prompt_encoder_config=Sam2VideoPromptEncoderConfig(image_size=size, patch_size=16, mask_input_channels=8,
                                                           hidden_size=128, num_point_embeddings=4),
        mask_decoder_config=Sam2VideoMaskDecoderConfig(hidden_size=128, mlp_dim=64, num_hidden_layers=2,
                                                       num_attention_heads=4, iou_head_hidden_dim=32),
        memory_attention_hidden_size=128, memory_encoder_hidden_size=128, memory_encoder_output_channels=64,
        image_size=size,
        mask_downsampler_embed_dim=128, memory_fuser_embed_dim=128, memory_fuser_intermediate_dim=128, memory_attention_num_layers=1,
        memory_attention_feed_forward_hidden_size=32, memory_attention_rope_feat_sizes=[size // 16, size // 16])
    torch.manual_seed(0)
    Sam2VideoModel(config).eval().save_pretrained(path)
    return path
