"""XOR: a straight line gets at most 3 of its 4 cases right; one hidden layer gets all 4.

XOR is 1 when exactly one input is 1. Its 1s sit on one diagonal of a square and its 0s on the
other, so no straight line has both 1s on one side and both 0s on the other. This example
tries every line to show that the best gets 3 of 4 right, and then trains two models with a
hand-written gradient-descent loop on Tensors (forward, loss, backward, a small step against
every gradient):

* a single layer, one weighted sum and a sigmoid, whose boundary is a straight line. With
  mean squared error it settles on answering 0.5 everywhere: a loss of 0.25, which is also the
  lowest any single layer can reach on XOR;
* one hidden layer of four tanh neurons, which bends the plane so that a line does separate
  the cases, and gets all four right.

The pictures shade the plane by each model's probability of a 1, with its 50/50 line.

    python examples/03_xor.py          # pictures in out/03_xor/
"""
import tinygrad_edu as tg
from tinygrad_edu import tutorial
from tinygrad_edu.viz import plots

args = tutorial.arguments("03_xor", __doc__)
steps = 500 if args.quick else 4000
x = tg.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
y = tg.tensor([[0.0], [1.0], [1.0], [0.0]])

# Every straight line: a direction (one per degree) and a place to cut along it. A point on
# the far side of the cut is called 1.
angles = tg.arange(360) * (3.14159265 / 180)
along = x @ tg.stack([angles.cos(), angles.sin()])                      # (4 points, 360 directions)
cuts = tg.linspace(-2.0, 2.0, 401).reshape(-1, 1, 1)
right_per_line = ((along > cuts) == y.reshape(1, 4, 1).bool()).sum(dim=1)  # (cuts, directions)
best_line_correct = right_per_line.max().item()
print(f"the best of {right_per_line.numel()} straight lines gets {best_line_correct}/4 right")


def train(layer_sizes: list[int]) -> tuple[list[tg.Tensor], float]:
    """Fully connected layers with tanh between them and a sigmoid at the end, trained by plain
    gradient descent on the mean squared error; returns the weights and the last loss."""
    params = []
    for n_in, n_out in zip(layer_sizes, layer_sizes[1:]):
        weight = (tg.randn(n_in, n_out) / n_in ** 0.5).requires_grad_()   # small: tanh is not saturated at the start
        params += [weight, tg.zeros(n_out, requires_grad=True)]
    for _ in range(steps):
        loss = ((predict(params, x) - y) ** 2).mean()
        for p in params:
            p.grad = None
        loss.backward()
        with tg.no_grad():              # updating weights is not part of the model
            for p in params:
                p -= 1.0 * p.grad       # learning rate 1
    return params, loss.item()


def predict(params: list[tg.Tensor], inputs: tg.Tensor) -> tg.Tensor:
    hidden = inputs
    for i in range(0, len(params) - 2, 2):
        hidden = (hidden @ params[i] + params[i + 1]).tanh()
    return (hidden @ params[-2] + params[-1]).sigmoid()


correct, outputs, final_loss = {}, {}, {}
for name, sizes in (("single layer", [2, 1]), ("one hidden layer", [2, 4, 1])):
    params, final_loss[name] = train(sizes)
    with tg.no_grad():
        answers = predict(params, x)
    correct[name] = int(((answers > 0.5) == (y > 0.5)).sum().item())   # 0.5 counts as "0"
    outputs[name] = [round(v, 2) for v in answers.reshape(-1).tolist()]
    print(f"{name:>16}: loss {final_loss[name]:.4f}, {correct[name]}/4 correct, outputs {outputs[name]}")
    picture = args.out / f"xor_{name.replace(' ', '_')}.png"
    plots.decision_boundary(lambda grid: predict(params, grid), x, y, picture, class_names=["XOR = 0", "XOR = 1"],
                            xlabel="first input", ylabel="second input",
                            title=f"XOR, {name}: {correct[name]}/4 right")
    print(f"{'':>18}wrote {picture}")
