"""What examples 16 and 17 (a language model of names, a tiny GPT) claim, checked on their --quick runs
(the session-wide `quick_runs` fixture is in conftest.py). The examples are plain scripts: the
numbers their claims rest on are their global variables."""
from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys

import pytest

from tests.example_runner import EXAMPLES, numbers, run_example


def test_the_bigram_network_learns_the_counts_and_the_mlp_beats_both(quick_runs):
    """Step 2 starts at the uniform guess and ends near the counts' loss; step 3, with three
    characters of context, beats both on names it never saw."""
    result, out = quick_runs("16_names_language_model")
    assert result["uniform_loss"] == pytest.approx(math.log(27))
    assert result["net_losses"][0] == pytest.approx(math.log(27), abs=1e-5)   # W = 0: every character equally likely
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
    assert "mlp_loss_dev" in numbers(first) and "samples" in numbers(first)
    assert numbers(again) == numbers(first)


def test_the_tiny_gpt_learns_far_better_than_uniform_guessing_and_its_attention_is_causal(quick_runs):
    result, out = quick_runs("17_tiny_gpt")
    assert result["uniform_loss"] == pytest.approx(math.log(len(result["vocab"])))
    assert result["loss_start"] > result["uniform_loss"] - 0.2             # it starts out guessing
    assert result["loss_end_held_out"] < 0.7 * result["uniform_loss"]      # and ends far below guessing
    assert result["loss_end_train"] < 0.7 * result["uniform_loss"]
    assert result["attention_difference"] < 1e-5                           # by hand = scaled_dot_product_attention
    assert result["attention_row_sums"] == pytest.approx([1.0] * len(result["attention_row_sums"]), abs=1e-5)
    assert result["attention_above_diagonal"] == 0.0                       # no position sees the future
    assert result["sample"].startswith("A neuron ") and len(result["sample"]) > 100
    assert (out / "gpt_loss.png").exists() and (out / "gpt_attention.png").exists()


def test_the_tiny_gpt_trains_on_the_tutorials_prose_without_code_or_markdown(quick_runs):
    result, _ = quick_runs("17_tiny_gpt")
    text = result["text"]
    assert result["text_source"] == "tutorial prose" and len(text) > 20_000
    assert "```" not in text and "](" not in text and "import tinygrad_edu" not in text
    assert "gradient" in text and "kernel" in text   # the words of the chapters it reads


@pytest.mark.slow
def test_the_tiny_gpt_copied_elsewhere_trains_on_the_package_docstrings(tmp_path):
    """With no docs/tutorial/ beside it, the example falls back to tinygrad_edu's own module
    docstrings and says so, in a fresh process as a user would run it."""
    script = tmp_path / "17_tiny_gpt.py"
    shutil.copy(EXAMPLES / "17_tiny_gpt.py", script)
    run = subprocess.run([sys.executable, str(script), "--quick", "--out", str(tmp_path / "out")],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300,
                         env={**os.environ, "MPLBACKEND": "Agg"})
    assert run.returncode == 0, run.stderr
    assert "training on tinygrad_edu's module docstrings instead" in run.stdout
    assert "characters of tinygrad_edu's module docstrings" in run.stdout
    assert (tmp_path / "out" / "gpt_loss.png").exists()
