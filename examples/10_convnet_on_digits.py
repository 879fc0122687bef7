"""The 4-layer ConvNet on handwritten digits: trained here, step by step, then looked inside.

The network (DigitsConvNet in tinygrad_edu/models.py, at a size that trains in seconds) has
four layers with weights: two convolutional layers, each followed by ReLU and 2x2 max-pooling,
then two fully connected layers that turn the features into one score per digit:

    8x8 digit -> conv 3x3, 16 kernels -> 16 maps 4x4 -> conv 3x3, 32 kernels -> 32 maps 2x2
              -> 64 neurons -> 10 scores

The training loop below is the whole of learning: forward, how wrong (the loss), backward,
nudge every weight, repeat. Then we look at the first layer's kernels before and after
training on one colour scale, and at the feature maps a digit makes after each ReLU.
The trained network is kept in a cache file for examples 11 to 15.

    python examples/10_convnet_on_digits.py            # pictures in out/10_convnet_on_digits/
    python examples/10_convnet_on_digits.py --quick    # 6 epochs instead of 15
"""
import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import optim, tutorial
from tinygrad_edu.data import DataLoader, TensorDataset
from tinygrad_edu.training import accuracy
from tinygrad_edu.viz import plots

args = tutorial.arguments("10_convnet_on_digits", __doc__)
epochs = tutorial.convnet_epochs(args.quick)

data = tutorial.digits(args.seed)      # 1437 training and 360 test digits, pixels from 0 to 1
model = tutorial.convnet()             # DigitsConvNet(channels=(16, 32), hidden=64), random weights
parameters = tutorial.count_parameters(model)
kernels_before = model.conv1.weight.detach().clone()
bias_before = model.conv1.bias.detach().clone()
untrained_accuracy = accuracy(model, data.x_test, data.y_test)

# The training loop: Adam, cross-entropy, shuffled mini-batches of 64 (as tinygrad_edu.training.train).
loader = DataLoader(TensorDataset(data.x_train, data.y_train), batch_size=64, shuffle=True, seed=args.seed)
optimizer = optim.Adam(model.parameters(), lr=1e-2)
losses = []
for epoch in range(epochs):
    model.train()
    total = 0.0
    for images, labels in loader:
        loss = F.cross_entropy(model(images), labels)   # forward: how wrong on this batch
        optimizer.zero_grad()
        loss.backward()                                 # backward: a gradient for every weight
        optimizer.step()                                # nudge every weight against its gradient
        total += loss.item() * len(labels)
    losses.append(total / len(data.y_train))
    print(f"epoch {epoch + 1:2d}: mean loss {losses[-1]:.3f}")
model.eval()
tutorial.remember_convnet(args, model, losses)    # examples 11 to 15 look at this network

test_accuracy = accuracy(model, data.x_test, data.y_test)
print(f"{parameters:,} parameters; test accuracy {test_accuracy:.1%} on {len(data.y_test)} held-out digits "
      f"(before training: {untrained_accuracy:.1%}, i.e. guessing)")
plots.plot_curves({"training loss": losses}, args.out / "training_loss.png", title="training")

# The kernels before and after, on one colour scale symmetric around 0: white is 0 in every tile.
kernels_after = model.conv1.weight.detach()
kernel_growth = (kernels_after.abs().mean() / kernels_before.abs().mean()).item()
print(f"the first layer's kernels: mean |weight| {kernels_before.abs().mean().item():.2f} at the start, "
      f"{kernels_after.abs().mean().item():.2f} after training")
plots.image_grids({"before training (random)": kernels_before, "after training": kernels_after},
                  args.out / "conv1_kernels.png", ncols=4, label="weight",
                  title="the 16 3x3 kernels of the first layer (red: positive, blue: negative)")

# Feature maps: what each layer passes on, i.e. after its ReLU.
image, label = data.x_test[:1], data.y_test[0].item()
with tg.no_grad():
    first = F.relu(model.conv1(image))                       # (1, 16, 8, 8)
    second = F.relu(model.conv2(model.pool1(first)))         # (1, 32, 4, 4)
    first_untrained = F.relu(F.conv2d(image, kernels_before, bias_before, padding=1))
dead_maps = int((first[0].amax(dim=(1, 2)) == 0).sum().item())
print(f"a {label}: {16 - dead_maps} of the 16 first-layer maps respond to it; "
      f"{dead_maps} {'is' if dead_maps == 1 else 'are'} 0 everywhere after the ReLU")
plots.image_grids({"input": image, "before training": first_untrained[0], "after training": first[0]},
                  args.out / "feature_maps_conv1.png", ncols=4, own_scale=["input"], label="activation",
                  title=f"a {label} through the first layer and its ReLU: 16 feature maps, 8x8")
plots.image_grid(second[0], args.out / "feature_maps_conv2.png", ncols=8, label="activation",
                 title=f"the same {label} after the second layer and its ReLU: 32 feature maps, 4x4")

with tg.no_grad():
    predictions = model(data.x_test[:16]).argmax(dim=1).tolist()
plots.image_grid(data.x_test[:16], args.out / "predictions.png", ncols=8, colorbar=False,
                 titles=[f"says {p}" + ("" if p == y else f" (is {y})")
                         for p, y in zip(predictions, data.y_test[:16].tolist())],
                 title="test digits and the network's answers")
print(f"wrote the training curve, kernels, feature maps and predictions into {args.out}")
