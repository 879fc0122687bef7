"""Pictures of training with matplotlib: curves, image grids, decision boundaries, loss surfaces.

Every function returns a `matplotlib.figure.Figure` (Jupyter shows it inline, also in a fresh
kernel with no `%matplotlib` line) and, when `path` is given, also saves it there as a PNG. The figures are made without pyplot, so no
window opens and no global plotting state changes: this works on servers (Agg) and in threads.
matplotlib is optional (`pip install "tinygrad_edu[plot]"`) and is imported only here, on use.
"""
from __future__ import annotations

import io
import math
import os
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from tinygrad_edu.autograd import no_grad
from tinygrad_edu.tensor import Tensor

PLOT_HINT = 'plotting needs matplotlib: pip install "tinygrad_edu[plot]"'


_inline_figure_class: type | None = None


def _figure_class() -> type:
    """matplotlib's Figure with a `_repr_png_`, made on first use (matplotlib is optional).

    Jupyter shows pyplot's figures through the inline backend, but a Figure made without
    pyplot only as the text "<Figure size ...>": this method is what makes it a picture there.
    """
    global _inline_figure_class
    try:   # every time, not only the first: the hint must come whenever matplotlib is missing
        from matplotlib.figure import Figure
    except ImportError as e:
        raise ImportError(f"{PLOT_HINT} ({e})") from None
    if _inline_figure_class is None:

        class InlineFigure(Figure):
            def _repr_png_(self) -> bytes:
                buffer = io.BytesIO()
                self.savefig(buffer, format="png", dpi=100)
                return buffer.getvalue()

        _inline_figure_class = InlineFigure
    return _inline_figure_class


def new_figure(**kwargs: Any) -> Any:
    """A matplotlib Figure that is not attached to pyplot (renders with Agg when saved) and
    that Jupyter shows inline."""
    return _figure_class()(**kwargs)


def save_figure(fig: Any, path: str | os.PathLike | None) -> Any:
    """Save `fig` to `path` (creating the folder) when a path is given; return the figure."""
    if path is not None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=100)
    return fig


def _as_numpy(x: Any) -> np.ndarray:
    if isinstance(x, Tensor):
        return x.numpy()
    if isinstance(x, (list, tuple)) and x and isinstance(x[0], Tensor):
        return np.stack([t.numpy() for t in x])
    return np.asarray(x)


def plot_curves(history: Mapping[str, Sequence[float]], path: str | os.PathLike | None = None,
                title: str | None = None, xlabel: str = "epoch") -> Any:
    """Loss and accuracy curves: one line per entry of `history` (e.g. {"train loss": [...]}).

    Entries whose name contains "loss" share one panel, those containing "acc" another,
    anything else a third, so losses and accuracies never squeeze each other's scale.
    """
    if not isinstance(history, dict) or not history:
        raise ValueError("plot_curves: history must be a non-empty dict of name -> list of numbers, "
                         f"got {type(history).__name__}")
    series = {}
    for name, values in history.items():
        try:
            series[name] = [float(v) for v in values]
        except (TypeError, ValueError):
            raise TypeError(f"plot_curves: history[{name!r}] must be a list of numbers") from None
    if not any(series.values()):
        raise ValueError("plot_curves: every list in history is empty; nothing to plot")
    panels: dict[str, list[str]] = {"loss": [], "accuracy": [], "other": []}
    for name in series:
        lowered = name.lower()
        panels["loss" if "loss" in lowered else "accuracy" if "acc" in lowered else "other"].append(name)
    panels = {kind: names for kind, names in panels.items() if names}

    fig = new_figure(figsize=(5 * len(panels), 3.6), layout="constrained")
    for ax, (kind, names) in zip(fig.subplots(1, len(panels), squeeze=False)[0], panels.items()):
        for name in names:
            ax.plot(range(1, len(series[name]) + 1), series[name], marker="o" if len(series[name]) < 30 else None,
                    markersize=3, label=name)
        ax.set_xlabel(xlabel)
        ax.xaxis.get_major_locator().set_params(integer=True)   # epochs are whole numbers
        ax.set_ylabel(kind if kind != "other" else "value")
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    return save_figure(fig, path)


def _tiles(images: np.ndarray) -> tuple[list[np.ndarray], bool]:
    """Split an image stack into single images; True when they are RGB."""
    if images.ndim == 2:
        return [images], False
    if images.ndim == 3:
        return list(images), False
    if images.ndim == 4:
        if images.shape[1] == 1:
            return list(images[:, 0]), False
        if images.shape[1] == 3:
            return list(images.transpose(0, 2, 3, 1)), True
        return [channel for image in images for channel in image], False   # e.g. conv kernels (out, in, kh, kw)
    raise ValueError(f"image_grid: expected images of shape (H, W), (N, H, W) or (N, C, H, W), "
                     f"got {images.shape}")


def _shared_scale(values: np.ndarray, vmin: float | None, vmax: float | None) -> tuple[float, float, bool]:
    """(low, high, symmetric) of one colour scale for all tiles. Values of both signs (weights)
    get a scale symmetric around 0, so that 0 has the same colour in every tile; values of one
    sign (pixels, feature maps after ReLU) run from 0 to their largest magnitude."""
    low, high = float(values.min()), float(values.max())
    symmetric = low < 0 < high
    if vmin is None and vmax is None:
        if symmetric:
            high = max(-low, high)
            low = -high
        elif low >= 0:
            low = 0.0
        else:
            high = 0.0
    low = low if vmin is None else float(vmin)
    high = high if vmax is None else float(vmax)
    if high <= low:
        high = low + 1.0   # a constant picture: any scale shows it
    return low, high, symmetric


def _draw_grid(fig: Any, tiles: list[np.ndarray], rgb: bool, ncols: int, cmap: str,
               titles: Sequence[str] | None, scale: tuple[float, float] | None) -> Any:
    """Draw the tiles into `fig` (a Figure or SubFigure) as one mosaic image with white gaps,
    with `scale` = (low, high) for all tiles, or None for each tile's own range. One image
    instead of one subplot per tile: laying out dozens of subplots took most of an example's
    time. Returns the image drawn (for a colour bar)."""
    import matplotlib

    height, width = tiles[0].shape[:2]
    gap = max(1, height // 8)
    band = max(gap, math.ceil(0.3 * height)) if titles is not None else gap   # room for a title above each tile
    nrows = math.ceil(len(tiles) / ncols)
    cell_h, cell_w = band + height, gap + width
    mosaic = np.full((nrows * cell_h, ncols * cell_w - gap) + ((3,) if rgb else ()), 1.0 if rgb else np.nan)
    ax = fig.subplots()
    ax.axis("off")
    for i, tile in enumerate(tiles):
        if scale is None or rgb:   # imshow needs RGB in [0, 1]; each tile on its own range
            low, high = (tile.min(), tile.max()) if scale is None else scale
            tile = np.clip((tile - low) / (high - low), 0, 1) if high > low else np.zeros_like(tile)
        top, left = (i // ncols) * cell_h + band, (i % ncols) * cell_w
        mosaic[top:top + height, left:left + width] = tile
        if titles is not None:
            ax.text(left + (width - 1) / 2, top - 0.6, titles[i], ha="center", va="bottom", fontsize=8)
    if rgb:
        return ax.imshow(mosaic, interpolation="nearest")
    colours = matplotlib.colormaps[cmap].with_extremes(bad="white")   # the gaps (NaN) stay white
    low, high = (0.0, 1.0) if scale is None else scale
    return ax.imshow(mosaic, cmap=colours, vmin=low, vmax=high, interpolation="nearest")


def _prepare(images: Any, titles: Sequence[str] | None, ncols: int | None,
             name: str = "image_grid") -> tuple[list[np.ndarray], bool, int]:
    tiles, rgb = _tiles(_as_numpy(images).astype(np.float64))
    if not tiles:
        raise ValueError(f"{name}: no images to show")
    if titles is not None and len(titles) != len(tiles):
        raise ValueError(f"{name}: got {len(titles)} titles for {len(tiles)} images")
    ncols = ncols or math.ceil(math.sqrt(len(tiles)))
    if ncols < 1:
        raise ValueError(f"{name}: ncols must be positive, got {ncols}")
    return tiles, rgb, ncols


def image_grid(images: Any, path: str | os.PathLike | None = None, ncols: int | None = None,
               title: str | None = None, cmap: str | None = None, titles: Sequence[str] | None = None,
               scale_each: bool = False, vmin: float | None = None, vmax: float | None = None,
               colorbar: bool | None = None, label: str | None = None) -> Any:
    """Show many small images (learned kernels, feature maps, digits) in a grid.

    All tiles share one colour scale by default (as torchvision's `make_grid` does with its
    default `scale_each=False`), so a weak kernel looks weak and tiles can be compared; a colour
    bar says what the colours mean. When the values have both signs (weights), the scale is
    symmetric around 0 and the default colour map is diverging ("coolwarm": blue negative,
    white 0, red positive); otherwise it runs from 0 and the default is "gray". `vmin`/`vmax`
    fix the scale, e.g. to compare two grids. `scale_each=True` stretches every tile to its own
    range instead (each then shows its pattern at full contrast, but colours no longer compare
    between tiles, so no colour bar is drawn).

    With (N, C, H, W) input, C = 1 or 3 gives N images (grey or RGB); any other C gives N·C
    grey tiles, one per channel.
    """
    tiles, rgb, ncols = _prepare(images, titles, ncols)
    nrows = math.ceil(len(tiles) / ncols)
    low, high, symmetric = _shared_scale(np.stack([t.ravel() for t in tiles]), vmin, vmax)
    cmap = cmap or ("coolwarm" if symmetric and not scale_each else "gray")
    colorbar = (not scale_each and not rgb) if colorbar is None else colorbar
    fig = new_figure(figsize=(1.0 * ncols + (1.2 if colorbar else 0.4),
                              (1.0 + (0.3 if titles else 0.1)) * nrows + (0.5 if title else 0.2)),
                     layout="constrained")
    shown = _draw_grid(fig, tiles, rgb, ncols, cmap, titles, None if scale_each else (low, high))
    if colorbar and not scale_each and not rgb:
        fig.colorbar(shown, ax=fig.axes, shrink=0.9, label=label)
    if title:
        fig.suptitle(title)
    return save_figure(fig, path)


def image_grids(panels: dict[str, Any], path: str | os.PathLike | None = None, ncols: int | None = None,
                title: str | None = None, cmap: str | None = None, label: str | None = None,
                own_scale: Sequence[str] = ()) -> Any:
    """Several image grids side by side on ONE colour scale with one colour bar, e.g.
    {"before training": kernels_then, "after training": kernels_now}: the same colour means the
    same number in every panel, so a change between them is a real change. Panels named in
    `own_scale` (say, the input image beside its feature maps, a different quantity) are drawn
    in grey on their own scale and left out of the shared one."""
    if not isinstance(panels, dict) or not panels:
        raise ValueError("image_grids: panels must be a non-empty dict of panel title -> images")
    unknown = [name for name in own_scale if name not in panels]
    if unknown:
        raise ValueError(f"image_grids: own_scale names {unknown}, which are not panels ({list(panels)})")
    prepared = {name: _prepare(images, None, ncols if name not in own_scale else None, "image_grids")
                for name, images in panels.items()}
    if any(rgb for _, rgb, _ in prepared.values()):
        raise ValueError("image_grids: colour (RGB) images have no shared colour scale; use image_grid for each")
    shared = [t.ravel() for name, (tiles, _, _) in prepared.items() if name not in own_scale for t in tiles]
    if not shared:
        raise ValueError("image_grids: every panel is in own_scale; nothing shares the scale")
    low, high, symmetric = _shared_scale(np.concatenate(shared), None, None)
    cmap = cmap or ("coolwarm" if symmetric else "gray")
    widths = [cols for _, _, cols in prepared.values()]
    rows = max(math.ceil(len(tiles) / cols) for tiles, _, cols in prepared.values())
    fig = new_figure(figsize=(0.9 * sum(widths) + 0.4 * len(panels) + 1.2, 0.9 * rows + (0.9 if title else 0.6)),
                     layout="constrained")
    subfigures = fig.subfigures(1, len(panels), width_ratios=widths, squeeze=False)[0]
    shown = None
    for subfigure, (name, (tiles, _, cols)) in zip(subfigures, prepared.items()):
        if name in own_scale:
            _draw_grid(subfigure, tiles, False, cols, "gray", None, None)
        else:
            shown = _draw_grid(subfigure, tiles, False, cols, cmap, None, (low, high))
            last = subfigure
        subfigure.suptitle(name, fontsize=10)
    # One bar at the right of the last shared panel serves them all, since they share the scale.
    last.colorbar(shown, ax=last.axes, shrink=0.8, label=label)
    if title:
        fig.suptitle(title)
    return save_figure(fig, path)


def _class_of(scores: np.ndarray, count: int, threshold: float) -> np.ndarray:
    """Class labels from a model's output: argmax of several scores, a threshold on one."""
    if scores.ndim == 2 and scores.shape[1] > 1:
        labels = scores.argmax(axis=1)
    else:
        scores = scores.reshape(len(scores), -1)[:, 0] if scores.ndim > 1 else scores
        labels = scores if scores.dtype.kind in "biu" else (scores > threshold)
    if len(labels) != count:
        raise ValueError(f"decision_boundary: predict_fn returned {len(labels)} predictions for {count} points")
    return labels.astype(np.int64)


CLASS_COLOURS = ("#d95f02", "#1b9e77")   # class 0 and class 1 (cat and dog in chapter 1) in every picture


def _probability_of_class_1(scores: np.ndarray, count: int, threshold: float) -> tuple[np.ndarray, np.ndarray, float]:
    """(shading, decision score, its boundary level) for a model with two classes.

    Two scores per point are turned into P(class 1) by softmax (unless they are probabilities
    already); one score per point is a probability when it lies in [0, 1] and a logit
    otherwise (shaded by its sigmoid). The boundary is where the model's decision flips: the
    score at `threshold`, or P(class 1) = 0.5 for two scores.
    """
    if scores.ndim == 2 and scores.shape[1] == 2:
        rows_are_probabilities = scores.min() >= 0 and np.allclose(scores.sum(axis=1), 1.0, atol=1e-4)
        if not rows_are_probabilities:
            shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
            scores = shifted / shifted.sum(axis=1, keepdims=True)
        return scores[:, 1], scores[:, 1], 0.5
    score = scores.reshape(count, -1)[:, 0] if scores.ndim > 1 else scores
    shading = score if score.min() >= 0 and score.max() <= 1 else 1 / (1 + np.exp(-score))
    return shading, score, threshold


def decision_boundary(predict_fn: Callable[[Tensor], Any], X: Any, y: Any, path: str | os.PathLike | None = None,
                      resolution: int = 200, threshold: float = 0.5, device: str | None = None,
                      title: str | None = None, class_names: Sequence[str] | None = None,
                      xlabel: str = "x1", ylabel: str = "x2") -> Any:
    """The plane shaded by what a model answers there, its decision boundary, and the data on top.

    `predict_fn` receives a float32 Tensor of shape (M, 2) on `device` (default: the default
    device) and returns one of:

    * two scores per point (M, 2), logits or probabilities: the plane is shaded by the
      probability of class 1, from class 0's colour through white (50/50) to class 1's, with a
      colour bar, and the 0.5 contour (the decision boundary) is drawn in black;
    * one score per point (M,) or (M, 1): a probability when it lies in [0, 1], else a logit
      (shaded by its sigmoid); the boundary is drawn where it crosses `threshold` (0.5 for
      probabilities; pass 0.0 for logits);
    * integer labels (M,), or scores for more than two classes (argmax is taken): regions are
      coloured by class, since there is no single probability to shade.

    `class_names` name the classes in the legend (default "class 0", "class 1", ...), and
    `xlabel`/`ylabel` the two features.
    """
    X, y = _as_numpy(X), _as_numpy(y).reshape(-1)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"decision_boundary: X must have shape (n, 2), got {X.shape}")
    if len(y) != len(X):
        raise ValueError(f"decision_boundary: X has {len(X)} points but y has {len(y)} labels")
    low, high = X.min(axis=0), X.max(axis=0)
    margin = np.where(high > low, 0.1 * (high - low), 0.5)
    xs = np.linspace(low[0] - margin[0], high[0] + margin[0], resolution)
    ys = np.linspace(low[1] - margin[1], high[1] + margin[1], resolution)
    xx, yy = np.meshgrid(xs, ys)
    grid = np.stack([xx.ravel(), yy.ravel()], axis=1).astype(np.float32)
    with no_grad():
        scores = _as_numpy(predict_fn(Tensor(grid, device=device)))
    labels = _class_of(scores, len(grid), threshold)   # also checks that there is one answer per point
    classes = int(max(labels.max(), y.max() if len(y) else 0)) + 1
    names = list(class_names) if class_names is not None else [f"class {c}" for c in range(classes)]
    if len(names) < classes:
        raise ValueError(f"decision_boundary: got {len(names)} class_names for {classes} classes")
    two_classes = classes <= 2 and scores.dtype.kind == "f" and (scores.ndim == 1 or scores.shape[-1] <= 2)

    from matplotlib.colors import LinearSegmentedColormap, ListedColormap
    fig = new_figure(figsize=(6, 5), layout="constrained")
    ax = fig.subplots()
    boundary = False
    if two_classes:
        shading, score, level = _probability_of_class_1(scores, len(grid), threshold)
        diverging = LinearSegmentedColormap.from_list("class_0_to_class_1", [CLASS_COLOURS[0], "white", CLASS_COLOURS[1]])
        filled = ax.contourf(xx, yy, shading.reshape(xx.shape), levels=np.linspace(0, 1, 21), cmap=diverging, alpha=0.5)
        fig.colorbar(filled, ax=ax, label=f"P({names[1]})", ticks=np.linspace(0, 1, 6))
        score = score.reshape(xx.shape)
        # A model that answers (nearly) the same everywhere has no boundary worth drawing: a
        # line through rounding noise would claim a decision the model does not make.
        boundary = score.min() < level < score.max() and shading.max() - shading.min() > 0.01
        if boundary:
            ax.contour(xx, yy, score, levels=[level], colors="black", linewidths=1.5)
        colours = list(CLASS_COLOURS)
    else:
        colours = [f"C{c}" for c in range(classes)]
        ax.contourf(xx, yy, labels.reshape(xx.shape), levels=np.arange(classes + 1) - 0.5,
                    cmap=ListedColormap(colours), alpha=0.35)
    for c in range(classes):
        mine = y == c
        ax.scatter(X[mine, 0], X[mine, 1], color=colours[c], edgecolors="black", linewidths=0.5, s=25, label=names[c])
    if two_classes and boundary:   # a legend entry for the contour, which has none of its own
        ax.plot([], [], color="black", linewidth=1.5, label="decision boundary (50/50)")
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(ys[0], ys[-1])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    fig.legend(loc="outside lower center", ncols=min(classes + two_classes, 4), fontsize=8)   # below the plot, covering nothing
    ax.set_title(title or "decision boundary")
    return save_figure(fig, path)


def loss_surface(loss_fn: Callable[[float, float], Any], w_range: Sequence, path_points: Any = None,
                 path: str | os.PathLike | None = None, resolution: int = 41,
                 labels: tuple[str, str] = ("w1", "w2"), title: str | None = None) -> Any:
    """Contours of the loss over two chosen weights, with the gradient-descent path on top.

    `loss_fn(w1, w2)` returns the loss (a number or a one-element Tensor) with the two
    weights set to those values. `w_range` is (low, high) for both weights or
    ((low1, high1), (low2, high2)). `path_points` is the sequence of (w1, w2) pairs that
    gradient descent visited.
    """
    ranges = np.asarray(w_range, dtype=np.float64)
    if ranges.shape == (2,):
        ranges = np.stack([ranges, ranges])
    if ranges.shape != (2, 2):
        raise ValueError(f"loss_surface: w_range must be (low, high) or ((low1, high1), (low2, high2)), "
                         f"got {w_range!r}")
    w1 = np.linspace(ranges[0, 0], ranges[0, 1], resolution)
    w2 = np.linspace(ranges[1, 0], ranges[1, 1], resolution)
    losses = np.empty((resolution, resolution))
    with no_grad():
        for i, b in enumerate(w2):
            for j, a in enumerate(w1):
                losses[i, j] = float(loss_fn(float(a), float(b)))

    fig = new_figure(figsize=(5.5, 4.5), layout="constrained")
    ax = fig.subplots()
    filled = ax.contourf(w1, w2, losses, levels=30, cmap="viridis")
    ax.contour(w1, w2, losses, levels=12, colors="white", linewidths=0.4, alpha=0.6)
    fig.colorbar(filled, ax=ax, label="loss")
    if path_points is not None:
        points = np.asarray([[float(a), float(b)] for a, b in path_points])
        if len(points):
            ax.plot(points[:, 0], points[:, 1], "o-", color="#ff5a36", markersize=3, linewidth=1.5,
                    label="gradient descent")
            ax.plot(*points[0], "s", color="white", markeredgecolor="black", label="start")
            ax.plot(*points[-1], "*", color="yellow", markeredgecolor="black", markersize=12, label="end")
            ax.legend(loc="best", fontsize=8)
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    ax.set_title(title or "loss surface")
    return save_figure(fig, path)
