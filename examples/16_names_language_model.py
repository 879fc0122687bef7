"""Beyond the article (1): a model that makes up first names, built in three steps.

A language model says which character is likely to come next. Trained on 5,163 first names
(tinygrad_edu/assets/names.txt, the 1990 US Census lists), it can then invent new names one
character at a time. "." marks where a name starts and ends, so "ann" is read as the pairs
.a an nn n. and the model also learns when to stop.

1. Bigram counts: count how often each character follows each other one, and turn each row
   of the 27x27 table into probabilities. No training at all.
2. A bigram neural network: one weight matrix applied to the previous character, one-hot
   encoded, trained by gradient descent on the same pairs. It ends up learning the same table,
   and its loss comes down to the loss of the counts.
3. An MLP that sees the previous three characters: each character becomes a learned vector
   (nn.Embedding), then a hidden layer with batch normalisation (nn.BatchNorm1d) and tanh.
   Trained in mini-batches with a learning rate that drops near the end, it beats the bigram
   on names it never saw.

The loss of every model is the average negative log-likelihood: -log of the probability it
gave the character that really came next, averaged over all of them. Guessing uniformly among
27 characters gives log 27 = 3.30. Ten percent of the names are held out to measure it honestly.

    python examples/16_names_language_model.py          # pictures in out/16_names_language_model/
    python examples/16_names_language_model.py --quick  # fewer steps of training
"""
from __future__ import annotations

import math
from pathlib import Path

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn, optim, tutorial
from tinygrad_edu.viz import plots

args = tutorial.arguments("16_names_language_model", __doc__)
END = "."          # marks both the start and the end of a name
CONTEXT = 3        # characters the MLP sees

names = tutorial.NAMES.read_text(encoding="utf-8").split()
vocab = [END] + sorted(set("".join(names)))
stoi = {ch: i for i, ch in enumerate(vocab)}
order = tg.randperm(len(names)).tolist()           # 90% of the names to train on, 10% held out
cut = len(names) * 9 // 10
train_names, dev_names = [names[i] for i in order[:cut]], [names[i] for i in order[cut:]]
print(f"{len(names)} names, {len(vocab)} characters; {len(train_names)} to train on, {len(dev_names)} held out")


def examples(names: list[str], context: int) -> tuple[tg.Tensor, tg.Tensor]:
    """Every (previous `context` characters, next character) in the names, as indices:
    X (N, context) and Y (N,). A name starts with `context` END marks and ends with one."""
    xs, ys = [], []
    for name in names:
        window = [0] * context
        for ch in name + END:
            xs.append(window)
            ys.append(stoi[ch])
            window = window[1:] + [stoi[ch]]
    return tg.tensor(xs), tg.tensor(ys)


def nll(probs: tg.Tensor, targets: tg.Tensor) -> float:
    """Average negative log-likelihood of the targets under rows of probabilities."""
    return -probs[tg.arange(len(targets)), targets].log().mean().item()


def sample(next_probs, count: int, context: int) -> list[str]:
    """Make up `count` names: draw each next character from next_probs(window) until END."""
    made_up = []
    for _ in range(count):
        window, name = [0] * context, ""
        while len(name) < 20:
            ix = tg.multinomial(next_probs(window), 1).item()
            if ix == 0:
                break
            name += vocab[ix]
            window = window[1:] + [ix]
        made_up.append(name)
    return made_up


x_train, y_train = examples(train_names, CONTEXT)
x_dev, y_dev = examples(dev_names, CONTEXT)
prev_train, prev_dev = x_train[:, -1], x_dev[:, -1]   # the bigram models see only the last character
uniform_loss = math.log(len(vocab))


# ---- 1. counts, with one made-up sighting of every pair so that no pair has probability 0 ----------

# A one-hot matrix product counts every pair at once: entry (i, j) = how often j follows i.
counts = F.one_hot(prev_train, len(vocab)).float().T @ F.one_hot(y_train, len(vocab)).float() + 1
table = counts / counts.sum(dim=1, keepdim=True)
counts_loss_train = nll(table[prev_train], y_train)
counts_loss_dev = nll(table[prev_dev], y_dev)


# ---- 2. the same table, learned by gradient descent --------------------------------------------

def train_bigram_network(steps: int) -> tuple[tg.Tensor, list[float]]:
    """Full-batch gradient descent on one weight matrix W: logits = one_hot(previous) @ W.
    A one-hot row picks one row of W, so row i of softmax(W) becomes P(next | i).
    W starts at zero: every character equally likely, a loss of exactly log 27."""
    inputs = F.one_hot(prev_train, len(vocab)).float()
    W = tg.zeros(len(vocab), len(vocab), requires_grad=True)
    losses = []
    for _ in range(steps):
        loss = F.cross_entropy(inputs @ W, y_train)
        W.grad = None
        loss.backward()
        with tg.no_grad():
            W -= 50.0 * W.grad   # a large rate works: each row only gets 1/27 of the gradient on average
        losses.append(loss.item())
    return W.detach(), losses


W, net_losses = train_bigram_network(40 if args.quick else 400)
learned = W.softmax(dim=1)
bigram_network_loss_train = nll(learned[prev_train], y_train)
bigram_network_loss_dev = nll(learned[prev_dev], y_dev)
# How far apart the two tables are where it matters: the row each training pair uses. (Rows of
# rare letters differ more: there the +1 of the counts weighs most.)
table_difference = (learned - table).abs().max(dim=1)[prev_train].mean().item()


# ---- 3. three characters of context, embeddings and batch normalisation ---------------------------

class NameMLP(nn.Module):
    """CONTEXT characters -> embeddings -> Linear -> BatchNorm1d -> tanh -> scores for the next one."""

    def __init__(self, vocab_size: int, embedding: int = 10, hidden: int = 200) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embedding)
        # no bias: BatchNorm subtracts the batch mean right after, which would cancel it
        self.hidden = nn.Linear(CONTEXT * embedding, hidden, bias=False)
        self.norm = nn.BatchNorm1d(hidden)
        self.out = nn.Linear(hidden, vocab_size)
        with tg.no_grad():   # start unsure of every character, not confidently wrong
            self.out.weight *= 0.1

    def forward(self, x: tg.Tensor) -> tg.Tensor:
        h = self.embed(x).flatten(1)                  # (N, CONTEXT * embedding)
        return self.out(self.norm(self.hidden(h)).tanh())


def train_mlp(steps: int) -> list[float]:
    """SGD on mini-batches of 32 at learning rate 0.1, then 0.01 for the last quarter."""
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    schedule = optim.lr_scheduler.MultiStepLR(optimizer, milestones=[steps * 3 // 4], gamma=0.1)
    losses = []
    model.train()
    for _ in range(steps):
        batch = tg.randint(0, len(y_train), (32,))
        loss = F.cross_entropy(model(x_train[batch]), y_train[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
    model.eval()   # from now on BatchNorm uses its running statistics, so one name at a time works
    return losses


model = NameMLP(len(vocab))
mlp_losses = train_mlp(1000 if args.quick else 20000)
with tg.no_grad():
    mlp_loss_train = nll(model(x_train).softmax(dim=1), y_train)
    mlp_loss_dev = nll(model(x_dev).softmax(dim=1), y_dev)
    samples = {"bigram counts": sample(lambda window: table[window[-1]], 8, 1),
               "bigram network": sample(lambda window: learned[window[-1]], 8, 1),
               "MLP": sample(lambda window: model(tg.tensor([window])).softmax(dim=1)[0], 8, CONTEXT)}

for model_name, made_up in samples.items():
    print(f"{model_name:>15}: {', '.join(made_up)}")
print(f"loss (training / held-out names; uniform guessing {uniform_loss:.3f}):")
print(f"  bigram counts: {counts_loss_train:.3f} / {counts_loss_dev:.3f}")
print(f" bigram network: {bigram_network_loss_train:.3f} / {bigram_network_loss_dev:.3f}")
print(f"            MLP: {mlp_loss_train:.3f} / {mlp_loss_dev:.3f}")
print(f"the learned table and the counts differ by {table_difference:.3f} on average "
      f"(largest difference in the row of the previous character)")


# ---- pictures ----------------------------------------------------------------------------------

def plot_losses(path: Path) -> None:
    fig = plots.new_figure(figsize=(13, 3.8), layout="constrained")
    left, middle, right = fig.subplots(1, 3)
    left.plot(net_losses, color="#1b9e77", label="bigram network")
    left.axhline(counts_loss_train, color="black", linestyle="--", label="bigram counts")
    left.set_ylim(counts_loss_train - 0.1, min(max(net_losses), 4.5))
    left.set(title="2. the bigram network learns the counts", xlabel="gradient-descent step", ylabel="loss")
    left.legend(fontsize=8)
    every = max(1, len(mlp_losses) // 100)   # one point per `every` steps: mini-batch losses are noisy
    means = [sum(mlp_losses[i:i + every]) / len(mlp_losses[i:i + every]) for i in range(0, len(mlp_losses), every)]
    middle.plot(range(0, len(mlp_losses), every), means, color="#7570b3", label=f"MLP (mean of {every} batches)")
    middle.axhline(counts_loss_train, color="black", linestyle="--", label="bigram counts")
    middle.axvline(len(mlp_losses) * 3 // 4, color="gray", linestyle=":", label="learning rate / 10")
    middle.set(title="3. the MLP goes further", xlabel="mini-batch step", ylabel="loss")
    middle.legend(fontsize=8)
    width = 0.38
    for k, (label, heights) in enumerate((
            ("training names", [counts_loss_train, bigram_network_loss_train, mlp_loss_train]),
            ("held-out names", [counts_loss_dev, bigram_network_loss_dev, mlp_loss_dev]))):
        right.bar([i + (k - 0.5) * width for i in range(3)], heights, width, label=label)
    right.axhline(uniform_loss, color="gray", linestyle=":", label="uniform guess, log 27")
    right.set_xticks(range(3), ["counts", "bigram network", "MLP"])
    right.set_ylim(0, 4.2)   # from 0, so the bars' heights compare honestly; room above for the legend
    right.set(title="the three losses", ylabel="average negative log-likelihood")
    right.legend(fontsize=8, loc="upper right", ncols=3)
    plots.save_figure(fig, path)


def plot_tables(path: Path) -> None:
    fig = plots.new_figure(figsize=(11, 5.4), layout="constrained")
    highest = max(table.max().item(), learned.max().item())   # one colour scale for both tables
    for ax, probabilities, title in zip(fig.subplots(1, 2), (table, learned),
                                        ("P(next | previous) from the counts", "softmax(W) learned by the network")):
        image = ax.imshow(probabilities.numpy(), cmap="Blues", vmin=0, vmax=highest)
        ax.set_xticks(range(len(vocab)), vocab, fontsize=7)
        ax.set_yticks(range(len(vocab)), vocab, fontsize=7)
        ax.set(title=title, xlabel="next character", ylabel="previous character")
    fig.colorbar(image, ax=fig.axes, shrink=0.8, label="probability")
    plots.save_figure(fig, path)


plot_losses(args.out / "names_losses.png")
plot_tables(args.out / "bigram_tables.png")
print(f"wrote {args.out / 'names_losses.png'} and {args.out / 'bigram_tables.png'}")
