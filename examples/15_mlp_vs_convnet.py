""""A basic 4-layer ConvNet works best": an MLP and the ConvNet, side by side on the digits.

A multilayer perceptron (MLP) treats an image as a flat list of 64 numbers: every pixel has its
own weights into every hidden neuron, and nothing tells it that neighbouring pixels belong
together. A ConvNet slides the same small kernels over the whole image, with far fewer weights.

Both are trained the same way (tinygrad_edu.training.train: same epochs, batch size and
learning rate) and scored on the same held-out digits, then on the same digits shifted by one
pixel, which a person would still read without trouble.

The honest result: these digits are tiny (8x8) and neatly centred, so the MLP is about as
accurate as the ConvNet. Shifted by one pixel, BOTH lose 40 points or more; the ConvNet keeps
several points more than the MLP, no more. Its kernels do find a stroke wherever it is (a convolution of a shifted image
is the shifted feature map), but that is not the whole network: a 2x2 max-pool forgives a shift
only within its window, and after two of them the fully connected layers have one weight per
position of the last 2x2 maps, so a feature that moves lands on other weights.

    python examples/15_mlp_vs_convnet.py           # pictures in out/15_mlp_vs_convnet/
"""
import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import tutorial
from tinygrad_edu.models import digits_mlp
from tinygrad_edu.training import accuracy, train
from tinygrad_edu.viz import plots

args = tutorial.arguments("15_mlp_vs_convnet", __doc__)
convnet = tutorial.trained_convnet(args)          # example 10's network
data = convnet.data
mlp = digits_mlp()                                # 64 pixels -> 128 -> 64 -> 10 scores
train(mlp, data.x_train, data.y_train, tutorial.convnet_epochs(args.quick), seed=args.seed)


def shift(images, dx, dy):
    """Move every image dx pixels right and dy down (negative: left/up), filling with black."""
    padded = F.pad(images, (1, 1, 1, 1))      # a black border of one pixel on every side
    return padded[:, :, 1 - dy:9 - dy, 1 - dx:9 - dx]


moves = [(-1, 0), (1, 0), (0, -1), (0, 1)]      # left, right, up, down
results = {}
for name, model in (("MLP", mlp), ("ConvNet", convnet.model)):
    results[name] = {"parameters": tutorial.count_parameters(model),
                     "accuracy": accuracy(model, data.x_test, data.y_test),
                     "shifted_accuracy": sum(accuracy(model, shift(data.x_test, dx, dy), data.y_test)
                                             for dx, dy in moves) / len(moves)}
    r = results[name]
    print(f"{name:>8}: {r['parameters']:6,} parameters, {r['accuracy']:.1%} of held-out digits right, "
          f"{r['shifted_accuracy']:.1%} when they are shifted by one pixel "
          f"({100 * (r['accuracy'] - r['shifted_accuracy']):.0f} points lost)")
gap = results["ConvNet"]["accuracy"] - results["MLP"]["accuracy"]
shifted_gap = results["ConvNet"]["shifted_accuracy"] - results["MLP"]["shifted_accuracy"]
print(f"as drawn, the ConvNet is {abs(gap):.1%} {'ahead' if gap >= 0 else 'behind'}; "
      f"shifted, it is {abs(shifted_gap):.1%} {'ahead' if shifted_gap >= 0 else 'behind'}")

fig = plots.new_figure(figsize=(9, 3.6), layout="constrained")
left, right = fig.subplots(1, 2)
names = list(results)
left.bar(names, [results[n]["parameters"] for n in names], color=["#7570b3", "#1b9e77"])
left.set_title("parameters")
width = 0.38
for k, (key, label) in enumerate((("accuracy", "as drawn"), ("shifted_accuracy", "shifted one pixel"))):
    bars = right.bar([i + (k - 0.5) * width for i in range(len(names))], [results[n][key] for n in names], width,
                     label=label)
    right.bar_label(bars, fmt="{:.0%}", fontsize=8)
right.set_xticks(range(len(names)), names)
right.set_ylim(0, 1.2)                          # from 0, with room above the bars for the legend
right.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
right.set_ylabel("fraction right")
right.set_title("accuracy on held-out digits")
right.legend(fontsize=8, loc="upper center", ncols=2)
plots.save_figure(fig, args.out / "mlp_vs_convnet.png")
print(f"wrote {args.out / 'mlp_vs_convnet.png'}")
