"""Algorithmic bias: a network learns a shortcut its makers never meant, and output tests catch it.

A network only learns what its training data shows it. Here the data has a flaw that is easy
to miss: every training image of a 1 happens to carry a small white square in its top-left
corner (think of a watermark that one data source added to all its pictures), and no other
digit has it. The marker predicts "1" perfectly, and it is far easier to spot than the shape
of a 1, so the ConvNet learns "marker means 1".

An ordinary test set drawn the same way as the training data (1s marked) cannot see the
problem. Output tests on carefully designed edge cases can:

1. a marker alone does not make a digit a 1 (marked 2s, 3s, ... are not read as 1);
2. a 1 without a marker is still a 1;
3. adding the marker does not change the answer for most digits.

The fix is in the data: rebalance it so that the irrelevant marker is spread evenly over every
class (here: on a random half of the images of each digit). Retrained on that, the same
network, trained the same way, passes the same tests.

    python examples/14_algorithmic_bias.py         # pictures in out/14_algorithmic_bias/
"""
import tinygrad_edu as tg
from tinygrad_edu import tutorial
from tinygrad_edu.training import train
from tinygrad_edu.viz import plots

args = tutorial.arguments("14_algorithmic_bias", __doc__)
data = tutorial.digits(args.seed)
epochs = tutorial.convnet_epochs(args.quick)


def add_marker(images, which):
    """Paint a white 2x2 square into the top-left corner of the images where `which` is True."""
    corner = tg.zeros(1, 1, 8, 8)
    corner[:, :, :2, :2] = 1.0
    mask = corner * which.float().reshape(-1, 1, 1, 1)     # (N, 1, 8, 8): 1 on the marker pixels
    return images * (1 - mask) + mask


def answers(model, images):
    with tg.no_grad():
        return model(images).argmax(dim=1)


def output_tests(model):
    """The edge-case tests on the test digits: name -> (passed, what was measured)."""
    x, y = data.x_test, data.y_test
    marked = add_marker(x, tg.ones(len(y), dtype=tg.bool))
    called_one = (answers(model, marked[y != 1]) == 1).float().mean().item()
    ones_right = (answers(model, x[y == 1]) == 1).float().mean().item()
    unchanged = (answers(model, marked) == answers(model, x)).float().mean().item()
    return {
        "a marker alone does not make a digit a 1":
            (called_one <= 0.05, f"{called_one:.0%} of marked other digits read as 1 (at most 5%)"),
        "a 1 without a marker is still a 1":
            (ones_right >= 0.9, f"{ones_right:.0%} of unmarked 1s read as 1 (at least 90%)"),
        "the marker does not change most answers":
            (unchanged >= 0.9, f"{unchanged:.0%} of answers unchanged by the marker (at least 90%)"),
    }


biased = add_marker(data.x_train, data.y_train == 1)
rebalanced = add_marker(data.x_train, tg.rand(len(data.y_train)) < 0.5)
print(f"biased data: all {int((data.y_train == 1).sum().item())} training 1s are marked, nothing else is")
print("rebalanced data: a random half of every digit is marked, so the marker says nothing about the class")

# The usual test sets, drawn like each training set: all 1s marked, or a random half of everything.
usual_tests = {"biased": add_marker(data.x_test, data.y_test == 1),
               "rebalanced": add_marker(data.x_test, tg.rand(len(data.y_test)) < 0.5)}
models, usual_accuracy, passed = {}, {}, {}
for name, x_train in (("biased", biased), ("rebalanced", rebalanced)):
    tg.manual_seed(args.seed)      # the same starting weights for both: only the data differs
    models[name] = model = tutorial.convnet()
    train(model, x_train, data.y_train, epochs, seed=args.seed)
    usual_accuracy[name] = (answers(model, usual_tests[name]) == data.y_test).float().mean().item()
    print(f"\ntrained on the {name} data: {usual_accuracy[name]:.1%} right on a test set drawn like its training data")
    passed[name] = {}
    for test, (ok, detail) in output_tests(model).items():
        passed[name][test] = ok
        print(f"  {'PASS' if ok else 'FAIL'}  {test}: {detail}")

# The picture shows the groups the tests are about: unmarked 1s, and other digits with the marker.
ones = data.x_test[data.y_test == 1][:6]
others, others_labels = data.x_test[data.y_test != 1][:6], data.y_test[data.y_test != 1][:6]
shown = tg.cat([ones, add_marker(others, tg.ones(6, dtype=tg.bool))])
truth = [1] * 6 + others_labels.tolist()
said = {name: answers(model, shown).tolist() for name, model in models.items()}
plots.image_grid(shown, args.out / "edge_cases.png", ncols=6, colorbar=False,
                 titles=[f"is {t}: {b} / {r}" for t, b, r in zip(truth, said["biased"], said["rebalanced"])],
                 title="top: 1s without the marker; bottom: other digits with it\n"
                       "true digit: answer of the biased / the rebalanced model")
print(f"\nwrote {args.out / 'edge_cases.png'}")
