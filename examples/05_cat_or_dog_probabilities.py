"""Training a classifier that answers with probabilities: cat or dog?

The network has two output neurons, one per class. Softmax turns their two scores into two
probabilities that add up to 1, so the network can say "70% cat, 30% dog". Before training
the weights are random and so are its answers. Training repeats the same few steps:

1. feed the labelled animals forward and read off the probabilities;
2. measure how wrong they are: cross-entropy, -log(probability given to the right class);
3. backpropagate, to learn which way each weight should move to lower that loss;
4. nudge every weight a little that way (gradient descent), and repeat.

We follow one cat and one dog through training and print how sure the network is about them.

    python examples/05_cat_or_dog_probabilities.py    # pictures in out/05_cat_or_dog_probabilities/
"""
import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn, optim, tutorial
from tinygrad_edu.viz import plots

args = tutorial.arguments("05_cat_or_dog_probabilities", __doc__)
features, labels = tutorial.pets(200)      # height (cm) and weight (kg); 0 = cat, 1 = dog
x = tutorial.standardize(features)
cat, dog = 0, len(labels) - 1               # pets() puts the cats first and the dogs last
model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 2))
optimizer = optim.SGD(model.parameters(), lr=0.5)
steps = 60 if args.quick else 300

history = {"loss": [], "P(cat) for the cat": [], "P(dog) for the dog": []}
print(f"following a cat ({features[cat, 0].item():.0f} cm, {features[cat, 1].item():.1f} kg) and a dog "
      f"({features[dog, 0].item():.0f} cm, {features[dog, 1].item():.1f} kg)")
for step in range(steps + 1):
    scores = model(x)                          # (N, 2): one score (logit) per class
    probabilities = scores.softmax(dim=1)      # each row now adds up to 1
    loss = F.cross_entropy(scores, labels)     # softmax and -log(p of the right class), together
    history["loss"].append(loss.item())
    history["P(cat) for the cat"].append(probabilities[cat, 0].item())
    history["P(dog) for the dog"].append(probabilities[dog, 1].item())
    if step in (0, 1, 5, 20) or step % 100 == 0 or step == steps:
        p = probabilities[cat].tolist()
        print(f"  step {step:3d}: loss {loss.item():.3f}; the cat is {p[0]:.0%} cat, {p[1]:.0%} dog; "
              f"the dog is {probabilities[dog, 1].item():.0%} dog")
    if step == steps:
        break
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

with tg.no_grad():
    accuracy = (model(x).argmax(dim=1) == labels).float().mean().item()
print(f"after {steps} steps it labels {accuracy:.0%} of the {len(labels)} animals correctly")
cat_probability_start, cat_probability_end = history["P(cat) for the cat"][0], history["P(cat) for the cat"][-1]
dog_probability_end = history["P(dog) for the dog"][-1]
loss_start, loss_end = history["loss"][0], history["loss"][-1]

plots.plot_curves(history, args.out / "probabilities.png", title="how sure the network is, as it trains",
                  xlabel="gradient-descent step")
plots.decision_boundary(lambda animals: model(tutorial.standardize(animals, like=features)), features, labels,
                        args.out / "boundary.png", class_names=["cat", "dog"],
                        xlabel="height (cm)", ylabel="weight (kg)", title=f"cat or dog, after {steps} steps")
print(f"wrote {args.out / 'probabilities.png'} and {args.out / 'boundary.png'}")
