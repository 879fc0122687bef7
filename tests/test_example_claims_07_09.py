"""What examples 07 to 09 (backprop by hand, convolution, the convolutional neuron) claim, checked on their --quick runs
(the session-wide `quick_runs` fixture is in conftest.py)."""
from __future__ import annotations

import pytest


def test_backprop_by_hand_equals_autograd(quick_runs):
    result, _ = quick_runs("07_backprop_by_hand")
    assert result["max_difference"] < 1e-12
    assert result["backward_steps"] > 5


def test_convolution_blurs_and_sharpens_the_photo_and_matches_the_loop(quick_runs):
    result, _ = quick_runs("08_images_and_convolution")
    assert result["loop_difference"] < 1e-5
    assert result["roughness_blur"] < result["roughness_original"] < result["roughness_sharpen"]


def test_a_convolutional_neuron_is_a_neuron_at_every_position_and_its_kernel_can_be_learned(quick_runs):
    result, _ = quick_runs("09_convolutional_neuron")
    assert result["neuron_by_hand"] == pytest.approx(result["feature_map_pixel"], abs=1e-5)
    assert result["loss_end"] < result["loss_start"] * 1e-3
    assert result["kernel_error"] < 0.1
