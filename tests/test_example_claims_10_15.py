"""What examples 10 to 15 (the digits ConvNet, fooling it, Deep Dream, style, bias, MLP against ConvNet) claim, checked on their --quick runs
(the session-wide `quick_runs` fixture is in conftest.py)."""
from __future__ import annotations




def test_the_convnet_learns_the_digits(quick_runs):
    result, _ = quick_runs("10_convnet_on_digits")
    assert result["test_accuracy"] >= 0.9
    assert result["untrained_accuracy"] <= 0.3
    assert result["loss_end"] < result["loss_start"] / 3


def test_fgsm_flips_a_prediction_within_epsilon_and_noise_is_read_with_confidence(quick_runs):
    result, _ = quick_runs("11_fooling_the_convnet")
    assert result["epsilon"] == 0.1
    assert result["prediction_before"] == result["label"]
    assert result["prediction_after"] != result["label"]
    assert result["linf"] <= result["epsilon"] + 1e-6
    rates = list(result["fooled_fraction"].values())
    assert rates == sorted(rates) and rates[-1] > 0.5
    assert min(result["noise_confidences"]) >= 0.9


def test_deep_dream_raises_the_chosen_activation_on_the_digit_and_the_cat(quick_runs):
    result, _ = quick_runs("12_deep_dream")
    assert result["digit_activation_after"] > 1.1 * result["digit_activation_before"]
    assert result["cat_activation_after"] > 1.1 * result["cat_activation_before"]


def test_style_transfer_lowers_the_style_loss(quick_runs):
    result, _ = quick_runs("13_style_transfer")
    assert result["style_loss_end"] < 0.5 * result["style_loss_start"]


def test_the_bias_output_tests_fail_before_rebalancing_and_pass_after(quick_runs):
    result, _ = quick_runs("14_algorithmic_bias")
    assert not any(result["before"]["tests"].values()), result["before"]["tests"]
    assert all(result["after"]["tests"].values()), result["after"]["tests"]
    assert result["before"]["usual_accuracy"] >= 0.85   # an ordinary test set would not have noticed


def test_the_convnet_beats_the_mlp_with_fewer_parameters_and_on_shifted_digits(quick_runs):
    """On the digits as drawn the two are about equally accurate (the docs say so); the ConvNet
    needs fewer parameters and copes far better with digits moved by one pixel."""
    result, _ = quick_runs("15_mlp_vs_convnet")
    mlp, convnet = result["MLP"], result["ConvNet"]
    assert convnet["parameters"] < mlp["parameters"]
    assert convnet["shifted_accuracy"] > mlp["shifted_accuracy"] + 0.03
    assert min(convnet["accuracy"], mlp["accuracy"]) >= 0.85
    assert abs(convnet["accuracy"] - mlp["accuracy"]) <= 0.05
