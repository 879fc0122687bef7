"""A single neuron decides whether to go to a festival.

Four yes-or-how-much questions are the inputs, each with a weight saying how much it matters.
The neuron adds up input × weight and fires when the total passes a threshold. Moving the
threshold to the left-hand side as a bias (total + bias > 0) is the form neural networks use:
the bias is just a threshold that the network can learn like a weight.

    python examples/02_festival_neuron.py
"""
from __future__ import annotations

import sys

import tinygrad_edu as tg
from common import parse_args

QUESTIONS = ["the weather is good", "a friend comes along", "the line-up is great", "it is close by"]


def main(argv: list[str] | None = None) -> dict:
    args = parse_args("The festival neuron: a weighted sum against a threshold.", argv)
    inputs = tg.tensor([3.0, 2.0, 4.0, 2.0], device=args.device)    # how much each is true
    weights = tg.tensor([4.0, 2.0, 2.0, 1.0], device=args.device)   # how much each matters
    threshold = 25.0

    total = (inputs * weights).sum()
    for question, x, w in zip(QUESTIONS, inputs.tolist(), weights.tolist()):
        print(f"  {question:<22} input {x:.0f} × weight {w:.0f} = {x * w:4.0f}")
    print(f"weighted sum = {total.item():.0f}, threshold = {threshold:.0f}")

    # The same decision with the threshold moved into a bias: fire when sum + bias > 0.
    bias = -threshold
    decision = (total + bias).step()
    print(f"sum + bias = {total.item():.0f} + ({bias:.0f}) = {(total + bias).item():.0f} "
          f"-> step gives {decision.item():.0f}: {'go to the festival' if decision.item() else 'stay home'}")

    # A bias is a learnable threshold: a bigger one makes the neuron fire more easily.
    for b in (-30.0, -25.0, -20.0):
        fires = (total + b).step().item()
        print(f"  with bias {b:5.0f} the neuron {'fires' if fires else 'stays silent'}")
    return {"weighted_sum": total.item(), "decision": decision.item()}


if __name__ == "__main__":
    main(sys.argv[1:])
