"""XOR: one layer of neurons cannot learn it, one hidden layer can.

XOR is 1 when exactly one input is 1. No single straight line separates its 1s from its 0s,
and a single layer of neurons (one weighted sum and a sigmoid) can only draw a straight line.
A hidden layer bends the space first, and then a line is enough.

Both models are trained the same way, with a hand-written gradient-descent loop on Tensors:
forward, loss, backward, then move every weight a small step against its gradient. The
pictures colour the plane by each model's answer: one straight cut for the single layer, a
band that puts (0, 1) and (1, 0) together for the hidden layer.

    python examples/03_xor.py          # pictures in out/03_xor/
"""
from __future__ import annotations

import sys

import tinygrad_edu as tg
from tinygrad_edu.viz import plots
from common import parse_args

X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
Y = [[0.0], [1.0], [1.0], [0.0]]


def train(layer_sizes: list[int], x: tg.Tensor, y: tg.Tensor, steps: int, lr: float) -> tuple[list, float]:
    """Fully connected layers with tanh between them and a sigmoid at the end; returns the
    weights and the final mean squared error."""
    params = []
    for n_in, n_out in zip(layer_sizes, layer_sizes[1:]):
        w = (tg.randn(n_in, n_out, device=x.device) * (1.0 / n_in ** 0.5)).requires_grad_()
        b = tg.zeros(n_out, device=x.device, requires_grad=True)
        params += [w, b]
    for _ in range(steps):
        loss = ((predict(params, x) - y) ** 2).mean()
        for p in params:
            p.grad = None
        loss.backward()
        with tg.no_grad():              # updating weights is not part of the model
            for p in params:
                p -= lr * p.grad
    return params, loss.item()


def predict(params: list, x: tg.Tensor) -> tg.Tensor:
    h = x
    for i in range(0, len(params) - 2, 2):
        h = (h @ params[i] + params[i + 1]).tanh()
    return (h @ params[-2] + params[-1]).sigmoid()


def main(argv: list[str] | None = None) -> dict:
    args = parse_args("03_xor", "XOR: a single layer fails, a hidden layer succeeds.", argv)
    x = tg.tensor(X, device=args.device)
    y = tg.tensor(Y, device=args.device)
    steps = 1500 if args.quick else 4000
    results = {}
    for name, sizes in (("single layer", [2, 1]), ("one hidden layer", [2, 4, 1])):
        params, loss = train(sizes, x, y, steps, lr=1.0)
        with tg.no_grad():
            out = predict(params, x)
        correct = int(((out > 0.5) == (y > 0.5)).numpy().sum())
        outputs = [round(v, 2) for v in out.numpy().ravel().tolist()]
        print(f"{name:>16}: loss {loss:.4f}, {correct}/4 correct, outputs {outputs}")
        results[name] = correct
        picture = args.out / f"xor_{name.replace(' ', '_')}.png"
        plots.decision_boundary(lambda grid: predict(params, grid), x, y, picture, device=args.device,
                                title=f"XOR, {name}: {correct}/4 right")
        print(f"{'':>18}wrote {picture}")
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
