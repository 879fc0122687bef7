"""Rules vs learning: a hand-written straight line against a boundary learned from examples.

A conventional program tells the computer what to look for: "IF it weighs under 7 kg THEN it
is a cat". On a plot of height against weight that rule is a straight line. A neural network
is shown labelled examples instead and works out the boundary itself, and that boundary may
bend wherever the data needs it to.

The animals are made up (tinygrad_edu.tutorial.pets): a cloud of cats, surrounded by toy dogs,
stocky dogs and tall dogs. The rule, a single neuron (which can only learn a straight line)
and a small network with two hidden layers are scored on animals none of them saw while
learning, next to the best any straight line could do on them.

    python examples/01_rules_vs_learning.py            # pictures in out/01_rules_vs_learning/
    python examples/01_rules_vs_learning.py --quick    # a shorter run
"""
import tinygrad_edu as tg
from tinygrad_edu import nn, tutorial
from tinygrad_edu.training import train
from tinygrad_edu.viz import plots

args = tutorial.arguments("01_rules_vs_learning", __doc__)
epochs = 60 if args.quick else 150
RULE_MAX_CAT_WEIGHT = 7.0   # kg

heights_and_weights, labels = tutorial.pets(300 if args.quick else 1000)   # labels: 0 = cat, 1 = dog
test_animals, test_labels = tutorial.pets(300)
inputs = tutorial.standardize(heights_and_weights)                      # networks like inputs near 0
test_inputs = tutorial.standardize(test_animals, like=heights_and_weights)


def rule(animals: tg.Tensor) -> tg.Tensor:
    """The conventional program: 1 (dog) when the animal weighs 7 kg or more, else 0 (cat)."""
    return (animals[:, 1] >= RULE_MAX_CAT_WEIGHT).long()


def share_right(predicted: tg.Tensor) -> float:
    return (predicted == test_labels).float().mean().item()


single_neuron = nn.Linear(2, 2)   # two scores, P(cat) and P(dog): their difference is a straight line
train(single_neuron, inputs, labels, epochs, lr=5e-2, batch_size=32, seed=args.seed)
network = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 2))
train(network, inputs, labels, epochs, lr=1e-2, batch_size=32, seed=args.seed)

# The best any straight line can do on the test animals, found by trying them all: 360
# directions, and for each every place to cut (between two animals).
with tg.no_grad():
    angles = tg.arange(360) * (3.14159265 / 180)
    directions = tg.stack([angles.cos(), angles.sin()])                  # (2, 360)
    along = test_inputs @ directions                                     # (animals, directions)
    dog_side = along.unsqueeze(0) > along.unsqueeze(1)                   # [cut at animal i, animal j, direction]
    best_line_accuracy = (dog_side == test_labels.reshape(1, -1, 1).bool()).float().mean(dim=1).max().item()

    rule_accuracy = share_right(rule(test_animals))
    straight_line_accuracy = share_right(single_neuron(test_inputs).argmax(dim=1))
    learned_accuracy = share_right(network(test_inputs).argmax(dim=1))

print(f"on {len(test_labels)} animals none of them saw while learning:")
print(f"  the rule 'under {RULE_MAX_CAT_WEIGHT:.0f} kg is a cat'          {rule_accuracy:.1%} right")
print(f"  a straight line learned by one neuron   {straight_line_accuracy:.1%} right")
print(f"  the best of all straight lines          {best_line_accuracy:.1%} right")
print(f"  a curve learned by two hidden layers    {learned_accuracy:.1%} right")


def weights_called_cat(height: float) -> tuple[float, float] | None:
    """The lightest and heaviest weight (0 to 20 kg) the network calls a cat at this height."""
    weights = tg.linspace(0.0, 20.0, 201)
    animals = tg.stack([tg.full((201,), height), weights], dim=1)
    with tg.no_grad():
        cat = network(tutorial.standardize(animals, like=heights_and_weights)).argmax(dim=1) == 0
    return (weights[cat].min().item(), weights[cat].max().item()) if cat.any().item() else None


# The learned boundary is a band: dogs below the cats and dogs above them. At the shortest and
# the tallest animals' heights, where there are no cats, the band goes on: nothing there
# tells the network where to close it.
shortest, tallest = test_animals[:, 0].min().item(), test_animals[:, 0].max().item()
cat_band = {round(h): weights_called_cat(h) for h in (shortest, 27.0, tallest)}
for height, band in cat_band.items():
    print(f"  at {height} cm the network says cat from {band[0]:.1f} to {band[1]:.1f} kg" if band else
          f"  at {height} cm the network never says cat")

picture = plots.decision_boundary(lambda animals: network(tutorial.standardize(animals, like=heights_and_weights)),
                                  test_animals, test_labels, class_names=["cat", "dog"],
                                  xlabel="height (cm)", ylabel="weight (kg)",
                                  title="a rule draws a straight line; a network learns a curve")
ax = picture.axes[0]
ax.axhline(RULE_MAX_CAT_WEIGHT, color="black", linestyle="--", label="rule: under 7 kg is a cat")
# The single neuron says dog where (w_dog - w_cat) · standardized input + (b_dog - b_cat) > 0:
# a straight line, here turned back into centimetres and kilograms.
with tg.no_grad():
    slope = (single_neuron.weight[1] - single_neuron.weight[0]) / heights_and_weights.std(dim=0)
    offset = (single_neuron.bias[1] - single_neuron.bias[0] - (slope * heights_and_weights.mean(dim=0)).sum()).item()
    slope = slope.tolist()
    left, right = ax.get_xlim()
ax.plot([left, right], [-(slope[0] * h + offset) / slope[1] for h in (left, right)], color="#7570b3",
        linestyle="dotted", linewidth=2, label="one neuron's straight line")
ax.set_xlim(left, right)
picture.legends[0].remove()   # one legend below the plot, now with the two lines in it
picture.legend(loc="outside lower center", ncols=3, fontsize=8)
plots.save_figure(picture, args.out / "boundaries.png")
print(f"wrote {args.out / 'boundaries.png'}")
