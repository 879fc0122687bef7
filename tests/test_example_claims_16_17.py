"""What examples 16 and 17 (a language model of names, a tiny GPT) claim, checked on their --quick runs
(the session-wide `quick_runs` fixture is in conftest.py)."""
from __future__ import annotations

import math

import pytest

from tests.example_runner import run_example


def test_the_bigram_network_learns_the_counts_and_the_mlp_beats_both(quick_runs):
    """Step 2 starts at the uniform guess and ends near the counts' loss; step 3, with three
    characters of context, beats both on names it never saw."""
    result, out = quick_runs("16_names_language_model")
    assert result["uniform_loss"] == pytest.approx(math.log(27))
    assert result["counts_loss_train"] < result["uniform_loss"] - 0.8
    assert abs(result["bigram_network_loss_train"] - result["counts_loss_train"]) < 0.08
    assert abs(result["bigram_network_loss_dev"] - result["counts_loss_dev"]) < 0.08
    assert result["mlp_loss_dev"] < result["counts_loss_dev"] - 0.05
    assert result["mlp_loss_dev"] < result["bigram_network_loss_dev"] - 0.05
    assert all(len(names) == 8 and all(set(name) <= set("abcdefghijklmnopqrstuvwxyz") for name in names)
               for names in result["samples"].values())
    assert (out / "names_losses.png").exists() and (out / "bigram_tables.png").exists()


def test_the_names_model_gives_the_same_numbers_for_the_same_seed(quick_runs, tmp_path):
    first, _ = quick_runs("16_names_language_model")
    again = run_example("16_names_language_model", "--quick", "--seed", "0", "--out", str(tmp_path))
    assert again == first


def test_the_tiny_gpt_learns_far_better_than_uniform_guessing_and_its_attention_is_causal(quick_runs):
    result, out = quick_runs("17_tiny_gpt")
    assert result["loss_start"] > result["uniform_loss"] - 0.2             # it starts out guessing
    assert result["loss_end_held_out"] < 0.7 * result["uniform_loss"]      # and ends far below guessing
    assert result["loss_end_train"] < 0.7 * result["uniform_loss"]
    assert result["attention_difference"] < 1e-5                           # by hand = scaled_dot_product_attention
    assert result["attention_row_sums"] == pytest.approx([1.0] * len(result["attention_row_sums"]), abs=1e-5)
    assert result["attention_above_diagonal"] == 0.0                       # no position sees the future
    assert result["sample"].startswith("A neuron ") and len(result["sample"]) > 100
    assert (out / "gpt_loss.png").exists() and (out / "gpt_attention.png").exists()
