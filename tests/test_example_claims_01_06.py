"""What examples 01 to 06 (rules, the neuron, XOR, activations, probabilities, the loss landscape) claim, checked on their --quick runs
(the session-wide `quick_runs` fixture is in conftest.py)."""
from __future__ import annotations

import pytest


def test_rules_vs_learning_the_learned_curve_beats_the_rule_and_any_straight_line(quick_runs):
    result, _ = quick_runs("01_rules_vs_learning")
    assert result["learned_accuracy"] >= 0.95
    assert result["learned_accuracy"] > result["rule_accuracy"] + 0.05
    assert result["learned_accuracy"] > result["straight_line_accuracy"] + 0.05


def test_festival_neuron_sums_to_26_and_the_bias_moves_the_threshold(quick_runs):
    result, _ = quick_runs("02_festival_neuron")
    assert result["weighted_sum"] == 26.0
    assert result["decision"] == 1.0
    assert result["fires_with_bias"] == {-30.0: 0.0, -25.0: 1.0, -20.0: 1.0}


@pytest.mark.parametrize("seed", [0, 1])
def test_xor_needs_a_hidden_layer(quick_runs, seed):
    result, out = quick_runs("03_xor", seed=seed)
    assert result["one hidden layer"] == 4
    assert result["single layer"] < 4
    assert (out / "xor_single_layer.png").exists() and (out / "xor_one_hidden_layer.png").exists()


def test_activation_derivatives_match_their_formulas_and_the_step_cannot_learn(quick_runs):
    result, _ = quick_runs("04_activation_functions")
    for name in ("step", "sigmoid", "ReLU"):
        assert result[f"{name}_derivative_error"] < 1e-6
    step, sigmoid = result["step_training"], result["sigmoid_training"]
    assert step["weights_moved"] == 0.0 and step["loss_end"] == step["loss_start"]
    assert sigmoid["loss_end"] < sigmoid["loss_start"] / 4


def test_the_classifier_grows_more_sure_of_the_right_animal_as_it_trains(quick_runs):
    result, _ = quick_runs("05_cat_or_dog_probabilities")
    assert result["cat_probability_start"] < 0.8
    assert result["cat_probability_end"] > 0.9 and result["dog_probability_end"] > 0.9
    assert result["loss_end"] < result["loss_start"] / 2
    assert result["accuracy"] >= 0.9


@pytest.mark.parametrize("seed", [0, 1])   # with seed 1 the "too big" rate once converged
def test_learning_rates_too_small_right_and_too_big_behave_as_described(quick_runs, seed):
    result, _ = quick_runs("06_loss_landscape", seed=seed)
    assert result["final_loss_about_right"] < 2 * result["lowest_loss"]          # reached the valley floor
    assert result["final_loss_too_small"] > 10 * result["final_loss_about_right"]   # still on its way
    assert result["final_loss_too_big"] > result["start_loss"]                   # climbed out
