"""tg.viz.plots and the demo pictures: real, non-empty PNGs (read back and measured)."""
from __future__ import annotations

import sys
import warnings

import matplotlib.image
import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.ops.conv import conv2d


def read_png(path) -> np.ndarray:
    with open(path, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    image = matplotlib.image.imread(path)
    assert image[..., :3].std() > 0.02, f"{path} looks blank"
    return image


class StandInConv:
    def __init__(self, c_in: int, c_out: int) -> None:
        self.weight = tg.randn(c_out, c_in, 3, 3, requires_grad=True)
        self.bias = tg.zeros(c_out, requires_grad=True)

    def __call__(self, x):
        return conv2d(x, self.weight, self.bias, padding=1)

    def named_parameters(self):
        return [("weight", self.weight), ("bias", self.bias)]


class StandInReLU:
    def __call__(self, x):
        return x.relu()

    def named_parameters(self):
        return []


ReLU = type("ReLU", (StandInReLU,), {})   # the report recognises activations by class name


class StandInFlattenLinear:
    def __init__(self, n_in: int, n_out: int) -> None:
        self.weight = tg.randn(n_out, n_in, requires_grad=True)
        self.bias = tg.zeros(n_out, requires_grad=True)

    def __call__(self, x):
        return x.flatten(1) @ self.weight.T + self.bias

    def named_parameters(self):
        return [("weight", self.weight), ("bias", self.bias)]


class StandInSequential:
    """Just enough of nn.Sequential for the demo pictures: children, modules, parameters, call."""

    def __init__(self, *layers) -> None:
        self.layers = list(layers)

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def children(self):
        return iter(self.layers)

    def modules(self):
        return iter([self] + self.layers)

    def named_modules(self):
        return [("", self)] + [(str(i), layer) for i, layer in enumerate(self.layers)]

    def named_parameters(self):
        return [(f"{i}.{n}", p) for i, layer in enumerate(self.layers) for n, p in layer.named_parameters()]

    def parameters(self):
        return [p for _, p in self.named_parameters()]


def small_convnet():
    tg.manual_seed(0)
    return StandInSequential(StandInConv(1, 4), ReLU(), StandInFlattenLinear(4 * 8 * 8, 10))


def test_plot_curves_writes_a_png_with_one_panel_per_kind(tmp_path):
    history = {"train loss": [2.0, 1.2, 0.8, 0.5], "test loss": [2.1, 1.4, 1.0, 0.9]}
    tg.viz.plot_curves(history, tmp_path / "loss.png")
    single = read_png(tmp_path / "loss.png")
    tg.viz.plot_curves({**history, "test accuracy": [0.3, 0.6, 0.8, 0.9]}, tmp_path / "both.png")
    double = read_png(tmp_path / "both.png")
    assert single.shape[0] == 360 and single.shape[1] == 500
    assert double.shape[1] == 2 * single.shape[1]


def test_plot_curves_returns_the_figure_with_the_data_on_it():
    fig = tg.viz.plot_curves({"loss": [3.0, 2.0, 1.0]})
    (ax,) = fig.axes
    line = ax.get_lines()[0]
    assert list(line.get_xdata()) == [1, 2, 3] and list(line.get_ydata()) == [3.0, 2.0, 1.0]


def test_plot_curves_rejects_bad_history():
    with pytest.raises(ValueError, match="plot_curves: history must be a non-empty dict"):
        tg.viz.plot_curves({})
    with pytest.raises(TypeError, match=r"plot_curves: history\['loss'\] must be a list of numbers"):
        tg.viz.plot_curves({"loss": ["a", "b"]})
    with pytest.raises(ValueError, match="every list in history is empty"):
        tg.viz.plot_curves({"loss": []})


def test_image_grid_of_conv_kernels_writes_one_tile_per_kernel(tmp_path):
    kernels = tg.randn(8, 1, 3, 3)
    fig = tg.viz.image_grid(kernels, tmp_path / "kernels.png", ncols=4, title="kernels")
    read_png(tmp_path / "kernels.png")
    mosaic = fig.axes[0].get_images()[0].get_array()          # one image: the tiles with blank gaps
    np.testing.assert_allclose(np.sort(mosaic.compressed()), np.sort(kernels.numpy().ravel()), rtol=1e-6)
    bar = fig.axes[-1]                                         # one shared scale, symmetric around 0
    assert bar.get_ylim()[0] == pytest.approx(-bar.get_ylim()[1])
    assert bar.get_ylim()[1] == pytest.approx(np.abs(kernels.numpy()).max())


def test_image_grid_scale_each_stretches_every_tile_and_draws_no_colour_bar():
    tiles = np.stack([np.arange(4.0).reshape(2, 2), 10 * np.arange(4.0).reshape(2, 2)])
    fig = tg.viz.image_grid(tiles, scale_each=True)
    assert len(fig.axes) == 1
    mosaic = fig.axes[0].get_images()[0].get_array()
    np.testing.assert_allclose(mosaic[:2, :2], mosaic[:2, 3:])   # both tiles stretched to 0..1


def test_image_grids_share_one_scale_across_panels(tmp_path):
    before, after = 0.1 * np.ones((4, 3, 3)), -2.0 * np.ones((4, 3, 3))
    fig = tg.viz.image_grids({"before": before, "after": after}, tmp_path / "both.png", ncols=2)
    read_png(tmp_path / "both.png")
    images = [image for sub in fig.subfigs for ax in sub.axes for image in ax.get_images()]
    assert [image.get_clim() for image in images] == [(-2.0, 2.0)] * 2
    with pytest.raises(ValueError, match="image_grids: own_scale names"):
        tg.viz.image_grids({"a": before}, own_scale=["b"])


def test_image_grid_splits_many_channels_and_shows_three_as_colour(tmp_path):
    fig = tg.viz.image_grid(np.random.default_rng(0).random((2, 4, 5, 5)), tmp_path / "channels.png")
    assert fig.axes[0].get_images()[0].get_array().count() == 8 * 5 * 5
    rgb = tg.viz.image_grid(np.random.default_rng(0).random((2, 3, 5, 5)), tmp_path / "rgb.png")
    (mosaic,) = [ax.get_images()[0].get_array() for ax in rgb.axes if ax.get_images()]
    assert mosaic.shape[-1] == 3 and len(rgb.axes) == 1   # RGB: no colour bar
    read_png(tmp_path / "rgb.png")


def test_image_grid_rejects_shapes_that_are_not_images():
    with pytest.raises(ValueError, match=r"image_grid: expected images of shape .* got \(2, 2, 2, 2, 2\)"):
        tg.viz.image_grid(np.zeros((2, 2, 2, 2, 2)))
    with pytest.raises(ValueError, match="image_grid: got 1 titles for 2 images"):
        tg.viz.image_grid(np.zeros((2, 3, 3)), titles=["one"])


def test_decision_boundary_colours_the_plane_by_the_models_prediction(tmp_path):
    X = np.array([[-1.0, 0.0], [-0.5, 1.0], [0.5, -1.0], [1.0, 0.5]])
    y = np.array([0, 0, 1, 1])
    calls = []

    def predict(points):
        calls.append((points.shape, points.dtype))
        return (points[:, 0] > 0).float()      # class 1 right of x1 = 0

    fig = tg.viz.decision_boundary(predict, X, y, tmp_path / "boundary.png", resolution=50)
    read_png(tmp_path / "boundary.png")
    assert calls == [((2500, 2), tg.float32)]
    regions = fig.axes[0].collections[0]
    assert regions.get_array() is not None


def test_decision_boundary_shades_the_probability_of_class_1_and_draws_its_50_50_line():
    X = np.array([[-1.0, -1.0], [-0.5, 1.0], [0.5, -1.0], [1.0, 1.0]])
    fig = tg.viz.decision_boundary(lambda p: tg.cat([-p[:, :1], p[:, :1]], dim=1) * 3, X, np.array([0, 0, 1, 1]),
                                   resolution=41, class_names=["cat", "dog"], xlabel="height (cm)")
    ax, colour_bar = fig.axes
    assert colour_bar.get_ylabel() == "P(dog)" and ax.get_xlabel() == "height (cm)"
    shading, boundary = ax.collections[0], ax.collections[1]
    assert list(shading.levels[[0, -1]]) == [0.0, 1.0]              # the whole range of a probability
    line = np.concatenate(boundary.allsegs[0])
    np.testing.assert_allclose(line[:, 0], 0.0, atol=1e-6)       # the softmax says 50/50 exactly where x1 = 0
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["cat", "dog", "decision boundary (50/50)"]


def test_decision_boundary_draws_no_line_for_a_model_that_answers_the_same_everywhere():
    X = np.array([[0.0, 0.0], [1.0, 1.0]])
    fig = tg.viz.decision_boundary(lambda p: p[:, 0] * 1e-4 + 0.5, X, np.array([0, 1]), resolution=20)
    assert len(fig.axes[0].collections) == 1 + 2                    # the shading and the two classes' points
    assert "decision boundary (50/50)" not in [t.get_text() for t in fig.legends[0].get_texts()]


def test_decision_boundary_takes_argmax_of_class_scores():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.0]])
    fig = tg.viz.decision_boundary(lambda p: tg.cat([p, -p, p * 0.0], dim=1)[:, :3], X, np.array([0, 1, 2]),
                                   resolution=20)
    assert fig.axes[0].get_title() == "decision boundary"


def test_decision_boundary_rejects_bad_data():
    with pytest.raises(ValueError, match=r"decision_boundary: X must have shape \(n, 2\), got \(3,\)"):
        tg.viz.decision_boundary(lambda p: p, np.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match="X has 2 points but y has 3 labels"):
        tg.viz.decision_boundary(lambda p: p, np.zeros((2, 2)), np.zeros(3))
    with pytest.raises(ValueError, match="predict_fn returned 1 predictions for 400 points"):
        tg.viz.decision_boundary(lambda p: tg.zeros(1), np.zeros((2, 2)), np.zeros(2), resolution=20)


def test_loss_surface_draws_contours_and_the_descent_path(tmp_path):
    def loss(w1, w2):
        return (w1 - 1.0) ** 2 + 3 * (w2 + 0.5) ** 2

    w = tg.tensor([-2.0, 2.0], requires_grad=True)
    path = [tuple(w.tolist())]
    for _ in range(20):
        w.grad = None
        ((w[0] - 1.0) ** 2 + 3 * (w[1] + 0.5) ** 2).backward()
        with tg.no_grad():
            w -= 0.1 * w.grad
        path.append(tuple(w.tolist()))
    fig = tg.viz.loss_surface(loss, (-3, 3), path_points=path, path=tmp_path / "surface.png", resolution=25)
    read_png(tmp_path / "surface.png")
    descent = next(line for line in fig.axes[0].get_lines() if line.get_label() == "gradient descent")
    np.testing.assert_allclose(descent.get_xydata(), np.array(path), rtol=1e-6)
    assert descent.get_xydata()[-1] == pytest.approx([1.0, -0.5], abs=0.05)


def test_loss_surface_evaluates_the_loss_on_a_grid_of_plain_floats():
    seen = []
    tg.viz.loss_surface(lambda a, b: seen.append((a, b)) or tg.tensor(a * b), ((0, 1), (0, 2)), resolution=5)
    assert len(seen) == 25 and all(isinstance(v, float) for pair in seen for v in pair)
    assert (0.0, 0.0) in seen and (1.0, 2.0) in seen


def test_loss_surface_rejects_a_bad_range():
    with pytest.raises(ValueError, match=r"loss_surface: w_range must be \(low, high\)"):
        tg.viz.loss_surface(lambda a, b: 0.0, (1, 2, 3))


def test_missing_matplotlib_gives_an_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r'pip install "tinygrad_edu\[plot\]"'):
        tg.viz.plot_curves({"loss": [1.0]})


def test_demo_pictures_are_written_for_a_convnet(tmp_path):
    model = small_convnet()
    digit = np.zeros((8, 8), dtype=np.float32)
    digit[1:7, 3:5] = 1.0                                  # a "1"
    written = tg.viz.write_demo_pictures(model, {"train loss": [2.3, 1.0, 0.4], "test accuracy": [0.5, 0.8, 0.9]},
                                         digit, tmp_path / "out")
    names = [p.name for p in written]
    assert names[:3] == ["loss_curve.png", "conv1_kernels.png", "feature_maps.png"]
    for png in written[:3]:
        read_png(png)
    if tg.viz.dot_available():
        assert names[3:] == ["model_graph.svg", "model_graph_ops.svg"]
        assert "0.weight" in (tmp_path / "out" / "model_graph_ops.svg").read_text()
        assert "0: StandInConv" in (tmp_path / "out" / "model_graph.svg").read_text()


def test_demo_feature_maps_are_the_first_conv_layer_after_its_activation(tmp_path):
    from tinygrad_edu.viz.report import feature_maps, first_conv

    model = small_convnet()
    x = tg.randn(1, 1, 8, 8)
    conv = first_conv(model)
    assert conv is model.layers[0]
    maps = feature_maps(model, conv, x)
    np.testing.assert_allclose(maps.numpy(), conv(x).relu().numpy())


def test_demo_feature_maps_follow_an_activation_written_in_forward():
    """DigitsConvNet calls F.relu in its forward(): the maps are taken after it, not before."""
    from tinygrad_edu.models import DigitsConvNet
    from tinygrad_edu.viz.report import feature_maps

    tg.manual_seed(0)
    model = DigitsConvNet(channels=(4, 8), hidden=16)
    x = tg.randn(1, 1, 8, 8)
    maps = feature_maps(model, model.conv1, x)
    with tg.no_grad():
        raw = model.conv1(x)
    assert raw.numpy().min() < 0                              # so the test can tell the two apart
    np.testing.assert_allclose(maps.numpy(), raw.relu().numpy())


def test_demo_pictures_without_dot_write_the_dot_files_and_warn(monkeypatch, tmp_path):
    empty = tmp_path / "empty_bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.warns(UserWarning, match="apt-get install graphviz"):
        written = tg.viz.write_demo_pictures(small_convnet(), {"loss": [1.0, 0.5]}, np.ones((8, 8)), tmp_path)
    assert [p.name for p in written[3:]] == ["model_graph.dot", "model_graph_ops.dot"]
    assert all(p.read_text().startswith("digraph") for p in written[3:])


def test_demo_pictures_with_a_real_nn_convnet(tmp_path):
    from tinygrad_edu import nn

    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(4 * 4 * 4, 10))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)    # no `dot` is fine here: the .dot files are written
        written = tg.viz.write_demo_pictures(model, {"loss": [1.0, 0.5]}, np.ones((8, 8)), tmp_path)
    assert [p.name for p in written[:3]] == ["loss_curve.png", "conv1_kernels.png", "feature_maps.png"]
    for png in written[:3]:
        read_png(png)
    assert len(written) == 5


def test_demo_pictures_for_a_model_whose_forward_order_differs_from_its_registration_order(tmp_path):
    from tinygrad_edu import nn
    from tinygrad_edu.viz.report import feature_maps, first_conv

    class HeadFirst(nn.Module):
        def __init__(self):
            super().__init__()
            self.head = nn.Linear(4 * 8 * 8, 10)     # registered first, but runs last
            self.conv = nn.Conv2d(1, 4, 3, padding=1)

        def forward(self, x):
            return self.head(self.conv(x).relu().flatten(1))

    model = HeadFirst()
    x = tg.randn(1, 1, 8, 8)
    np.testing.assert_allclose(feature_maps(model, first_conv(model), x).numpy(), model.conv(x).relu().numpy())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        written = tg.viz.write_demo_pictures(model, {"loss": [1.0, 0.5]}, np.ones((8, 8)), tmp_path)
    read_png(written[2])
