"""Deep Dream: change the image, not the weights, to enhance what the network sees.

Training nudges the weights to lower the loss. Deep Dream keeps the trained weights fixed and
nudges the *pixels* instead, uphill: gradient ascent on how strongly one channel of a hidden
layer responds. Whatever faint pattern that channel detects in the image gets drawn in more
strongly, which makes it respond more, and so on: "whatever you see there, show me more of it".

The network is the 4-layer ConvNet of example 10, trained on 8x8 digits, so what it has learned
to see are pen strokes, not dogs. We dream with one channel of its second convolutional layer,
on a digit and on the cat photo (in grey, which is what the network knows; the colour image is
what changes, through a grey conversion that is part of the graph).

    python examples/12_deep_dream.py                   # pictures in out/12_deep_dream/
    python examples/12_deep_dream.py --channel 5       # dream with another channel
"""
import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import tutorial
from tinygrad_edu.viz import plots

args = tutorial.arguments("12_deep_dream", __doc__,
                          channel={"type": int, "default": None,
                                   "help": "channel of the second conv layer (default: the one most active on the cat)"})
trained = tutorial.trained_convnet(args)
model = trained.model
model.requires_grad_(False)                   # the weights stay as they are; only the image changes
digit = trained.data.x_test[:1]
cat = tutorial.load_photo()                   # (1, 3, H, W), colour
steps = 10 if args.quick else 40


def channel_activation(image, channel):
    """How strongly `channel` of the second conv layer responds, averaged over its feature map.
    Colour images are turned grey first, since the network was trained on grey digits."""
    if image.shape[1] == 3:
        image = (image * tg.tensor([0.299, 0.587, 0.114]).reshape(1, 3, 1, 1)).sum(dim=1, keepdim=True)
    maps = F.relu(model.conv2(model.pool1(F.relu(model.conv1(image)))))
    return maps[:, channel].mean()


def dream(image, channel, step_size):
    """Gradient ascent on the image; returns the dreamt image and the activation before each step and at the end."""
    image = image.detach().clone().requires_grad_()
    history = []
    for _ in range(steps):
        activation = channel_activation(image, channel)
        history.append(activation.item())
        image.grad = None
        activation.backward()
        with tg.no_grad():
            # Normalised steps: the size of the gradient varies a lot from image to image.
            image += step_size * image.grad / (image.grad.abs().mean() + 1e-8)
            image.copy_(image.clamp(0.0, 1.0))
    with tg.no_grad():
        history.append(channel_activation(image, channel).item())
    return image.detach(), history


if args.channel is not None:
    channel = args.channel
else:
    with tg.no_grad():
        channel = max(range(model.conv2.out_channels), key=lambda c: channel_activation(cat, c).item())

dreamt_digit, digit_history = dream(digit, channel, step_size=0.02)
dreamt_cat, cat_history = dream(cat, channel, step_size=0.003)
for name, history in (("digit", digit_history), ("cat", cat_history)):
    print(f"channel {channel} on the {name}: mean activation {history[0]:.3f} -> {history[-1]:.3f} "
          f"after {steps} steps of gradient ascent on the image")
cat_change = (dreamt_cat - cat).abs().mean().item()
print(f"the dreamt cat differs from the photo by {cat_change:.3f} per pixel on average (pixels from 0 to 1)")

fig = plots.new_figure(figsize=(10, 3.0), layout="constrained")
axes = fig.subplots(1, 4, width_ratios=[1, 1, 2, 2])
pictures = [("digit", digit[0, 0], "gray"), ("dreamt digit", dreamt_digit[0, 0], "gray"),
            ("cat", cat[0].permute(1, 2, 0), None), ("dreamt cat", dreamt_cat[0].permute(1, 2, 0), None)]
for ax, (title, picture, cmap) in zip(axes, pictures):
    ax.imshow(picture.numpy(), cmap=cmap, vmin=0, vmax=1)
    ax.set_title(title, fontsize=9)
    ax.axis("off")
fig.suptitle(f"Deep Dream with channel {channel} of the digits ConvNet's second conv layer")
plots.save_figure(fig, args.out / "deep_dream.png")
plots.plot_curves({"activation, digit": digit_history, "activation, cat": cat_history},
                  args.out / "activation.png", xlabel="step", title=f"channel {channel}, as the image changes")
print(f"wrote {args.out / 'deep_dream.png'} and {args.out / 'activation.png'}")
