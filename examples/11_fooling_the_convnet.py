"""Fooling the ConvNet: small changes that flip its answer, and noise it is sure about.

Backpropagation gives the gradient of the loss with respect to the *input image* just as well
as with respect to the weights: it says, for every pixel, which way to push it to make the
network more wrong. The fast gradient sign method (FGSM, Goodfellow et al. 2015) pushes every
pixel by the same amount epsilon in that direction:

    adversarial = clamp(image + epsilon * sign(d loss / d image), 0, 1)

No pixel changes by more than epsilon. On an 8x8 digit that is not invisible: epsilon = 0.1 is
a tenth of the pixel range, and the picture shows the change. But the digit stays plainly the
same digit to a person, while the network's answer flips for about half of them.

The second part starts from random noise and runs gradient descent on the image, not the
weights, until the network calls the noise a given digit with more than 99% confidence.

    python examples/11_fooling_the_convnet.py      # pictures in out/11_fooling_the_convnet/
"""
import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import optim, tutorial
from tinygrad_edu.viz import plots

args = tutorial.arguments("11_fooling_the_convnet", __doc__)
trained = tutorial.trained_convnet(args)         # example 10's network (trained there, or here once)
model, data = trained.model, trained.data
for p in model.parameters():
    p.requires_grad_(False)                      # only the images change in this example


def fgsm(images, labels, epsilon):
    """One step of size epsilon per pixel, in the direction that increases the loss."""
    images = images.detach().requires_grad_()
    F.cross_entropy(model(images), labels).backward()
    return (images + epsilon * images.grad.sign()).clamp(0.0, 1.0).detach()


def predict(images):
    """The digit each image is read as, and how sure the network is (its largest probability)."""
    with tg.no_grad():
        probabilities = model(images).softmax(dim=1)
    return probabilities.argmax(dim=1), probabilities.amax(dim=1)


# Attack only the digits the network reads correctly.
right = predict(data.x_test)[0] == data.y_test
x, y = data.x_test[right], data.y_test[right]
print(f"the ConvNet gets {len(y)} of {len(data.y_test)} test digits right; attacking those")
fooled = {}
for epsilon in [0.02, 0.05, 0.1, 0.15, 0.2]:
    fooled[epsilon] = (predict(fgsm(x, y, epsilon))[0] != y).float().mean().item()
    print(f"  epsilon {epsilon:4.2f} ({epsilon:.0%} of the pixel range): {fooled[epsilon]:.0%} of them now misread")

# One digit in close-up: the first one that flips at epsilon = 0.1.
epsilon = 0.1
adversarial = fgsm(x, y, epsilon)
after, after_confidence = predict(adversarial)
i = int((after != y).float().argmax().item())
original, changed = x[i:i + 1], adversarial[i:i + 1]
label, prediction_after = y[i].item(), after[i].item()
before, before_confidence = (t.item() for t in predict(original))
change = changed - original
linf = change.abs().amax().item()
pixels_changed = int((change.abs() > 1e-6).sum().item())
relative_size = (change.norm() / original.norm()).item()   # how big the change is, next to the digit itself
print(f"a {label}, read as {before} ({before_confidence:.0%} sure), is read as {prediction_after} "
      f"({after_confidence[i].item():.0%} sure) after FGSM with epsilon {epsilon}:")
print(f"  {pixels_changed} of 64 pixels moved by {linf:.2f} (the others were pushed below 0 or above 1 "
      f"and clamped back); the change is {relative_size:.0%} of the digit's own size (L2 norm)")
plots.image_grids({f"read as {before} ({before_confidence:.0%} sure)": original,
                   f"the change (±{epsilon}, grey 0)": change,
                   f"read as {prediction_after} ({after_confidence[i].item():.0%} sure)": changed},
                  args.out / "adversarial_digit.png", own_scale=[f"the change (±{epsilon}, grey 0)"], label="pixel",
                  title=f"FGSM with epsilon = {epsilon}, a tenth of the pixel range")

# Noise the network is sure about: gradient descent on the images until image d is read as digit d.
start = tg.rand(10, 1, 8, 8)
targets = tg.arange(10)
noise = start.clone().requires_grad_()
optimizer = optim.Adam([noise], lr=0.02)
for step in range(500):
    loss = F.cross_entropy(model(noise), targets)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    with tg.no_grad():
        noise.copy_(noise.clamp(0.0, 1.0))        # stay a valid picture
        confidences = model(noise).softmax(dim=1)[targets, targets]
    if confidences.amin().item() > 0.99:
        break
noise_confidences = confidences.tolist()
print(f"after {step + 1} steps, noise the ConvNet reads as each digit with confidence: "
      + ", ".join(f"{d}: {c:.1%}" for d, c in enumerate(noise_confidences)))
plots.image_grid(tg.cat([start, noise.detach()]), args.out / "confident_noise.png", ncols=10, colorbar=False,
                 titles=["start"] * 10 + [f"{d}: {c:.0%}" for d, c in enumerate(noise_confidences)],
                 title="top: random noise; bottom: the same noise, changed until the ConvNet is sure it is a digit")
print(f"wrote {args.out / 'adversarial_digit.png'} and {args.out / 'confident_noise.png'}")
