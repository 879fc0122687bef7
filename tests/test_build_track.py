"""The build-it-yourself track (docs/build/): every step's engine is right, and its page is true.

Each step file is imported as a module (its example sits under `if __name__ == "__main__":`)
and its gradients are compared with tinygrad_edu's and PyTorch's on random inputs, in
float64, and with finite differences. The examples that claim something (XOR learned, digits
classified, an edge kernel learned) are run and their globals checked. The pages' code
excerpts (```text blocks) must be in their step file, and the runs they show (```console
blocks, `$ python docs/build/steps/stepNN_x.py` then its output) must match a run.
"""
from __future__ import annotations

import contextlib
import functools
import importlib.util
import io
import pathlib
import re
import runpy

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F

ROOT = pathlib.Path(__file__).parent.parent
BUILD = ROOT / "docs" / "build"
STEPS = sorted((BUILD / "steps").glob("step[0-9][0-9]_*.py"))
PAGES = sorted(BUILD.glob("[0-9][0-9]-*.md"))


@functools.cache
def step(number: int):
    """Step `number`'s file, imported as a module (its example does not run)."""
    [path] = [p for p in STEPS if p.name.startswith(f"step{number:02d}_")]
    spec = importlib.util.spec_from_file_location(f"build_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@functools.cache
def run_step(number: int) -> tuple[dict, str]:
    """Run step `number` as a script: (its globals, what it printed)."""
    [path] = [p for p in STEPS if p.name.startswith(f"step{number:02d}_")]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        result = runpy.run_path(str(path), run_name="__main__")
    return result, printed.getvalue()


def reference_grads(fn, arrays):
    """fn's value and input gradients in PyTorch and in tinygrad_edu, float64."""
    answers = []
    for make in (lambda a: torch.tensor(a, dtype=torch.float64, requires_grad=True),
                 lambda a: tg.tensor(a, dtype=tg.float64, requires_grad=True)):
        inputs = [make(a) for a in arrays]
        out = fn(*inputs)
        out.backward()
        answers.append((out.item(), [np.asarray(t.grad.detach().numpy() if isinstance(t, torch.Tensor)
                                                else t.grad.numpy()) for t in inputs]))
    return answers


def check_against_references(fn, arrays, ours_value, ours_grads):
    for value, grads in reference_grads(fn, arrays):
        assert np.isclose(ours_value, value, rtol=1e-10, atol=1e-12)
        for ours, theirs in zip(ours_grads, grads):
            np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)


# ---- the scalar engine: steps 1-4 --------------------------------------------------------

def random_scalars(seed, n=3):
    rng = np.random.default_rng(seed)
    return [float(v) for v in rng.uniform(0.5, 2.0, n) * rng.choice([-1, 1], n)]


@pytest.mark.parametrize("seed", range(5))
def test_step01_hand_called_backward_steps_match_torch_and_tinygrad_edu(seed):
    Value = step(1).Value
    a, b, c = (Value(v) for v in random_scalars(seed))
    d = a * b
    e = d + c
    f = e * a                    # a is used twice
    f.grad = 1.0
    for node in (f, e, d):       # by hand, each after everything that used it
        node.backward_step()
    check_against_references(lambda a, b, c: (a * b + c) * a, random_scalars(seed), f.data,
                             [a.grad, b.grad, c.grad])


@pytest.mark.parametrize("seed", range(5))
def test_step02_backward_orders_the_graph_and_sums_gradients_that_meet(seed):
    Value = step(2).Value
    x, y, z = (Value(v) for v in random_scalars(seed))
    f = (x * x * y + y) * (z + x) + z * z
    f.backward()
    check_against_references(lambda x, y, z: (x * x * y + y) * (z + x) + z * z, random_scalars(seed), f.data,
                             [x.grad, y.grad, z.grad])


def test_step02_backward_walks_a_chain_deeper_than_the_recursion_limit():
    Value = step(2).Value
    x = Value(1.0)
    total = x
    for _ in range(20_000):
        total = total + x
    total.backward()
    assert x.grad == 20_001


def every_scalar_op(a, b, c):
    """Each op of step 3, with numbers on both sides; the same code runs on torch and tg tensors."""
    return (((a * b - c / a) ** 2 + (0.5 * a).exp() - 1 + b.tanh() * c.sigmoid() + (a - b).relu())
            / (1 + c * c) + 2 / b - (3 - a) * 0.25)


@pytest.mark.parametrize("number", [3, 4])
@pytest.mark.parametrize("seed", range(5))
def test_steps03_04_every_op_matches_torch_and_tinygrad_edu(number, seed):
    Value = step(number).Value
    a, b, c = (Value(v) for v in random_scalars(seed))
    if number == 3:
        f = every_scalar_op(a, b, c)
        reference = every_scalar_op
    else:   # step 4 keeps what XOR needs: + * ** - / tanh sigmoid, numbers on the right or added
        def reference(a, b, c):
            return (a * b - c / a) ** 2 + b.tanh() * c.sigmoid() + 1 + (a - 2) * 0.5
        f = reference(a, b, c)
    f.backward()
    check_against_references(reference, random_scalars(seed), f.data, [a.grad, b.grad, c.grad])


def test_step03_sigmoid_does_not_overflow_at_large_inputs():
    Value = step(3).Value
    for x, expected in ((-1000.0, 0.0), (1000.0, 1.0)):
        v = Value(x)
        s = v.sigmoid()
        s.backward()
        assert s.data == expected and v.grad == 0.0


def test_step04_learns_xor():
    result, printed = run_step(4)
    assert result["correct"] == 4, printed
    assert all((p > 0.5) == (t == 1) for p, t in zip(result["probabilities"], result["targets"]))
    assert result["loss"].data < 0.05


# ---- the tensor engine: steps 5-9 --------------------------------------------------------

def finite_difference_check(fn, arrays, grads, eps=1e-6):
    """Central differences in float64, element by element: the referee that needs no library."""
    for i, array in enumerate(arrays):
        numeric = np.zeros_like(array)
        for index in np.ndindex(array.shape):
            up, down = [a.copy() for a in arrays], [a.copy() for a in arrays]
            up[i][index] += eps
            down[i][index] -= eps
            numeric[index] = (fn(*up) - fn(*down)) / (2 * eps)
        np.testing.assert_allclose(grads[i], numeric, rtol=1e-5, atol=1e-7)


def check_tensor_step(number, fn, arrays):
    """fn on the step's Tensors against torch, tinygrad_edu and finite differences."""
    Tensor = step(number).Tensor
    make = (lambda a: Tensor(a, requires_grad=True)) if number >= 7 else Tensor   # requires_grad: step 7
    inputs = [make(a) for a in arrays]
    out = fn(*inputs)
    out.backward()
    grads = [t.grad for t in inputs]
    check_against_references(fn, arrays, out.array.item(), grads)
    finite_difference_check(lambda *a: fn(*[Tensor(x) for x in a]).array.item(), arrays, grads)


def away_from_zero(rng, shape):
    return np.asarray(rng.uniform(0.5, 1.5, shape) * rng.choice([-1.0, 1.0], shape))


@pytest.mark.parametrize("seed", range(3))
def test_step05_tensor_ops_match_torch_tinygrad_edu_and_finite_differences(seed):
    rng = np.random.default_rng(seed)
    a, b, c = (away_from_zero(rng, (3, 4)) for _ in range(3))
    m = rng.normal(size=(4, 2))

    def fn(a, b, c, m):
        return (a * b - c / a + (-b) ** 2).relu().sum() + (a @ m).exp().sum()
    Tensor = step(5).Tensor
    inputs = [Tensor(x) for x in (a, b, c, m)]
    out = fn(*inputs)
    out.backward()
    grads = [t.grad for t in inputs]
    check_against_references(fn, [a, b, c, m], out.array.item(), grads)
    finite_difference_check(lambda *xs: fn(*[Tensor(x) for x in xs]).array.item(), [a, b, c, m], grads)


def test_step05_refuses_shapes_that_would_broadcast_and_names_the_op():
    Tensor = step(5).Tensor
    with pytest.raises(ValueError, match=r"add: shapes \(2, 3\) and \(3,\) differ"):
        Tensor(np.ones((2, 3))) + Tensor(np.ones(3))
    with pytest.raises(ValueError, match=r"matmul: cannot multiply shapes \(2, 3\) and \(2, 3\)"):
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"backward: .*shape \(2, 3\)"):
        Tensor(np.ones((2, 3))).exp().backward()


BROADCAST_SHAPES = [((2, 3, 4), (3, 1), (4,)), ((3, 1), (1, 4), ()), ((4,), (2, 1, 4), (1, 1, 1))]


@pytest.mark.parametrize("shapes", BROADCAST_SHAPES, ids=str)
def test_step06_broadcasting_gradients_are_summed_back_to_each_shape(shapes):
    rng = np.random.default_rng(len(shapes[0]))
    arrays = [away_from_zero(rng, s) for s in shapes]

    def fn(a, b, c):
        y = ((a * b + c) / (b * b + 1) - 2 * a).relu() + (3 - c).exp() * 0.1 + 1 / a
        return y.sum(axis=-1, keepdims=True).mean() + y.mean(axis=0).sum()
    check_tensor_step(6, fn, arrays)


def test_step06_matmul_with_a_broadcast_bias():
    rng = np.random.default_rng(1)
    x, w, bias = rng.normal(size=(5, 3)), rng.normal(size=(3, 4)), rng.normal(size=(4,))
    check_tensor_step(6, lambda x, w, b: ((x @ w + b).relu() * 2).sum(axis=0).mean(), [x, w, bias])


@pytest.mark.parametrize("shapes", BROADCAST_SHAPES, ids=str)
def test_step07_keeps_step6s_gradients(shapes):
    rng = np.random.default_rng(7)
    arrays = [away_from_zero(rng, s) for s in shapes]
    check_tensor_step(7, lambda a, b, c: ((a * b + c) * a + c * -1.0).relu().sum(axis=0).mean() + (a * 0.5).sum(),
                      arrays)


def test_step07_data_gets_no_gradient_and_no_grad_records_nothing():
    s = step(7)
    x = s.Tensor([[1.0, -2.0], [3.0, 4.0]])
    w = s.Tensor([[0.5], [-1.0]], requires_grad=True)
    y = x * 2.0 + 1.0
    assert not y.requires_grad and y.inputs == ()            # made from data only
    loss = (x @ w + 1.0).relu().sum()
    loss.backward()
    assert x.grad is None and w.grad is not None
    with s.no_grad():
        unrecorded = (x @ w).relu().sum()
    assert not unrecorded.requires_grad and unrecorded.inputs == () and unrecorded._backward is None
    assert (x @ w).requires_grad                              # recording is back on after the block
    with pytest.raises(RuntimeError, match="backward: nothing"):
        unrecorded.backward()
    with pytest.raises(ZeroDivisionError), s.no_grad():
        1 / 0
    assert (x @ w).requires_grad                              # ... even after an error inside it


@pytest.mark.parametrize("seed", range(3))
def test_step08_cross_entropy_matches_torch_and_tinygrad_edu(seed):
    rng = np.random.default_rng(seed)
    x, w, b = rng.normal(size=(6, 5)), rng.normal(size=(5, 4)), rng.normal(size=(4,))
    labels = rng.integers(0, 4, 6)
    Tensor = step(8).Tensor
    ours = [Tensor(a, requires_grad=True) for a in (x, w, b)]
    loss = ((ours[0] @ ours[1] + ours[2]).relu() @ Tensor(np.eye(4)) + ours[2]).cross_entropy(labels)
    loss.backward()
    for lib, cross_entropy, make in ((torch, torch.nn.functional.cross_entropy, torch.tensor), (tg, F.cross_entropy, tg.tensor)):
        theirs = [make(a, dtype=lib.float64, requires_grad=True) for a in (x, w, b)]
        ref = cross_entropy((theirs[0] @ theirs[1] + theirs[2]).relu() @ make(np.eye(4), dtype=lib.float64)
                            + theirs[2], make(labels))
        ref.backward()
        assert np.isclose(loss.array, ref.item(), rtol=1e-12)
        for o, t in zip(ours, theirs):
            np.testing.assert_allclose(o.grad, t.grad.numpy(), rtol=1e-9, atol=1e-12)
    scores = Tensor(x @ w, requires_grad=True)
    scores.cross_entropy(labels).backward()
    finite_difference_check(lambda s: Tensor(s).cross_entropy(labels).array.item(), [x @ w], [scores.grad])


def test_step08_cross_entropy_is_stable_for_huge_scores():
    Tensor = step(8).Tensor
    scores = Tensor([[1000.0, 0.0, -1000.0]], requires_grad=True)
    loss = scores.cross_entropy(np.array([1]))
    loss.backward()
    assert np.isclose(loss.array, 1000.0) and np.allclose(scores.grad, [[1.0, -1.0, 0.0]])


def test_step08_classifies_the_digits_as_its_page_says():
    result, printed = run_step(8)
    assert result["accuracy"] >= 0.95, printed      # the page states "about 96%"
    assert len(result["test"]) == 297 and not set(result["test"]) & set(result["train"])


CONV_CASES = [  # (x shape, w shape, stride, padding)
    ((2, 3, 7, 6), (4, 3, 3, 2), 1, 0),
    ((2, 3, 7, 6), (4, 3, 3, 3), 2, 1),
    ((1, 1, 8, 8), (2, 1, 3, 3), 3, 2),
]


@pytest.mark.parametrize("xs, ws, stride, padding", CONV_CASES)
def test_step09_conv2d_equals_torch_forward_and_backward(xs, ws, stride, padding):
    rng = np.random.default_rng(sum(xs) + stride)
    x, w = rng.normal(size=xs), rng.normal(size=ws)
    s = step(9)
    X, W = s.Tensor(x, requires_grad=True), s.Tensor(w, requires_grad=True)
    out = s.conv2d(X, W, stride=stride, padding=padding)
    upstream = rng.normal(size=out.array.shape)      # a random upstream gradient checks every entry
    (out * s.Tensor(upstream)).sum().backward()
    tx, tw = (torch.tensor(a, requires_grad=True) for a in (x, w))
    expected = torch.nn.functional.conv2d(tx, tw, stride=stride, padding=padding)
    (expected * torch.tensor(upstream)).sum().backward()
    np.testing.assert_allclose(out.array, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(X.grad, tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(W.grad, tw.grad.numpy(), rtol=1e-10, atol=1e-12)
    gx, gw = (tg.tensor(a, dtype=tg.float64, requires_grad=True) for a in (x, w))
    (F.conv2d(gx, gw, stride=stride, padding=padding) * tg.tensor(upstream)).sum().backward()
    np.testing.assert_allclose(X.grad, gx.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(W.grad, gw.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_step09_conv2d_passes_finite_differences():
    rng = np.random.default_rng(9)
    x, w, upstream = rng.normal(size=(1, 2, 5, 4)), rng.normal(size=(2, 2, 2, 3)), rng.normal(size=(1, 2, 3, 2))
    Tensor, conv2d = step(9).Tensor, step(9).conv2d

    def fn(x, w):
        return (conv2d(x, w, stride=2, padding=1) * Tensor(upstream)).sum()
    X, W = Tensor(x, requires_grad=True), Tensor(w, requires_grad=True)
    fn(X, W).backward()
    finite_difference_check(lambda x, w: fn(Tensor(x), Tensor(w)).array.item(), [x, w], [X.grad, W.grad])


def test_step09_conv2d_names_itself_and_the_shapes_on_bad_input():
    Tensor, conv2d = step(9).Tensor, step(9).conv2d
    with pytest.raises(ValueError, match=r"conv2d: .*\(1, 2, 5, 5\) and \(1, 3, 3, 3\)"):
        conv2d(Tensor(np.ones((1, 2, 5, 5))), Tensor(np.ones((1, 3, 3, 3))))
    with pytest.raises(ValueError, match=r"conv2d: .*\(5, 5\)"):
        conv2d(Tensor(np.ones((5, 5))), Tensor(np.ones((1, 1, 3, 3))))


def test_step09_learns_the_edge_kernel():
    result, printed = run_step(9)
    np.testing.assert_allclose(result["w"].array, result["edge"].array, atol=0.02, err_msg=printed)


# ---- the files and the pages ------------------------------------------------------------

def test_there_are_at_least_eight_steps_each_a_short_file_that_says_what_is_new():
    assert len(STEPS) >= 8
    for number, path in enumerate(STEPS, start=1):
        text = path.read_text(encoding="utf-8")
        assert path.name.startswith(f"step{number:02d}_")
        assert len(text.splitlines()) <= 110, f"{path.name} has {len(text.splitlines())} lines"
        assert text.startswith(f'"""Step {number}: ') and "New in this step" in text, path.name


def test_every_step_has_a_page_that_links_its_file_and_the_real_engine():
    for path in STEPS:
        number = path.name[4:6]
        [page] = [p for p in PAGES if p.name.startswith(number + "-")]
        text = page.read_text(encoding="utf-8")
        assert f"(steps/{path.name})" in text, f"{page.name} does not link steps/{path.name}"
        assert "](../../tinygrad_edu/" in text, f"{page.name} does not link the real engine"
        assert "What the real engine does" in text, page.name
    index = (BUILD / "README.md").read_text(encoding="utf-8")
    assert all(f"({p.name})" in index for p in PAGES)


FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_code_excerpts_on_a_page_are_in_its_step_file(page):
    """A ```text block on a step's page shows lines of that step's file, in order (`...` skips)."""
    step_files = [p for p in STEPS if p.name[4:6] == page.name[:2]]
    if not step_files:
        return
    source = step_files[0].read_text(encoding="utf-8").splitlines()
    for info, body in FENCE.findall(page.read_text(encoding="utf-8")):
        if info.strip() != "text":
            continue
        position = 0
        for line in body.rstrip("\n").splitlines():
            if line.strip() == "...":
                continue
            try:
                position = source.index(line, position) + 1
            except ValueError:
                pytest.fail(f"{page.name}: excerpt line not in {step_files[0].name} (in order): {line!r}")


def matches(expected: str, printed: str) -> bool:
    """Doctest-style: `...` matches any text (across lines too); trailing whitespace is ignored."""
    def tidy(text):
        return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())
    pattern = ".*?".join(re.escape(part) for part in tidy(expected).split("..."))
    return re.fullmatch(pattern, tidy(printed), re.DOTALL) is not None


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_printed_output_on_a_page_is_what_its_step_prints(page):
    """A ```console block `$ python docs/build/steps/stepNN_x.py` shows what that step prints."""
    runs = [(re.fullmatch(r"\$ python docs/build/steps/step(\d\d)_\w+\.py", body.split("\n", 1)[0]), body)
            for info, body in FENCE.findall(page.read_text(encoding="utf-8")) if info.strip() == "console"]
    if page.name[:2] != "10":
        assert runs, f"{page.name} does not show what its step prints"
    for command, body in runs:
        assert command, f"{page.name}: a console block must start with '$ python docs/build/steps/stepNN_x.py'"
        _, printed = run_step(int(command.group(1)))
        expected = body.split("\n", 1)[1]
        assert matches(expected, printed), f"{page.name}: expected\n{expected}\ngot\n{printed}"
