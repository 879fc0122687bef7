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

The training text is the prose of tutorial chapters 1 to 15 (docs/tutorial/), gathered when
the example runs: the project's own words about the article's ideas, never the article's text.
The last tenth is held out to measure the loss honestly. Guessing uniformly among the V
characters would give a loss of log V; the GPT gets far below that and makes up text with
the tutorial's words and rhythm (and little of its sense: it is small and reads characters).

    python examples/17_tiny_gpt.py                   # pictures in out/17_tiny_gpt/
"""
from __future__ import annotations

import math
import re
import sys
from pathlib import Path

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn, optim
from tinygrad_edu.viz import plots
from common import parse_args

TUTORIAL = Path(__file__).parent.parent / "docs" / "tutorial"


def tutorial_prose() -> str:
    """The running text of tutorial chapters 01 to 15: code blocks, tables, pictures and
    Markdown marks removed, links kept as their words, one paragraph per line."""
    paragraphs = []
    for chapter in sorted(TUTORIAL.glob("[0-1][0-9]-*.md"))[:15]:
        text = re.sub(r"^```.*?^```", "", chapter.read_text(encoding="utf-8"), flags=re.MULTILINE | re.DOTALL)
        text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)           # pictures
        text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)        # links: keep the words
        text = re.sub(r"[*`#>]", "", text)                         # emphasis, code and heading marks
        for block in text.split("\n\n"):
            lines = [line.strip() for line in block.splitlines() if not line.lstrip().startswith("|")]
            paragraph = " ".join(line for line in lines if line)
            if len(paragraph) > 40:   # headings and stray fragments are not prose
                paragraphs.append(paragraph)
    return "\n".join(paragraphs) + "\n"


class Config:
    """The GPT's sizes; the defaults are those of benchmark W6."""

    def __init__(self, vocab_size: int, context: int = 64, width: int = 128, heads: int = 4, layers: int = 4) -> None:
        self.vocab_size, self.context, self.width, self.heads, self.layers = vocab_size, context, width, heads, layers


def attention_by_hand(q: tg.Tensor, k: tg.Tensor, v: tg.Tensor) -> tuple[tg.Tensor, tg.Tensor]:
    """Causal attention from matmul, masked_fill and softmax: (output, weights).
    q, k, v are (..., T, d); weights[..., i, j] is how much position i takes from position j."""
    T = q.shape[-2]
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])             # (..., T, T)
    future = tg.triu(tg.ones(T, T, dtype=tg.bool, device=q.device), diagonal=1)
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
        self.mlp = nn.Sequential(nn.Linear(config.width, 4 * config.width), nn.GELU(),
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
        x = self.tok(idx) + self.pos(tg.arange(T, device=idx.device))
        for block in self.blocks:
            x = block(x)
        return self.head(self.ln_f(x))


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


def batch(data: tg.Tensor, context: int, size: int, generator: tg.Generator) -> tuple[tg.Tensor, tg.Tensor]:
    """`size` random windows of the text and, for targets, the same windows one character later."""
    starts = tg.randint(0, len(data) - context - 1, (size, 1), generator=generator, device=data.device)
    positions = starts + tg.arange(context, device=data.device)
    return data[positions], data[positions + 1]


def evaluate(model: TinyGPT, data: tg.Tensor, batches: int, generator: tg.Generator) -> float:
    with tg.no_grad():
        losses = []
        for _ in range(batches):
            x, y = batch(data, model.config.context, 16, generator)
            losses.append(F.cross_entropy(model(x).flatten(0, 1), y.flatten()).item())
    return sum(losses) / len(losses)


def generate(model: TinyGPT, prompt: tg.Tensor, length: int, generator: tg.Generator) -> tg.Tensor:
    """Continue `prompt` (1-D indices) by `length` characters, each drawn from the model's
    probabilities given (at most) the last `context` characters."""
    idx = prompt[None]
    with tg.no_grad():
        for _ in range(length):
            logits = model(idx[:, -model.config.context:])[:, -1]
            nxt = tg.multinomial(logits.softmax(dim=-1), 1, generator=generator)
            idx = tg.cat([idx, nxt], dim=1)
    return idx[0]


def draw_attention_head(path: Path, generator: tg.Generator, device: str) -> str:
    """The graph autograd records for one causal attention head on 4 positions with 2 features
    each, drawn with Graphviz (an SVG); without Graphviz, the reason is returned instead."""
    x = tg.randn(4, 2, generator=generator, device=device)
    w_q, w_k, w_v = (tg.randn(2, 2, generator=generator, device=device, requires_grad=True) for _ in range(3))
    out, weights = attention_by_hand(x @ w_q, x @ w_k, x @ w_v)
    names = {"x": x, "W_q": w_q, "W_k": w_k, "W_v": w_v, "weights": weights, "out": out}
    try:
        return str(tg.viz.save_graph(tg.viz.draw_graph(out, names=names), path))
    except (ImportError, tg.viz.GraphvizNotFoundError) as e:
        return f"no picture of the graph: {e}"


def plot_losses(steps: list[int], train: list[float], held_out: list[float], uniform: float, path: Path) -> None:
    fig = plots.new_figure(figsize=(6.5, 3.8), layout="constrained")
    ax = fig.subplots()
    ax.plot(steps, train, label="training text", color="#1b9e77")
    ax.plot(steps, held_out, label="held-out text", color="#d95f02")
    ax.axhline(uniform, color="gray", linestyle=":", label=f"uniform guess, log V = {uniform:.2f}")
    ax.set(title="the tiny GPT learns the tutorial's characters", xlabel="training step",
           ylabel="cross-entropy loss")
    ax.legend(fontsize=8)
    plots.save_figure(fig, path)


def plot_attention(weights: tg.Tensor, text: str, layer: int, head: int, path: Path) -> None:
    fig = plots.new_figure(figsize=(7.5, 7), layout="constrained")
    ax = fig.subplots()
    image = ax.imshow(weights.numpy(), cmap="viridis")
    labels = [repr(c)[1:-1] if c != " " else "␣" for c in text]
    ax.set_xticks(range(len(text)), labels, fontsize=7)
    ax.set_yticks(range(len(text)), labels, fontsize=7)
    ax.set(title=f"attention of layer {layer + 1}, head {head + 1}: each row sums to 1, nothing above the diagonal",
           xlabel="the earlier character it takes from (key)", ylabel="the character predicting the next (query)")
    ax.title.set_fontsize(9)
    fig.colorbar(image, ax=ax, shrink=0.7)
    plots.save_figure(fig, path)


def main(argv: list[str] | None = None) -> dict:
    args = parse_args("17_tiny_gpt", "A small character-level GPT trained on the tutorial's prose.", argv)
    generator = tg.Generator().manual_seed(args.seed)
    text = tutorial_prose()
    vocab = sorted(set(text))
    stoi = {ch: i for i, ch in enumerate(vocab)}
    data = tg.tensor([stoi[ch] for ch in text], device=args.device)
    cut = len(data) * 9 // 10
    train_data, held_out_data = data[:cut], data[cut:]
    if args.quick:
        config, steps, batch_size = Config(len(vocab), context=32, width=64, heads=4, layers=2), 150, 16
    else:
        config, steps, batch_size = Config(len(vocab)), 600, 16
    model = TinyGPT(config).to(args.device)
    print(f"{len(text):,} characters of tutorial prose, {len(vocab)} different ones; "
          f"a GPT of {config.layers} layers, width {config.width}, {config.heads} heads, context {config.context}: "
          f"{sum(p.numel() for p in model.parameters()):,} parameters")

    optimizer = optim.AdamW(parameter_groups(model, 0.1), lr=3e-3 if args.quick else 1e-3, betas=(0.9, 0.95))
    schedule = optim.lr_scheduler.LambdaLR(optimizer, warmup_then_cosine(steps // 10, steps))
    uniform = math.log(len(vocab))
    every = max(1, steps // 15)
    curve: dict[str, list] = {"step": [], "train": [], "held_out": []}
    for step in range(steps + 1):
        if step % every == 0 or step == steps:
            model.eval()
            curve["step"].append(step)
            curve["train"].append(evaluate(model, train_data, 4, generator))
            curve["held_out"].append(evaluate(model, held_out_data, 4, generator))
            print(f"step {step:5d}: loss {curve['train'][-1]:.3f} on training text, "
                  f"{curve['held_out'][-1]:.3f} held out (uniform guessing: {uniform:.3f})")
            model.train()
        if step == steps:
            break
        x, y = batch(train_data, config.context, batch_size, generator)
        loss = F.cross_entropy(model(x).flatten(0, 1), y.flatten())
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)   # one unlucky batch cannot throw the weights far
        optimizer.step()
        schedule.step()
    model.eval()

    prompt = "A neuron "
    sample = generate(model, tg.tensor([stoi[c] for c in prompt], device=args.device), 300 if not args.quick else 120,
                      generator)
    sample_text = "".join(vocab[i] for i in sample.tolist())
    print(f"a sample, starting from {prompt!r}:\n{sample_text}")

    # One head's attention on a piece of held-out text, by hand, checked against the model's own path.
    window = held_out_data[:config.context]
    window_text = "".join(vocab[i] for i in window.tolist())
    block = model.blocks[0]
    with tg.no_grad():
        q, k, v = block.attn.queries_keys_values(block.ln1(model.tok(window[None]) + model.pos(tg.arange(
            config.context, device=args.device))))
        by_hand, weights = attention_by_hand(q, k, v)
        difference = (by_hand - F.scaled_dot_product_attention(q, k, v, is_causal=True)).abs().max().item()
    print(f"attention by hand and F.scaled_dot_product_attention differ by {difference:.1e}")
    plot_losses(curve["step"], curve["train"], curve["held_out"], uniform, args.out / "gpt_loss.png")
    plot_attention(weights[0, 0], window_text, 0, 0, args.out / "gpt_attention.png")
    graph = draw_attention_head(args.out / "attention_head_graph.svg", generator, args.device)
    print(f"wrote {args.out / 'gpt_loss.png'}, {args.out / 'gpt_attention.png'} and {graph}")
    return {"uniform_loss": uniform, "vocabulary_size": len(vocab), "characters": len(text),
            "loss_start": curve["held_out"][0], "loss_end_train": curve["train"][-1],
            "loss_end_held_out": curve["held_out"][-1], "attention_difference": difference,
            "attention_row_sums": weights[0, 0].sum(dim=-1).tolist(),
            "attention_above_diagonal": tg.triu(weights[0, 0], diagonal=1).abs().max().item(),
            "sample": sample_text}


if __name__ == "__main__":
    main(sys.argv[1:])
