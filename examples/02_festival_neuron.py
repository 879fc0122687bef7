"""A single neuron decides whether to go to a festival.

Four questions are the inputs, each scored out of 4 (how good is the weather, the music, the
company, the price), and each has a weight out of 4 saying how much it matters. The neuron
multiplies every input by its weight, adds them up and fires when the total passes a
threshold: 3·4 + 2·2 + 4·2 + 2·1 = 26 > 25, so we go.

Moving the threshold to the other side of the comparison gives the form networks use:
total - 25 > 0, i.e. total + bias > 0 with bias = -25. The bias is just a threshold written
as a number the network can learn, like a weight. The comparison "> 0" is the step activation.

    python examples/02_festival_neuron.py
"""
from pathlib import Path

import tinygrad_edu as tg
from tinygrad_edu import tutorial
from tinygrad_edu.viz import plots

QUESTIONS = ["weather", "music", "company", "price"]
INPUTS = [3.0, 2.0, 4.0, 2.0]      # how good each one is, out of 4
WEIGHTS = [4.0, 2.0, 2.0, 1.0]     # how much each one matters, out of 4
THRESHOLD = 25.0


def neuron(inputs: tg.Tensor, weights: tg.Tensor, bias: float) -> tg.Tensor:
    """inputs × weights, summed, plus the bias, through the step activation: 1 = go."""
    return ((inputs * weights).sum() + bias).step()


def plot(contributions: list[float], bias: float, path: Path) -> None:
    fig = plots.new_figure(figsize=(9, 3.6), layout="constrained")
    left, right = fig.subplots(1, 2)
    bottom = 0.0
    for question, c in zip(QUESTIONS, contributions):   # one stacked bar: what each input adds
        left.bar([0], [c], width=0.6, bottom=bottom, label=f"{question}: {c:.0f}")
        bottom += c
    left.axhline(THRESHOLD, color="black", linestyle="--", label=f"threshold {THRESHOLD:.0f}")
    left.set_ylabel("input × weight")
    left.set_xticks([0], ["weighted sum"])
    left.set_xlim(-0.5, 1.5)   # room beside the bar for the legend
    left.legend(fontsize=8, loc="center right")
    left.set_title(f"total {bottom:.0f} against a threshold of {THRESHOLD:.0f}")

    z = tg.linspace(-10.0, 10.0, 401)
    right.plot(z.numpy(), z.step().numpy(), color="#1b9e77")
    right.plot([bottom + bias], [1.0], "o", color="#d95f02", markersize=9, label=f"sum + bias = {bottom + bias:.0f}")
    right.set_xlabel("weighted sum + bias")
    right.set_ylabel("output (1 = go)")
    right.legend(fontsize=8, loc="center left")
    right.set_title("the step activation: fire above 0")
    plots.save_figure(fig, path)


args = tutorial.arguments("02_festival_neuron", __doc__)
inputs = tg.tensor(INPUTS)
weights = tg.tensor(WEIGHTS)

contributions = (inputs * weights).tolist()
for question, x, w, c in zip(QUESTIONS, INPUTS, WEIGHTS, contributions):
    print(f"  {question:<8} input {x:.0f} × weight {w:.0f} = {c:2.0f}")
weighted_sum = sum(contributions)
print(f"weighted sum = {weighted_sum:.0f}; over the threshold of {THRESHOLD:.0f}? {weighted_sum > THRESHOLD}")

bias = -THRESHOLD   # the threshold, moved to the other side of the comparison
decision = neuron(inputs, weights, bias).item()
print(f"as a neuron: step(sum + bias) = step({weighted_sum:.0f} + ({bias:.0f})) = {decision:.0f} -> "
      f"{'go to the festival' if decision else 'stay at home'}")

# The bias sets how easily the neuron fires: the same inputs, different thresholds.
fires_with_bias = {}
for b in (-30.0, -25.0, -20.0):
    fires_with_bias[b] = neuron(inputs, weights, b).item()
    print(f"  with bias {b:4.0f} (threshold {-b:.0f}) the neuron {'fires' if fires_with_bias[b] else 'stays silent'}")

plot(contributions, bias, args.out / "festival_neuron.png")
print(f"wrote {args.out / 'festival_neuron.png'}")
