"""What examples 01 to 06 (rules, the neuron, XOR, activations, probabilities, the loss landscape) claim, checked on their --quick runs
(the session-wide `quick_runs` fixture is in conftest.py). Each test reads the example's globals."""
from __future__ import annotations

import pytest


def test_rules_vs_learning_the_learned_curve_beats_the_rule_and_every_straight_line(quick_runs):
    result, out = quick_runs("01_rules_vs_learning")
    assert result["learned_accuracy"] >= 0.95
    # No straight line separates the animals: the best of them all, the rule and the single
    # neuron's learned line all stay well below the curve.
    assert result["best_line_accuracy"] < 0.9
    assert result["rule_accuracy"] <= result["best_line_accuracy"] + 1e-6
    assert result["straight_line_accuracy"] <= result["best_line_accuracy"] + 1e-6
    assert result["learned_accuracy"] > result["best_line_accuracy"] + 0.05
    assert (out / "boundaries.png").stat().st_size > 10_000


def test_rules_vs_learning_the_learned_boundary_is_a_band_open_at_both_ends(quick_runs):
    result, _ = quick_runs("01_rules_vs_learning")
    shortest, cat_height, tallest = result["cat_band"].values()
    # at a cat's height the network calls cats only a band of weights, with dogs below and above
    low, high = cat_height
    assert 1.0 < low < 3.5 and 5.5 < high < 9.0
    # where there are no cats at all (the shortest and the tallest animals) the band goes on
    assert shortest is not None and tallest is not None
    assert shortest[0] > low and tallest[1] < high   # ... rising to the left, falling to the right


def test_festival_neuron_sums_to_26_and_the_bias_moves_the_threshold(quick_runs):
    result, _ = quick_runs("02_festival_neuron")
    assert result["weighted_sum"] == 26.0
    assert result["decision"] == 1.0
    assert result["fires_with_bias"] == {-30.0: 0.0, -25.0: 1.0, -20.0: 1.0}


@pytest.mark.parametrize("seed", [0, 1])
def test_xor_a_line_gets_three_of_four_and_a_hidden_layer_all_four(quick_runs, seed):
    result, out = quick_runs("03_xor", seed=seed)
    assert result["best_line_correct"] == 3                 # found by trying every line
    assert result["correct"]["one hidden layer"] == 4
    assert all(abs(v - o) < 0.1 for v, o in zip(result["outputs"]["one hidden layer"], [0, 1, 1, 0]))
    # the single layer settles on 0.5 everywhere, the lowest loss a single layer can reach on XOR
    assert all(abs(v - 0.5) <= 0.01 for v in result["outputs"]["single layer"])
    assert result["final_loss"]["single layer"] == pytest.approx(0.25, abs=1e-3)
    assert (out / "xor_single_layer.png").exists() and (out / "xor_one_hidden_layer.png").exists()


def test_autograd_derivatives_match_the_slope_measured_from_each_activation(quick_runs):
    result, _ = quick_runs("04_activation_functions")
    assert set(result["derivative_error"]) == {"step", "sigmoid", "ReLU"}
    assert all(error < 1e-6 for error in result["derivative_error"].values())


def test_gradient_descent_cannot_move_a_step_neuron_but_the_perceptron_rule_trains_it(quick_runs):
    result, _ = quick_runs("04_activation_functions")
    start = result["correct_at_start"]
    descent, perceptron, sigmoid = result["step_descent"], result["perceptron"], result["sigmoid_descent"]
    assert start < 4
    # the same neuron, from the same weights: gradient descent leaves it as it was ...
    assert descent["weights_moved"] == 0.0 and descent["correct"] == start
    assert descent["loss_end"] == descent["loss_start"] > 0
    # ... the perceptron rule moves the weights and learns AND in a few passes
    assert perceptron["weights_moved"] > 0.1 and perceptron["correct"] == 4 and perceptron["loss_end"] == 0.0
    assert perceptron["passes"] <= 20
    # and gradient descent does train the same neuron with a sigmoid
    assert sigmoid["correct"] == 4 and sigmoid["loss_end"] < sigmoid["loss_start"] / 4


def test_the_classifier_grows_more_sure_of_the_right_animal_as_it_trains(quick_runs):
    result, _ = quick_runs("05_cat_or_dog_probabilities")
    assert result["cat_probability_start"] < 0.8
    assert result["cat_probability_end"] > 0.9 and result["dog_probability_end"] > 0.9
    assert result["loss_end"] < result["loss_start"] / 2
    assert result["accuracy"] >= 0.9


@pytest.mark.parametrize("seed", [0, 1])   # with seed 1 the "too big" rate once converged
def test_learning_rates_too_small_right_and_too_big_behave_as_described(quick_runs, seed):
    result, _ = quick_runs("06_loss_landscape", seed=seed)
    final = result["final_loss"]
    assert final["about right"] < 2 * result["lowest_loss"]          # reached the valley floor
    assert final["too small"] > 10 * final["about right"]            # still on its way
    assert final["too big"] > result["start_loss"]                   # climbed out
