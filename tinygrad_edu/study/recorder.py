"""Record the vital signs of training, step by step, and plot them.

    with tg.study.Recorder(model) as rec:
        for x, y in loader:
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            rec.step(loss)          # after optimizer.step(), before the next zero_grad()
    rec.plot("training.png")

Per step it logs:

* the loss;
* the gradient norm of every parameter: vanishing or exploding gradients show up here first;
* the update-to-weight ratio ||Δw|| / ||w|| of every parameter: around 1e-3 is healthy; much
  smaller and that layer barely learns, much larger and the learning rate is too high;
* the share of dead ReLUs: units whose ReLU output was 0 for every example in the batch, so
  no gradient reaches their weights. Every ReLU op run with gradients on is counted
  (`relu1`, `relu2`, ... in forward order since the last `step`).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np   # host-side bookkeeping of the logged numbers

from tinygrad_edu import autograd
from tinygrad_edu.autograd import Function, is_grad_enabled
from tinygrad_edu.ops.activations import ReLU
from tinygrad_edu.tensor import Tensor


@dataclass
class StepRecord:
    """What the recorder saw in one training step."""
    step: int
    loss: float
    grad_norms: dict[str, float] = field(default_factory=dict)
    update_ratios: dict[str, float] = field(default_factory=dict)
    dead_relus: dict[str, float] = field(default_factory=dict)


def _named_parameters(model: Any) -> list[tuple[str, Tensor]]:
    if hasattr(model, "named_parameters"):
        return list(model.named_parameters())
    if isinstance(model, dict):
        return list(model.items())
    params = list(model)
    if not all(isinstance(p, Tensor) for p in params):
        raise TypeError(f"Recorder: expected a model with named_parameters(), a dict of tensors or a list of "
                        f"tensors, got {type(model).__name__}")
    return [(f"param{i}", p) for i, p in enumerate(params)]


def _norm(array: Any, xp: Any) -> float:
    return float(xp.sqrt((array.astype(np.float64) ** 2).sum()))


def dead_share(output: Any) -> float:
    """The share of units that are 0 for every example of the batch (the first dim)."""
    alive = output > 0
    if alive.ndim >= 2:
        alive = alive.reshape(alive.shape[0], -1).any(axis=0)
    return 1.0 - float(alive.sum()) / alive.size if alive.size else 0.0


class Recorder:
    """Logs loss, gradient norms, update-to-weight ratios and dead ReLUs per training step.

    It watches ReLU ops through the autograd forward hooks from the moment it is made until
    `close()` (or the end of a `with` block), so close it when done.
    """

    def __init__(self, model: Any, record_relus: bool = True) -> None:
        self.params = _named_parameters(model)
        if not self.params:
            raise ValueError("Recorder: the model has no parameters to watch")
        self.records: list[StepRecord] = []
        self._previous = {name: p.array.copy() for name, p in self.params}
        self._relu_shares: list[float] = []
        self._hooks = autograd.add_hooks(forward=self._on_forward) if record_relus else None

    def _on_forward(self, fn: Function, output: Any) -> None:
        if isinstance(fn, ReLU) and is_grad_enabled():   # training forwards only, not evaluation
            self._relu_shares.append(dead_share(output))

    def step(self, loss: Any) -> StepRecord:
        """Log one step; call it after `optimizer.step()` and before the next `zero_grad()`."""
        record = StepRecord(len(self.records) + 1, float(loss.item() if isinstance(loss, Tensor) else loss))
        for name, p in self.params:
            xp = p.xp
            record.grad_norms[name] = _norm(p.grad.array, xp) if p.grad is not None else float("nan")
            before = self._previous[name]
            change = _norm(p.array - before, xp)
            record.update_ratios[name] = change / max(_norm(before, xp), 1e-12)
            self._previous[name] = p.array.copy()
        record.dead_relus = {f"relu{i + 1}": share for i, share in enumerate(self._relu_shares)}
        self._relu_shares = []
        self.records.append(record)
        return record

    @property
    def history(self) -> dict[str, list[float]]:
        """Everything logged as name -> list of numbers (one per step), ready for plotting."""
        history: dict[str, list[float]] = {"loss": [r.loss for r in self.records]}
        for key, attr in (("grad_norm", "grad_norms"), ("update_ratio", "update_ratios"), ("dead_relu", "dead_relus")):
            names = dict.fromkeys(n for r in self.records for n in getattr(r, attr))
            for name in names:
                history[f"{key}/{name}"] = [getattr(r, attr).get(name, float("nan")) for r in self.records]
        return history

    def plot(self, path: str | os.PathLike | None = None) -> Any:
        """Four panels: loss, gradient norms, update-to-weight ratios, dead ReLU shares."""
        from tinygrad_edu.viz.plots import new_figure, save_figure

        if not self.records:
            raise ValueError("Recorder.plot: nothing recorded yet; call rec.step(loss) in the training loop")
        steps = [r.step for r in self.records]
        history = self.history
        fig = new_figure(figsize=(11, 7), layout="constrained")
        axes = fig.subplots(2, 2).ravel()
        axes[0].plot(steps, history["loss"], color="black")
        axes[0].set_title("loss")
        panels = ((axes[1], "grad_norm/", "gradient norm per parameter", True),
                  (axes[2], "update_ratio/", "update / weight ratio (about 1e-3 is healthy)", True),
                  (axes[3], "dead_relu/", "share of dead ReLU units", False))
        for ax, prefix, title, log in panels:
            lines = {k[len(prefix):]: v for k, v in history.items() if k.startswith(prefix)}
            for name, values in lines.items():
                ax.plot(steps, values, label=name)
            if not lines:
                ax.text(0.5, 0.5, "nothing recorded", ha="center", va="center", transform=ax.transAxes)
            elif log and all(v > 0 for values in lines.values() for v in values if v == v):
                ax.set_yscale("log")
            if lines:
                ax.legend(fontsize=7)
            ax.set_title(title)
        axes[2].axhline(1e-3, color="grey", linestyle="--", linewidth=0.8)
        axes[3].set_ylim(-0.02, 1.02)
        for ax in axes:
            ax.set_xlabel("step")
            ax.grid(alpha=0.3)
        return save_figure(fig, path)

    def __repr__(self) -> str:
        last = f", last loss {self.records[-1].loss:.4g}" if self.records else ""
        return f"<Recorder: {len(self.records)} steps{last}>"

    def _repr_html_(self) -> str:
        """Jupyter shows a recorder as a table of its last steps and (with matplotlib) its four panels."""
        import base64
        import html
        import io

        if not self.records:
            return "<p>Recorder: nothing recorded yet; call <code>rec.step(loss)</code> in the training loop</p>"
        rows = []
        for r in self.records[-5:]:
            worst_grad = max(r.grad_norms.items(), key=lambda kv: kv[1], default=("-", float("nan")))
            ratios = sorted(r.update_ratios.values())
            median_ratio = ratios[len(ratios) // 2] if ratios else float("nan")
            dead = max(r.dead_relus.values(), default=0.0)
            rows.append(f"<tr><td>{r.step}</td><td>{r.loss:.4g}</td><td>{html.escape(worst_grad[0])}: "
                        f"{worst_grad[1]:.3g}</td><td>{median_ratio:.2g}</td><td>{dead:.0%}</td></tr>")
        table = ("<table><thead><tr><th>step</th><th>loss</th><th>largest gradient norm</th>"
                 "<th>median update / weight</th><th>most dead ReLUs</th></tr></thead><tbody>"
                 + "".join(rows) + "</tbody></table>")
        picture = ""
        try:
            buffer = io.BytesIO()
            self.plot().savefig(buffer, format="png", dpi=72)
            picture = f'<img alt="training record" src="data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}">'
        except ImportError:   # matplotlib is optional: the table alone
            pass
        return f"<p>Recorder: {len(self.records)} steps (the last {len(rows)} below)</p>{table}{picture}"

    def close(self) -> None:
        """Stop watching ReLU ops."""
        if self._hooks is not None:
            self._hooks.remove()
            self._hooks = None

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
