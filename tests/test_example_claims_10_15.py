"""What examples 10 to 15 (the digits ConvNet, fooling it, Deep Dream, style, bias, MLP against
ConvNet) claim, checked on their --quick runs (the session-wide `quick_runs` fixture is in
conftest.py). Each test reads the example's globals."""
from __future__ import annotations

import argparse

import numpy as np

import tinygrad_edu as tg
from tinygrad_edu import tutorial
from tinygrad_edu.training import train


def test_the_convnet_learns_the_digits_and_its_kernels_move_away_from_the_random_start(quick_runs):
    result, out = quick_runs("10_convnet_on_digits")
    assert result["test_accuracy"] >= 0.9
    assert result["untrained_accuracy"] <= 0.3
    losses = result["losses"]
    assert len(losses) == tutorial.convnet_epochs(quick=True) and losses[-1] < losses[0] / 5
    # chapter 10: the trained kernels are about twice as strong as the random ones, on one scale
    assert result["kernel_growth"] > 1.4
    # feature maps are shown after the ReLU: nothing negative is left in them
    assert result["first"].numpy().min() >= 0 and result["second"].numpy().min() >= 0
    for name in ("conv1_kernels.png", "feature_maps_conv1.png", "feature_maps_conv2.png", "predictions.png"):
        assert (out / name).stat().st_size > 5_000


def test_example_10s_visible_loop_trains_exactly_the_network_the_other_examples_get(quick_runs):
    """Whichever example trains first, 11 to 15 must see the same network: example 10's loop
    and tutorial.trained_convnet's train() give identical weights."""
    result, _ = quick_runs("10_convnet_on_digits")
    data = tutorial.digits(0)
    tg.manual_seed(0)
    model = tutorial.convnet()
    losses = train(model, data.x_train, data.y_train, tutorial.convnet_epochs(quick=True), seed=0)["loss"]
    shown = result["model"].state_dict()
    for name, weight in model.state_dict().items():
        np.testing.assert_array_equal(shown[name].numpy(), weight.numpy(), err_msg=name)
    assert result["losses"] == losses


def test_trained_convnet_reads_what_example_10_remembered(quick_runs):
    result, _ = quick_runs("10_convnet_on_digits")
    trained = tutorial.trained_convnet(argparse.Namespace(seed=0, quick=True, device="cpu"))
    assert trained.losses == result["losses"]
    assert trained.test_accuracy == result["test_accuracy"]


def test_fgsm_flips_a_prediction_with_a_visible_but_bounded_change(quick_runs):
    result, out = quick_runs("11_fooling_the_convnet")
    assert result["epsilon"] == 0.1
    assert result["before"] == result["label"] != result["prediction_after"]
    # ... and the network is surer of the wrong answer than it was of the right one (chapter 11)
    assert result["after_confidence"][result["i"]].item() > result["before_confidence"]
    assert result["linf"] <= 0.1 + 1e-6
    # the size the chapter reports: a tenth of the range on most pixels, not "hardly anything"
    assert 32 <= result["pixels_changed"] <= 64
    assert 0.1 <= result["relative_size"] <= 0.4
    rates = list(result["fooled"].values())
    assert rates == sorted(rates) and 0.3 <= result["fooled"][0.1] <= 0.7 and rates[-1] > 0.8
    assert (out / "adversarial_digit.png").stat().st_size > 5_000


def test_noise_is_read_as_every_digit_with_more_than_99_percent_confidence(quick_runs):
    result, _ = quick_runs("11_fooling_the_convnet")
    assert len(result["noise_confidences"]) == 10
    assert min(result["noise_confidences"]) > 0.99


def test_deep_dream_raises_the_chosen_activation_on_the_digit_and_the_cat(quick_runs):
    result, _ = quick_runs("12_deep_dream")
    assert result["digit_history"][-1] > 1.5 * result["digit_history"][0]
    assert result["cat_history"][-1] > 1.1 * result["cat_history"][0]
    assert 0.005 < result["cat_change"] < 0.1   # the cat is changed, and still the cat


def test_style_transfer_moves_colours_towards_the_style_and_keeps_the_content(quick_runs):
    result, _ = quick_runs("13_style_transfer")
    assert result["style_loss_end"] < 0.2 * result["style_loss_start"]
    # the content loss the chapter reports: the result stays far closer to the cat's features
    # than the style image is
    assert 0 < result["content_loss_end"] < 0.5 * result["style_as_content"]
    # what moves is the palette
    assert result["palette_after"] < 0.85 * result["palette_before"]


def test_the_bias_output_tests_fail_before_rebalancing_and_pass_after(quick_runs):
    result, out = quick_runs("14_algorithmic_bias")
    assert not any(result["passed"]["biased"].values()), result["passed"]["biased"]
    assert all(result["passed"]["rebalanced"].values()), result["passed"]["rebalanced"]
    assert result["usual_accuracy"]["biased"] >= 0.85   # an ordinary test set would not have noticed
    # the picture shows the failing groups with their true labels: unmarked 1s, marked others
    assert result["truth"][:6] == [1] * 6 and 1 not in result["truth"][6:]
    assert sum(a != 1 for a in result["said"]["biased"][:6]) >= 4        # the biased model misses the 1s
    assert result["said"]["rebalanced"][:6] == [1] * 6
    assert 1 in result["said"]["biased"][6:] and 1 not in result["said"]["rebalanced"][6:]   # marked others


def test_one_pixel_shift_costs_both_networks_dearly_and_the_convnet_a_little_less(quick_runs):
    """Chapter 15's numbers: on the digits as drawn the two are about equally accurate; shifted by
    one pixel both lose 40 points or more, and the ConvNet keeps a few points more."""
    result, _ = quick_runs("15_mlp_vs_convnet")
    mlp, convnet = result["results"]["MLP"], result["results"]["ConvNet"]
    assert convnet["parameters"] < mlp["parameters"]
    assert min(convnet["accuracy"], mlp["accuracy"]) >= 0.85
    assert abs(convnet["accuracy"] - mlp["accuracy"]) <= 0.05
    for r in (mlp, convnet):
        assert r["accuracy"] - r["shifted_accuracy"] >= 0.3
    assert 0.02 < convnet["shifted_accuracy"] - mlp["shifted_accuracy"] < 0.2


def test_an_unreadable_convnet_cache_file_is_trained_again_not_an_error(tmp_path, monkeypatch, capsys):
    import argparse

    from tinygrad_edu import tutorial
    monkeypatch.setenv(tutorial.CACHE_VARIABLE, str(tmp_path))
    args = argparse.Namespace(seed=0, quick=True)
    path = tutorial._cache_file(args)
    path.write_bytes(b"not an npz file")
    trained = tutorial.trained_convnet(args)
    assert "ignoring the unreadable cache file" in capsys.readouterr().err
    assert trained.test_accuracy > 0.85 and path.stat().st_size > 10_000   # retrained and rewritten
    again = tutorial.trained_convnet(args)                                 # and now read back
    assert again.losses == trained.losses
