"""Fooling the ConvNet: tiny changes that flip its answer, and noise it is sure about.

Backpropagation can give the gradient of the loss with respect to the *input image* just as
well as with respect to the weights: it says, for every pixel, which way to push it to make
the network more wrong. The fast gradient sign method (FGSM, Goodfellow et al. 2015) pushes
every pixel by the same small amount epsilon in that direction:

    adversarial = clamp(image + epsilon · sign(d loss / d image), 0, 1)

No pixel changes by more than epsilon (the L-infinity distance), yet the answer often flips.

The second part starts from random noise and runs gradient descent on the image, not the
weights, until the network calls the noise a given digit with more than 99% confidence: ten
pictures a person would call noise, each "recognised" with near certainty.

    python examples/11_fooling_the_convnet.py      # pictures in out/11_fooling_the_convnet/
"""
from __future__ import annotations

import sys

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn, optim
from tinygrad_edu.viz import plots
from common import parse_args, trained_convnet

EPSILON = 0.1          # the largest change of any pixel, on a 0..1 scale (the digits have 17 grey levels)
EPSILONS = [0.02, 0.05, 0.1, 0.15, 0.2]
CONFIDENCE = 0.99


def fgsm(model: nn.Module, images: tg.Tensor, labels: tg.Tensor, epsilon: float) -> tg.Tensor:
    """One step of size epsilon per pixel, in the direction that increases the loss."""
    images = images.detach().requires_grad_()
    F.cross_entropy(model(images), labels).backward()
    return (images + epsilon * images.grad.sign()).clamp(0.0, 1.0).detach()


def predict(model: nn.Module, images: tg.Tensor) -> tuple[list[int], list[float]]:
    """The class each image is read as, and how sure the model is (its largest probability)."""
    with tg.no_grad():
        probabilities = model(images).softmax(dim=1)
    return probabilities.argmax(dim=1).tolist(), probabilities.max(dim=1).tolist()


def confident_noise(model: nn.Module, device: str, steps: int) -> tuple[tg.Tensor, tg.Tensor, list[float]]:
    """Start from noise and change the images (not the weights) until image i is called digit i."""
    start = tg.rand(10, 1, 8, 8, device=device)
    targets = tg.arange(10, device=device)
    images = start.clone().requires_grad_()
    optimizer = optim.Adam([images], lr=0.02)
    for _ in range(steps):
        loss = F.cross_entropy(model(images), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        with tg.no_grad():
            images.copy_(images.clamp(0.0, 1.0))        # stay a valid picture
            reached = model(images).softmax(dim=1)[tg.arange(10, device=device), targets]
        if reached.min().item() > CONFIDENCE:
            break
    return start, images.detach(), reached.tolist()


def main(argv: list[str] | None = None) -> dict:
    args = parse_args("11_fooling_the_convnet", "Adversarial digits (FGSM) and confidently classified noise.", argv)
    trained = trained_convnet(args)
    model, x, y = trained.model, trained.data.x_test, trained.data.y_test
    correct = [i for i, (p, t) in enumerate(zip(predict(model, x)[0], y.tolist())) if p == t]
    x, y = x[tg.tensor(correct, device=args.device)], y[tg.tensor(correct, device=args.device)]
    print(f"the ConvNet gets {len(correct)} of {len(trained.data.y_test)} test digits right; attacking those")

    fooled = {}
    for epsilon in EPSILONS:
        predictions, _ = predict(model, fgsm(model, x, y, epsilon))
        fooled[epsilon] = sum(p != t for p, t in zip(predictions, y.tolist())) / len(correct)
        print(f"  epsilon {epsilon:4.2f} ({epsilon * 16:.1f} of 16 grey levels): "
              f"{fooled[epsilon]:.0%} of them now misread")

    # One digit in close-up: the first one that flips at epsilon = EPSILON.
    adversarial = fgsm(model, x, y, EPSILON)
    new_predictions, new_confidences = predict(model, adversarial)
    i = next(k for k, (p, t) in enumerate(zip(new_predictions, y.tolist())) if p != t)
    original, changed = x[i:i + 1], adversarial[i:i + 1]
    (before,), (before_confidence,) = predict(model, original)
    linf = (changed - original).abs().max().item()
    print(f"a {y[i].item()}, read as {before} ({before_confidence:.0%} sure), is read as {new_predictions[i]} "
          f"({new_confidences[i]:.0%} sure) after changing no pixel by more than {linf:.3f}")
    plots.image_grid(tg.cat([original, (changed - original) / (2 * EPSILON) + 0.5, changed]),
                     args.out / "adversarial_digit.png", ncols=3, title="FGSM",
                     titles=[f"read as {before} ({before_confidence:.0%})", f"change, at most ±{EPSILON}",
                             f"read as {new_predictions[i]} ({new_confidences[i]:.0%})"])

    start, noise, confidences = confident_noise(model, args.device, steps=100 if args.quick else 300)
    print("noise the ConvNet reads as each digit with confidence: "
          + ", ".join(f"{d}: {c:.1%}" for d, c in enumerate(confidences)))
    plots.image_grid(tg.cat([start, noise]), args.out / "confident_noise.png", ncols=10,
                     titles=["start"] * 10 + [f"{d}: {c:.0%}" for d, c in enumerate(confidences)],
                     title="top: random noise; bottom: the same noise, changed until the ConvNet is sure it is a digit")
    print(f"wrote {args.out / 'adversarial_digit.png'} and {args.out / 'confident_noise.png'}")
    return {"epsilon": EPSILON, "label": y[i].item(), "prediction_before": before,
            "prediction_after": new_predictions[i], "linf": linf, "fooled_fraction": fooled,
            "noise_confidences": confidences}


if __name__ == "__main__":
    main(sys.argv[1:])
