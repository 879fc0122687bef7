"""What examples 07 to 09b (backprop by hand, convolution, the convolutional neuron, from kernels to
a ConvNet) claim, checked on their --quick runs (the session-wide `quick_runs` fixture is in conftest.py)."""
from __future__ import annotations

import pytest

import tinygrad_edu as tg


def test_backprop_by_hand_equals_autograd(quick_runs):
    result, out = quick_runs("07_backprop_by_hand")
    assert result["max_difference"] < 1e-12
    assert len(result["trace"].steps) == 10     # one per op of the forward pass
    # the graph drawn after backward shows every value and gradient, as the chapter says: every
    # tensor but the constant input has a gradient on it, each equal to the trace's
    lines = (out / "graph.txt").read_text().splitlines()
    assert len(lines) == 15 and all("value" in line for line in lines)
    assert [line for line in lines if "grad" not in line] == [line for line in lines if "x (2,)" in line]
    for step in result["trace"].steps:
        line = next(line for line in lines if line.lstrip("│├└─ ").startswith(step.output + " "))
        assert f"grad {tg.viz.walk.format_numbers(step.upstream, 8)}".replace("\n", "") in line, (step.output, line)


def test_convolution_blurs_and_sharpens_the_photo_and_matches_the_loop(quick_runs):
    result, _ = quick_runs("08_images_and_convolution")
    assert result["loop_difference"] < 1e-5
    # "blurring smooths the image out; sharpening makes neighbouring pixels differ more", by clear margins
    assert result["roughness_blur"] < 0.6 * result["roughness_original"]
    assert result["roughness_sharpen"] > 2 * result["roughness_original"]


def test_a_convolutional_neuron_is_a_neuron_at_every_position_and_its_kernel_can_be_learned(quick_runs):
    result, _ = quick_runs("09_convolutional_neuron")
    assert result["neuron_by_hand"] == pytest.approx(result["feature_map_pixel"], abs=1e-5)
    assert result["loss_end"] < result["loss_start"] * 1e-3
    assert result["kernel_error"] < 0.01
    assert result["learned_bias"] == pytest.approx(result["BIAS"], abs=0.01)
    # the printed map size and weight count are computed: 3x3 windows fit (100 - 2)x(150 - 2) times
    assert (result["map_height"], result["map_width"]) == (98, 148)
    assert result["fully_connected_weights"] == 100 * 150 * 98 * 148
    assert result["parameters"] == 10


def test_pooling_and_conv_backward_worked_by_hand_equal_autograd_and_the_loops(quick_runs):
    result, _ = quick_runs("09b_from_kernels_to_a_convnet")
    assert result["pooling_forward_difference"] == 0
    assert result["pooling_backward_difference"] == 0 and result["pooling_reference_difference"] == 0
    grad = result["image"].grad[0, 0]
    assert (grad != 0).sum().item() == 4                                  # one winner per window
    assert grad.sum().item() == result["upstream"].sum().item()           # and it gets the whole gradient
    assert grad[2, 2].item() == 40 and grad[2, 3].item() == 0             # a tie: the first maximum wins
    assert result["conv_backward_difference"] < 1e-6
    assert result["conv_grad_input_by_hand"][1, 1].item() == result["w"].sum().item()   # met by all 4 weights


def test_a_kernel_over_several_maps_adds_up_one_slice_per_map(quick_runs):
    result, _ = quick_runs("09b_from_kernels_to_a_convnet")
    assert result["multi_map_by_hand"] == pytest.approx(result["multi_map_conv2d"], abs=1e-5)
    assert all(abs(part) > 1e-3 for part in result["per_map"])           # both maps count


def test_the_convnet_layer_by_layer_has_the_shapes_the_chapter_shows(quick_runs):
    result, _ = quick_runs("09b_from_kernels_to_a_convnet")
    shapes = result["layer_shapes"]
    assert shapes["conv1"] == (5, 16, 8, 8) and shapes["pool1"] == (5, 16, 4, 4)
    assert shapes["conv2"] == (5, 32, 4, 4) and shapes["pool2"] == (5, 32, 2, 2)
    assert shapes["flatten"] == (5, 128) and shapes["fc1"] == (5, 64) and shapes["fc2"] == (5, 10)
    assert result["parameter_count"] == 13_706                           # what models.py and chapter 10 say
    assert result["layer_by_layer_difference"] < 1e-6
