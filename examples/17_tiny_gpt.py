"""Beyond the article (2): a tiny GPT that writes like this project's tutorial.

A GPT predicts the next character from all the characters before it. Each position looks back
at the earlier ones through *attention*: it scores every earlier position (query · key),
turns the scores into weights with softmax, and takes the weighted mean of their values.
"Causal" means a position never sees the future: the scores of later positions are set to
-inf before the softmax.

The model, block by block:

    characters -> token embedding + position embedding
               -> [LayerNorm -> causal self-attention -> + residual
                   LayerNorm -> MLP with GELU         -> + residual]  x layers
               -> LayerNorm -> linear head, sharing its weights with the token embedding

It is trained with AdamW (weight decay on the matrices of the linear layers only), a learning
rate that warms up and then follows a cosine down, and gradient clipping.

The training text is the prose of tutorial chapters 1 to 15 (docs/tutorial/ beside this
folder), gathered when the example runs: the project's own words about the article's ideas,
never the article's text. A copy of this script with no docs/tutorial/ beside it trains on the
module docstrings of the installed tinygrad_edu package instead, and says so. The last tenth
is held out to measure the loss honestly. Guessing uniformly among the V characters would give
a loss of log V; the GPT gets far below that and makes up text with the tutorial's words and
rhythm (and little of its sense: it is small and reads characters).

    python examples/17_tiny_gpt.py                   # pictures in out/17_tiny_gpt/
    python examples/17_tiny_gpt.py --quick           # a smaller GPT, fewer steps
"""
from __future__ import annotations

import ast
import math
import re
from pathlib import Path

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn, optim, tutorial
from tinygrad_edu.viz import plots

args = tutorial.arguments("17_tiny_gpt", __doc__)
tg.tune_allocator()   # a training loop: reuse freed memory between steps (see tinygrad_edu/allocator.py)
TUTORIAL = Path(__file__).resolve().parent.parent / "docs" / "tutorial"


# ---- the training text -------------------------------------------------------------------------

def paragraphs_of(text: str) -> list[str]:
    """Blank-line separated paragraphs, each joined into one line; table rows, headings and
    stray fragments (40 characters or fewer) are not prose and are left out."""
    kept = []
    for block in text.split("\n\n"):
        lines = [line.strip() for line in block.splitlines() if not line.lstrip().startswith("|")]
        paragraph = " ".join(line for line in lines if line)
        if len(paragraph) > 40:
            kept.append(paragraph)
    return kept


def tutorial_prose(folder: Path) -> str:
    """The running text of tutorial chapters 01 to 15 (09b included): code and output blocks,
    pictures and Markdown marks removed, links kept as their words, one paragraph per line."""
    paragraphs = []
    for chapter in sorted(folder.glob("[0-9][0-9]*-*.md")):
        if int(chapter.name[:2]) > 15:   # 16 and 17 are beyond the article
            continue
        text = re.sub(r"^```.*?^```", "", chapter.read_text(encoding="utf-8"), flags=re.MULTILINE | re.DOTALL)
        text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)           # pictures
        text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)        # links: keep the words
        text = re.sub(r"[*`#>]", "", text)                         # emphasis, code and heading marks
        paragraphs += paragraphs_of(text)
    return "\n".join(paragraphs) + "\n"


def package_prose() -> str:
    """The module docstrings of the installed tinygrad_edu, read from its source files (nothing
    is imported): the text to fall back on where the tutorial's chapters are not at hand."""
    paragraphs = []
    for source in sorted(Path(tg.__file__).parent.rglob("*.py")):
        docstring = ast.get_docstring(ast.parse(source.read_text(encoding="utf-8")))
        paragraphs += paragraphs_of(docstring or "")
    return "\n".join(paragraphs) + "\n"


if TUTORIAL.is_dir():
    text_source = "tutorial prose"
    text = tutorial_prose(TUTORIAL)
else:
    text_source = "tinygrad_edu's module docstrings"
    text = package_prose()
    print(f"no tutorial chapters at {TUTORIAL}: training on {text_source} instead")
vocab = sorted(set(text))                          # the characters the GPT can read and write
stoi = {ch: i for i, ch in enumerate(vocab)}
data = tg.tensor([stoi[ch] for ch in text])
cut = len(data) * 9 // 10
train_data, held_out_data = data[:cut], data[cut:]


# ---- attention, and the GPT built around it -----------------------------------------------------

class Config:
    """The GPT's sizes; the defaults are those of benchmark W6."""

    def __init__(self, vocab_size: int, context: int = 64, width: int = 128, heads: int = 4, layers: int = 4) -> None:
        self.vocab_size, self.context, self.width, self.heads, self.layers = vocab_size, context, width, heads, layers


def attention_by_hand(q: tg.Tensor, k: tg.Tensor, v: tg.Tensor) -> tuple[tg.Tensor, tg.Tensor]:
    """Causal attention from matmul, masked_fill and softmax: (output, weights).
    q, k, v are (..., T, d); weights[..., i, j] is how much position i takes from position j."""
    T = q.shape[-2]
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])             # (..., T, T)
    future = tg.triu(tg.ones(T, T, dtype=tg.bool), diagonal=1)
    weights = scores.masked_fill(future, float("-inf")).softmax(dim=-1)   # exp(-inf) = 0: no look ahead
    return weights @ v, weights


class CausalSelfAttention(nn.Module):
    def __init__(self, config: Config) -> None:
        super().__init__()
        self.heads = config.heads
        self.qkv = nn.Linear(config.width, 3 * config.width)   # queries, keys and values in one product
        self.proj = nn.Linear(config.width, config.width)

    def queries_keys_values(self, x: tg.Tensor) -> tuple[tg.Tensor, tg.Tensor, tg.Tensor]:
        """(B, T, C) -> three (B, heads, T, C / heads): each head attends in its own subspace."""
        B, T, C = x.shape
        return tuple(t.view(B, T, self.heads, C // self.heads).transpose(1, 2) for t in self.qkv(x).split(C, dim=2))

    def forward(self, x: tg.Tensor) -> tg.Tensor:
        B, T, C = x.shape
        y = F.scaled_dot_product_attention(*self.queries_keys_values(x), is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(B, T, C))   # the heads side by side again


class Block(nn.Module):
    """Pre-norm Transformer block: each half adds its result to the stream that flows through."""

    def __init__(self, config: Config) -> None:
        super().__init__()
        self.ln1 = nn.LayerNorm(config.width)
        self.attn = CausalSelfAttention(config)
        self.ln2 = nn.LayerNorm(config.width)
        # GELU in the tanh form GPT-2 used: within 0.001 of the exact one, and several times cheaper here
        self.mlp = nn.Sequential(nn.Linear(config.width, 4 * config.width), nn.GELU(approximate="tanh"),
                                 nn.Linear(4 * config.width, config.width))

    def forward(self, x: tg.Tensor) -> tg.Tensor:
        x = x + self.attn(self.ln1(x))   # positions exchange information
        return x + self.mlp(self.ln2(x))  # each position thinks on its own


class TinyGPT(nn.Module):
    def __init__(self, config: Config) -> None:
        super().__init__()
        self.config = config
        self.tok = nn.Embedding(config.vocab_size, config.width)
        self.pos = nn.Embedding(config.context, config.width)
        self.blocks = nn.ModuleList([Block(config) for _ in range(config.layers)])
        self.ln_f = nn.LayerNorm(config.width)
        self.head = nn.Linear(config.width, config.vocab_size, bias=False)
        for module in self.modules():   # GPT-2's initialisation: small normal weights, zero biases
            if isinstance(module, (nn.Linear, nn.Embedding)):
                nn.init.normal_(module.weight, 0.0, 0.02)
            if isinstance(module, nn.Linear) and module.bias is not None:
                nn.init.zeros_(module.bias)
        # Weight tying: reading a character and predicting one use the same vectors (fewer parameters).
        self.head.weight = self.tok.weight

    def forward(self, idx: tg.Tensor) -> tg.Tensor:
        """(B, T) character indices -> (B, T, vocab_size) scores for the character after each."""
        T = idx.shape[1]
        x = self.tok(idx) + self.pos(tg.arange(T))
        for block in self.blocks:
            x = block(x)
        return self.head(self.ln_f(x))


if args.quick:
    config, steps = Config(len(vocab), context=32, width=64, heads=4, layers=2), 100
else:
    config, steps = Config(len(vocab)), 600
model = TinyGPT(config)
parameters = tutorial.count_parameters(model)
print(f"{len(text):,} characters of {text_source}, {len(vocab)} different ones; a GPT of {config.layers} layers, "
      f"width {config.width}, {config.heads} heads, context {config.context}: {parameters:,} parameters")


# ---- training, with the habits of GPT training ---------------------------------------------------

def parameter_groups(model: TinyGPT, weight_decay: float) -> list[dict]:
    """Decay pulls weights towards 0. It suits the matrices of the linear layers; biases,
    LayerNorm's scales and the embeddings (the tied head too) are left alone."""
    named = list(model.named_parameters())   # a tied weight appears once, as tok.weight
    decay = [p for name, p in named if p.ndim == 2 and not name.startswith(("tok.", "pos."))]
    no_decay = [p for name, p in named if not (p.ndim == 2 and not name.startswith(("tok.", "pos.")))]
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]


def warmup_then_cosine(warmup: int, total: int, floor: float = 0.1):
    """The factor LambdaLR multiplies the learning rate by at each step: a linear rise over
    `warmup` steps (Adam's early estimates are rough), then half a cosine down to `floor`."""
    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        progress = min(1.0, (step - warmup) / max(1, total - warmup))
        return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress))
    return factor


def random_windows(data: tg.Tensor, size: int) -> tuple[tg.Tensor, tg.Tensor]:
    """`size` random windows of the text and, for targets, the same windows one character later."""
    starts = tg.randint(0, len(data) - config.context - 1, (size, 1))
    positions = starts + tg.arange(config.context)
    return data[positions], data[positions + 1]


def average_loss(data: tg.Tensor, batches: int) -> float:
    """The loss on `batches` batches of 16 random windows, without recording a graph."""
    with tg.no_grad():
        losses = [F.cross_entropy(model(x).flatten(0, 1), y.flatten()).item()
                  for x, y in (random_windows(data, 16) for _ in range(batches))]
    return sum(losses) / len(losses)


optimizer = optim.AdamW(parameter_groups(model, 0.1), lr=3e-3 if args.quick else 1e-3, betas=(0.9, 0.95))
schedule = optim.lr_scheduler.LambdaLR(optimizer, warmup_then_cosine(steps // 10, steps))
uniform_loss = math.log(len(vocab))
every = steps // 5 if args.quick else steps // 15   # how often to measure: each measurement costs 8 forward passes
curve_steps, train_losses, held_out_losses = [], [], []
for step in range(steps + 1):
    if step % every == 0 or step == steps:
        model.eval()
        curve_steps.append(step)
        train_losses.append(average_loss(train_data, 4))
        held_out_losses.append(average_loss(held_out_data, 4))
        print(f"step {step:5d}: loss {train_losses[-1]:.3f} on training text, "
              f"{held_out_losses[-1]:.3f} held out (uniform guessing: {uniform_loss:.3f})")
        model.train()
    if step == steps:
        break
    x, y = random_windows(train_data, 16)
    loss = F.cross_entropy(model(x).flatten(0, 1), y.flatten())
    optimizer.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 1.0)   # one unlucky batch cannot throw the weights far
    optimizer.step()
    schedule.step()
model.eval()
loss_start, loss_end_train, loss_end_held_out = held_out_losses[0], train_losses[-1], held_out_losses[-1]


# ---- writing: one character at a time ------------------------------------------------------------

def generate(prompt: str, length: int) -> str:
    """Continue `prompt` by `length` characters, each drawn from the model's probabilities
    given (at most) the last `context` characters."""
    idx = tg.tensor([[stoi[c] for c in prompt]])
    with tg.no_grad():
        for _ in range(length):
            logits = model(idx[:, -config.context:])[:, -1]
            idx = tg.cat([idx, tg.multinomial(logits.softmax(dim=-1), 1)], dim=1)
    return "".join(vocab[i] for i in idx[0].tolist())


sample = generate("A neuron ", 120 if args.quick else 300)
print(f"a sample, starting from 'A neuron ':\n{sample}")


# ---- one head's attention, by hand, checked against the model's own path --------------------------

window = held_out_data[:config.context]
window_text = "".join(vocab[i] for i in window.tolist())
first = model.blocks[0]
with tg.no_grad():
    q, k, v = first.attn.queries_keys_values(first.ln1(model.tok(window[None]) + model.pos(tg.arange(config.context))))
    by_hand, weights = attention_by_hand(q, k, v)
    attention_difference = (by_hand - F.scaled_dot_product_attention(q, k, v, is_causal=True)).abs().max().item()
head_weights = weights[0, 0]                     # layer 1, head 1
attention_row_sums = head_weights.sum(dim=-1).tolist()
attention_above_diagonal = tg.triu(head_weights, diagonal=1).abs().max().item()
print(f"attention by hand and F.scaled_dot_product_attention differ by {attention_difference:.1e}")


# ---- pictures ----------------------------------------------------------------------------------

def plot_losses(path: Path) -> None:
    fig = plots.new_figure(figsize=(6.5, 3.8), layout="constrained")
    ax = fig.subplots()
    ax.plot(curve_steps, train_losses, label="training text", color="#1b9e77")
    ax.plot(curve_steps, held_out_losses, label="held-out text", color="#d95f02")
    ax.axhline(uniform_loss, color="gray", linestyle=":", label=f"uniform guess, log V = {uniform_loss:.2f}")
    ax.set_ylim(0, None)
    ax.set(title="the tiny GPT learns the tutorial's characters", xlabel="training step",
           ylabel="cross-entropy loss")
    ax.legend(fontsize=8, loc="lower left")
    plots.save_figure(fig, path)


def plot_attention(path: Path) -> None:
    fig = plots.new_figure(figsize=(7.5, 7), layout="constrained")
    ax = fig.subplots()
    image = ax.imshow(head_weights.numpy(), cmap="viridis", vmin=0, vmax=1)
    labels = [repr(c)[1:-1] if c != " " else "␣" for c in window_text]
    ax.set_xticks(range(len(window_text)), labels, fontsize=7)
    ax.set_yticks(range(len(window_text)), labels, fontsize=7)
    ax.set(title="attention of layer 1, head 1: each row sums to 1, nothing above the diagonal",
           xlabel="the earlier character it takes from (key)", ylabel="the character predicting the next (query)")
    ax.title.set_fontsize(9)
    fig.colorbar(image, ax=ax, shrink=0.7, label="attention weight")
    plots.save_figure(fig, path)


def draw_attention_head(path: Path) -> str:
    """The graph autograd records for one causal attention head on 4 positions with 2 features
    each, drawn with Graphviz (an SVG); without Graphviz, the reason is returned instead."""
    x = tg.randn(4, 2)
    w_q, w_k, w_v = (tg.randn(2, 2, requires_grad=True) for _ in range(3))
    out, weights = attention_by_hand(x @ w_q, x @ w_k, x @ w_v)
    names = {"x": x, "W_q": w_q, "W_k": w_k, "W_v": w_v, "weights": weights, "out": out}
    try:
        return str(tg.viz.save_graph(tg.viz.draw_graph(out, names=names), path))
    except (ImportError, tg.viz.GraphvizNotFoundError) as e:
        return f"no picture of the graph: {e}"


plot_losses(args.out / "gpt_loss.png")
plot_attention(args.out / "gpt_attention.png")
graph = draw_attention_head(args.out / "attention_head_graph.svg")
print(f"wrote {args.out / 'gpt_loss.png'}, {args.out / 'gpt_attention.png'} and {graph}")
