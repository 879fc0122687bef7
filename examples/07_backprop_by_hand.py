"""Backpropagation by hand, next to autograd, on a network small enough to follow.

Two inputs, a hidden layer of two sigmoid neurons, one sigmoid output, squared error:

    z1 = W1·x + b1,  h = sigmoid(z1),  z2 = W2·h + b2,  out = sigmoid(z2),  loss = (out - target)²

To nudge a weight we need the slope of the loss with respect to it, the partial derivative.
Backpropagation gets all of them in one sweep from the output back to the inputs, applying the
chain rule at every step: (gradient arriving from above) × (the local derivative of this step).
Here that sweep is written out with plain Python numbers, then autograd does the same with
`trace_backward`, which prints every step, and the two sets of gradients are compared.
The graph autograd recorded is drawn with Graphviz (or written as text without it), after
backward, with every value and every gradient on it: study mode (`tg.study.keep_graphs()`)
keeps them, where an ordinary backward() would free the intermediate ones.

    python examples/07_backprop_by_hand.py      # the graph in out/07_backprop_by_hand/
"""
import math

import tinygrad_edu as tg
from tinygrad_edu import tutorial

args = tutorial.arguments("07_backprop_by_hand", __doc__)

X = [1.0, 0.5]
TARGET = 1.0
W1 = [[0.4, -0.6], [0.3, 0.8]]   # W1[j][i]: from input i to hidden neuron j
B1 = [0.1, -0.2]
W2 = [0.7, -0.5]
B2 = 0.05


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def by_hand() -> dict:
    """Forward, then backward with the chain rule, one line per partial derivative."""
    z1 = [W1[j][0] * X[0] + W1[j][1] * X[1] + B1[j] for j in range(2)]
    h = [sigmoid(z) for z in z1]
    z2 = W2[0] * h[0] + W2[1] * h[1] + B2
    out = sigmoid(z2)
    loss = (out - TARGET) ** 2

    d_out = 2 * (out - TARGET)                    # d loss / d out
    d_z2 = d_out * out * (1 - out)                # sigmoid'(z2) = out·(1 - out)
    d_w2 = [d_z2 * h[j] for j in range(2)]        # z2 = W2·h + b2: d z2 / d W2[j] = h[j]
    d_b2 = d_z2
    d_h = [d_z2 * W2[j] for j in range(2)]        # ... and d z2 / d h[j] = W2[j]
    d_z1 = [d_h[j] * h[j] * (1 - h[j]) for j in range(2)]
    d_w1 = [[d_z1[j] * X[i] for i in range(2)] for j in range(2)]
    d_b1 = d_z1
    return {"loss": loss, "W1": d_w1, "b1": d_b1, "W2": d_w2, "b2": d_b2}


hand = by_hand()

# The same network with Tensors, in float64 so that both sides compute with the same precision.
x = tg.tensor(X, dtype=tg.float64)
w1, b1, w2, b2 = (tg.tensor(v, dtype=tg.float64, requires_grad=True) for v in (W1, B1, W2, B2))
with tg.study.keep_graphs():                  # study mode: backward keeps every value and gradient
    h = ((w1 * x).sum(dim=1) + b1).sigmoid()  # each neuron: inputs × weights, summed, plus bias
    out = ((w2 * h).sum() + b2).sigmoid()
    loss = (out - TARGET) ** 2
    names = {"x": x, "W1": w1, "b1": b1, "W2": w2, "b2": b2, "h": h, "out": out, "loss": loss}
    trace = tg.study.trace_backward(loss, names=names)   # runs backward, step by step
print(trace)

# The graph after backward, with every value and gradient: a picture with Graphviz, text always.
(args.out / "graph.txt").write_text(tg.viz.graph_text(loss, show_values=True, show_grads=True, names=names) + "\n")
picture = args.out / "graph.txt"
try:
    graph = tg.viz.draw_graph(loss, show_values=True, show_grads=True, names=names)
    picture = tg.viz.save_graph(graph, args.out / "graph.svg")
except (ImportError, tg.viz.GraphvizNotFoundError) as e:
    print(f"(no picture of the graph: {e})")

print(f"\nloss: by hand {hand['loss']:.10f}, autograd {loss.item():.10f}")
max_difference = 0.0
for name, leaf in (("W1", w1), ("b1", b1), ("W2", w2), ("b2", b2)):
    ours = tg.tensor(hand[name], dtype=tg.float64)
    gap = (leaf.grad - ours).abs().max().item()
    max_difference = max(max_difference, gap)
    print(f"d loss / d {name}: by hand {ours.tolist()}")
    print(f"{'':14}autograd {leaf.grad.tolist()}   (differ by {gap:.1e})")
print(f"wrote {picture}")
