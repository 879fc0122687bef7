"""Indexing against PyTorch: `t[index]` follows PyTorch's rules (not NumPy's), with gradients,
and `prepare_setitem` / `IndexPut` write `t[index] = value` as PyTorch does.

The property tests draw random index expressions (ints, slices, None, `...`, lists, integer
tensors, bool masks, True/False) on random shapes and compare shape, values, gradient and
view-or-copy with PyTorch; the explicit tests below them pin each rule down one by one.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tinygrad_edu as tg
from tests.oracle import check_against_torch, finite_difference_check
from tinygrad_edu import Tensor, backend
from tinygrad_edu.ops.indexing import Getitem, IndexPut, prepare_setitem

# PyTorch warns that it reads a list holding a slice or a tensor as a tuple; it still does, and so do we.
pytestmark = pytest.mark.filterwarnings("ignore:Using a non-tuple sequence for multidimensional indexing")


def same(fn):
    """The same code runs on both frameworks."""
    return fn, fn


CASES = [
    ("getitem_int", *same(lambda x: x[1]), [(3, 4)]),
    ("getitem_negative_int", *same(lambda x: x[-1]), [(3, 4)]),
    ("getitem_element_gives_0d", *same(lambda x: x[1, 2]), [(3, 4)]),
    ("getitem_slice", *same(lambda x: x[1:]), [(3, 4)]),
    ("getitem_slice_step", *same(lambda x: x[::2, 1::2]), [(5, 4)]),
    ("getitem_column", *same(lambda x: x[:, 1]), [(3, 4)]),
    ("getitem_ellipsis", *same(lambda x: x[..., 0]), [(2, 3, 4)]),
    ("getitem_none", *same(lambda x: x[None, :, None]), [(3,)]),
    ("getitem_0d_ellipsis", *same(lambda x: x[...]), [()]),
    ("getitem_int_list", *same(lambda x: x[[0, 2, 1]]), [(3, 4)]),
    ("getitem_repeated_indices", *same(lambda x: x[[0, 2, 0, 0]]), [(3, 4)]),
    ("getitem_two_int_lists", *same(lambda x: x[[0, 1, 1], [2, 0, 2]]), [(3, 4)]),
    ("getitem_slice_and_int_list", *same(lambda x: x[:, [3, 3, 1]]), [(3, 4)]),
    ("getitem_int_list_and_slice", *same(lambda x: x[[1, 1], 1:3]), [(3, 4)]),
    ("getitem_2d_int_array", lambda x: x[np.array([[0, 1], [1, 1]])],
     lambda x: x[torch.tensor([[0, 1], [1, 1]])], [(3, 2)]),
    ("getitem_bool_mask", *same(lambda x: x[x > 0]), [(3, 4)]),
    ("getitem_bool_rows", lambda x: x[np.array([True, False, True])],
     lambda x: x[torch.tensor([True, False, True])], [(3, 4)]),
    ("getitem_repeated_then_squared", *same(lambda x: (x * x)[[1, 1, 0]] * x[[0, 1, 1]]), [(3,)]),
    # PyTorch's own rules, where NumPy differs
    ("getitem_int_then_list_across_a_slice", *same(lambda x: x[0, :, [0, 1, 1]]), [(2, 3, 4)]),
    ("getitem_lists_around_an_int", *same(lambda x: x[:, [0, 1], 0, [1, 2]]), [(2, 3, 4, 3)]),
    ("getitem_nested_list_is_a_tuple", *same(lambda x: x[[[0, 1]]] * x[[[1], [0]]]), [(2, 3)]),
    ("getitem_true_and_a_list", *same(lambda x: x[:, True, [0, 2]]), [(2, 3)]),
    ("getitem_mask_and_int", *same(lambda x: x[1, x[0] > 0]), [(2, 3, 4)]),
]


@pytest.mark.parametrize("name, ours, theirs, shapes", CASES, ids=[c[0] for c in CASES])
def test_indexing_values_gradients_and_second_derivatives_match_torch(name, ours, theirs, shapes, device):
    check_against_torch(ours, theirs, shapes, device=device, double=True)


FD_CASES = [c for c in CASES if c[0] not in ("getitem_bool_mask", "getitem_mask_and_int")]   # the masks move


@pytest.mark.parametrize("name, ours, theirs, shapes", FD_CASES, ids=[c[0] for c in FD_CASES])
def test_indexing_gradients_match_finite_differences(name, ours, theirs, shapes):
    finite_difference_check(ours, shapes)


# ---- random index expressions against PyTorch ----------------------------------------------

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None,
                             suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

DIMS_USED = {"int": 1, "slice": 1, "list": 1, "tensor": 1, "tensor_0d": 1, "none": 0, "ellipsis": 0, "bool": 0}


@st.composite
def indexed_tensors(draw):
    """A shape and an index for it: (shape, describe(framework) -> index, text). Most indexes are
    valid; a few (lists that do not broadcast, False next to a list) must fail like PyTorch's."""
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=0, max_size=4)))
    ndim = len(shape)
    length = draw(st.integers(1, 3))   # of every list and integer tensor, so that they broadcast
    kinds, budget = [], ndim
    for _ in range(draw(st.integers(1, ndim + 2))):
        allowed = ["none", "bool"] + (["ellipsis"] if all(k != "ellipsis" for k, _ in kinds) else [])
        if budget:
            allowed += ["int", "slice", "slice", "list", "tensor", "tensor_0d", "mask"]
        kind = draw(st.sampled_from(allowed))
        used = draw(st.integers(1, min(2, budget))) if kind == "mask" else DIMS_USED[kind]
        kinds.append((kind, used))
        budget -= used
    if any(kind == "mask" for kind, _ in kinds):
        length = 1   # a mask picks any number of elements; lists of one broadcast with that
    # which dim each part indexes: `...` stands for the dims the others leave
    dims, dim = [], 0
    for kind, used in kinds:
        dims.append(dim)
        dim += budget if kind == "ellipsis" else used
    parts = []   # (kind, data): data is the same plain Python or NumPy value for both frameworks
    for (kind, used), d in zip(kinds, dims):
        n = shape[d] if d < ndim else 1
        position = st.integers(-n, n - 1)
        if kind == "int":
            parts.append((kind, draw(position)))
        elif kind == "slice":
            bound = st.none() | st.integers(-n - 2, n + 2)
            parts.append((kind, slice(draw(bound), draw(bound), draw(st.none() | st.integers(1, 3)))))
        elif kind == "list":
            parts.append((kind, draw(st.lists(position, min_size=length, max_size=length))))
        elif kind == "tensor":
            rows = draw(st.sampled_from([(), (2,)]))
            parts.append((kind, np.array(draw(st.lists(position, min_size=2 * length, max_size=2 * length)))
                          [:int(np.prod(rows + (length,)))].reshape(rows + (length,))))
        elif kind == "tensor_0d":
            parts.append((kind, np.array(draw(position))))
        elif kind == "mask":
            size = int(np.prod(shape[d:d + used]))
            parts.append((kind, np.array(draw(st.lists(st.booleans(), min_size=size, max_size=size)))
                          .reshape(shape[d:d + used])))
        elif kind == "bool":
            parts.append((kind, draw(st.booleans())))
        else:
            parts.append((kind, None if kind == "none" else Ellipsis))
    container = draw(st.sampled_from(["tuple", "list", "bare"] if len(parts) == 1 else ["tuple", "list"]))

    def describe(make_tensor):
        made = [make_tensor(data) if kind in ("tensor", "tensor_0d", "mask") else data for kind, data in parts]
        return made[0] if container == "bare" else tuple(made) if container == "tuple" else list(made)
    text = f"{container} of " + ", ".join(f"{kind}={data!r}" for kind, data in parts)
    return shape, describe, text


def _torch_index(describe):
    return describe(torch.tensor)


def _our_index(describe, device):
    return describe(lambda data: Tensor(data, device=device))


def _torch_or_error(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return fn(), None
        except Exception as e:   # noqa: BLE001 — any error of PyTorch's must be ours too
            return None, e


@PROPERTY_SETTINGS
@given(case=indexed_tensors(), seed=st.integers(0, 2**16))
def test_random_index_expressions_match_torch_in_shape_values_gradient_and_view(case, seed, device):
    shape, describe, text = case
    rng = np.random.default_rng(seed)
    values = rng.standard_normal(shape)
    theirs = torch.tensor(values, requires_grad=True)
    expected, error = _torch_or_error(lambda: theirs[_torch_index(describe)])
    ours = Tensor(values, device=device, requires_grad=True)
    if error is not None:
        with pytest.raises(type(error)):
            ours[_our_index(describe, device)]
        return
    picked = ours[_our_index(describe, device)]
    assert picked.shape == tuple(expected.shape), text
    np.testing.assert_array_equal(picked.numpy(), expected.detach().numpy(), err_msg=text)
    weights = rng.standard_normal(tuple(expected.shape))
    (expected * torch.tensor(weights)).sum().backward()
    (picked * Tensor(weights, device=device)).sum().backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-12, atol=0, err_msg=text)
    if device == "cpu" and expected.numel():   # a view exactly where PyTorch gives one
        assert np.shares_memory(picked.numpy(), ours.numpy()) == (expected._base is not None), text


@PROPERTY_SETTINGS
@given(case=indexed_tensors(), seed=st.integers(0, 2**16), broadcast=st.booleans())
def test_random_setitem_matches_torch_in_values_and_gradients(case, seed, broadcast, device):
    shape, describe, text = case
    rng = np.random.default_rng(seed)
    base = rng.standard_normal(shape)
    selected, error = _torch_or_error(lambda: torch.tensor(base)[_torch_index(describe)])
    t = Tensor(base, device=device)
    if error is not None:
        with pytest.raises(type(error)):
            prepare_setitem(t, _our_index(describe, device), 1.0)
        return
    positions = torch.arange(int(np.prod(shape))).reshape(shape)[_torch_index(describe)]
    repeats = positions.numel() != positions.unique().numel()
    # where a place is written twice, which value wins is not defined: write one value everywhere
    value_shape = () if repeats else tuple(selected.shape)[1:] if broadcast else tuple(selected.shape)
    value = rng.standard_normal(value_shape)
    written = torch.tensor(base)
    written[_torch_index(describe)] = torch.tensor(value)
    array_index, value_array = prepare_setitem(t, _our_index(describe, device), value)
    assert value_array.shape == tuple(selected.shape), text
    ours = t.array.copy()
    ours[array_index] = value_array
    np.testing.assert_array_equal(np.asarray(ours), written.numpy(), err_msg=text)

    # the same write, recorded: gradients for the tensor and for the value
    x, v = torch.tensor(base, requires_grad=True), torch.tensor(value, requires_grad=True)
    out = x.clone()
    out[_torch_index(describe)] = v
    weights = rng.standard_normal(shape)
    (out * torch.tensor(weights)).sum().backward()
    our_x, our_v = Tensor(base, device=device, requires_grad=True), Tensor(value, device=device, requires_grad=True)
    our_out = IndexPut.apply(our_x, our_v, index=array_index)
    np.testing.assert_array_equal(our_out.numpy(), out.detach().numpy(), err_msg=text)
    (our_out * Tensor(weights, device=device)).sum().backward()
    np.testing.assert_allclose(our_x.grad.numpy(), x.grad.numpy(), rtol=1e-12, atol=0, err_msg=text)
    their_v_grad = np.zeros(value_shape) if v.grad is None else v.grad.numpy()   # x[False] = v leaves v out
    np.testing.assert_allclose(our_v.grad.numpy(), their_v_grad, rtol=1e-12, atol=1e-12, err_msg=text)


# ---- 1. ints are applied first, as a view; then the lists --------------------------------

MIXED = [
    ("int_list_across_a_slice", (2, 3, 4), lambda: (0, slice(None), [0, 1])),
    ("lists_around_an_int", (2, 3, 4, 3), lambda: (slice(None), [0, 1], 0, [1, 2])),
    ("int_between_lists", (2, 3, 4), lambda: ([0, 1], 0, [1, 2])),
    ("list_slice_int", (2, 3, 4), lambda: ([0, 1], slice(None), 0)),
    ("lists_across_none", (2, 3, 4), lambda: (slice(None), [0, 1], None, [0, 1])),
    ("mask_slice_list", (2, 3, 4), lambda: (np.array([True, False]), slice(None), [0, 1])),
    ("int_and_2d_mask", (2, 3, 4), lambda: (0, np.ones((3, 4), dtype=bool))),
    ("true_across_a_slice", (2, 3, 4), lambda: ([0, 1], slice(None), True)),
    ("zero_d_tensor_as_int", (2, 3, 4), lambda: (np.array(0), slice(None), [0, 1])),
]


@pytest.mark.parametrize("name, shape, make_index", MIXED, ids=[m[0] for m in MIXED])
def test_ints_lists_and_masks_together_give_torchs_shape_and_values(name, shape, make_index, device):
    values = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)

    def convert(part, framework):
        return framework(part) if isinstance(part, np.ndarray) else part
    expected = torch.tensor(values)[tuple(convert(p, torch.tensor) for p in make_index())]
    ours = Tensor(values, device=device)[tuple(convert(p, lambda a: Tensor(a, device=device)) for p in make_index())]
    assert ours.shape == tuple(expected.shape)
    np.testing.assert_array_equal(ours.numpy(), expected.numpy())


def test_an_int_next_to_a_list_follows_torch_not_numpy():
    x = tg.zeros(2, 3, 4)
    assert x[0, :, [0, 1]].shape == (3, 2) == tuple(torch.zeros(2, 3, 4)[0, :, [0, 1]].shape)
    assert np.zeros((2, 3, 4))[0, :, [0, 1]].shape == (2, 3)   # NumPy reads the 0 as a list too


# ---- 2. lists read as PyTorch reads them ---------------------------------------------------

LISTS = [
    ("nested_list", lambda t: [[0]]),
    ("list_with_a_tensor", lambda t: [t([0, 1]), 1]),
    ("list_of_one_tensor", lambda t: [t([1, 0])]),
    ("list_with_a_slice", lambda t: [0, slice(1, None)]),
    ("list_with_none", lambda t: [0, None]),
    ("list_of_lists", lambda t: [[0, 1], [1, 0]]),
    ("list_of_ints", lambda t: [1, 0, 1]),
    ("list_of_bools", lambda t: [True, False]),
    ("empty_list", lambda t: []),
    ("long_nested_list", lambda t: [[0]] * 40),      # 32 items or more: one index, not a tuple
    ("float_list", lambda t: [1.7, 0.2]),            # PyTorch cuts floats in lists to integers
    ("zero_d_tensors_in_a_list", lambda t: ([t(1), t(0)],)),
    ("range", lambda t: range(2)),
]


@pytest.mark.parametrize("name, make_index", LISTS, ids=[c[0] for c in LISTS])
def test_lists_are_read_as_torch_reads_them(name, make_index, device):
    values = np.arange(24.0).reshape(2, 3, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = torch.tensor(values)[make_index(torch.tensor)]
    ours = Tensor(values, device=device)[make_index(lambda a: Tensor(a, device=device))]
    assert ours.shape == tuple(expected.shape)
    np.testing.assert_array_equal(ours.numpy(), expected.numpy())


def test_nested_lists_and_lists_holding_tensors():
    x = tg.zeros(2, 3, 4)
    t = Tensor([0, 1])
    assert x[[[0]]].shape == (1, 3, 4)
    assert x[[t, 1]].shape == (2, 4)        # x[t, 1]
    assert x[[t]].shape == (2, 3, 4)        # x[t]
    with pytest.raises(TypeError, match="getitem: only integer tensors of a single element"):
        x[([t, t],)]


# ---- 3. steps -------------------------------------------------------------------------------

@pytest.mark.parametrize("step", [-1, -2])
def test_negative_steps_are_refused_like_torch(step, device):
    x = tg.ones(4, device=device)
    with pytest.raises(ValueError, match="step must be greater than zero"):
        torch.ones(4)[::step]
    with pytest.raises(ValueError, match="getitem: step must be greater than zero"):
        x[::step]
    with pytest.raises(ValueError, match="setitem: step must be greater than zero"):
        prepare_setitem(x, slice(None, None, step), 0.0)


def test_a_zero_step_is_refused():
    with pytest.raises(ValueError, match="getitem: slice step cannot be zero"):
        tg.ones(4)[::0]


# ---- 4. basic indexing gives views, advanced indexing copies ---------------------------------

def test_an_element_is_a_view_that_writes_through(device):
    y = Tensor([0.0, 1.0, 2.0, 3.0, 4.0], device=device)
    e = y[1]
    assert e.shape == ()
    e += 10
    assert y.tolist() == [0.0, 11.0, 2.0, 3.0, 4.0]
    y[Tensor(2, device=device)] += 10   # a tensor without dims reads as an int: a view too
    y[2:4][1] += 100
    assert y.tolist() == [0.0, 11.0, 12.0, 103.0, 4.0]


VIEWS = [
    ("int", 1, True), ("element", (1, 2), True), ("element_ellipsis", (1, 2, Ellipsis), True),
    ("slice", slice(0, 2), True), ("none", (None, 0), True), ("empty_tuple", (), True),
    ("list", [1], False), ("mask", np.array([True, False, True]), False), ("true", True, False),
]


@pytest.mark.parametrize("name, index, is_view", VIEWS, ids=[v[0] for v in VIEWS])
def test_views_exactly_where_torch_gives_them(name, index, is_view):
    values = np.arange(12.0).reshape(3, 4)
    expected = torch.tensor(values)[torch.tensor(index) if isinstance(index, np.ndarray) else index]
    assert (expected._base is not None) == is_view
    x = Tensor(values)
    picked = x[Tensor(index) if isinstance(index, np.ndarray) else index]
    assert np.shares_memory(picked.numpy(), x.numpy()) == is_view
    assert is_view or picked.array.base is None   # a copy owns its memory (how views are told apart)


def test_getitem_says_it_makes_views():
    assert Getitem.is_view is True


# ---- 5. errors --------------------------------------------------------------------------------

@pytest.mark.parametrize("index, error, match", [
    (5, IndexError, r"getitem: index 5 is out of range for dim 0 of size 2"),
    ((0, -4), IndexError, r"getitem: index -4 is out of range for dim 1 of size 3"),
    ((slice(None), [0, 3]), IndexError, r"getitem: index 3 is out of range for dim 1 of size 3"),
    ((0, 0, 0), IndexError, r"getitem: too many indices for a tensor of shape \(2, 3\)"),
    (1.0, IndexError, r"getitem: only integers, slices .* are valid indices \(got float\)"),
    ("a", IndexError, r"getitem: only integers, slices .* are valid indices \(got str\)"),
    ((Ellipsis, 0, Ellipsis), IndexError, r"getitem: an index can only have a single ellipsis"),
    (([0, 1], [0, 1, 2]), IndexError, r"getitem: shape mismatch: .* shapes \(2,\), \(3,\)"),
    (np.array([True, False, True]), IndexError,
     r"getitem: the mask of shape \(3,\) does not match dim 0 of the tensor, of shape \(2,\)"),
    (slice(0.5, None), TypeError, r"getitem: slice indices must be integers or None, got float"),
], ids=["int", "negative_int", "list", "too_many", "float", "str", "two_ellipses", "no_broadcast",
        "mask_shape", "float_slice"])
def test_bad_indices_are_clear_errors(index, error, match, device):
    x = tg.ones(2, 3, device=device)
    if isinstance(index, np.ndarray):
        index = Tensor(index, device=device)
    with pytest.raises(error, match=match):
        x[index]


def test_a_float_tensor_index_is_an_error_and_a_0d_tensor_takes_no_index():
    with pytest.raises(IndexError, match="getitem: tensors used as indices must be integer or bool, got float32"):
        tg.ones(3)[Tensor([0.0])]
    with pytest.raises(IndexError, match="getitem: too many indices for a tensor of shape"):
        tg.tensor(1.0)[0]


# ---- gradients --------------------------------------------------------------------------------

def test_integer_array_indexing_adds_up_gradients_of_repeated_indices(device):
    x = Tensor([10.0, 20.0, 30.0], device=device, requires_grad=True)
    index = Tensor([0, 2, 0, 0], device=device)
    x[index].sum().backward()
    assert x.grad.tolist() == [3.0, 0.0, 1.0]


def test_repeated_index_pairs_in_two_dims_add_up(device):
    x = tg.zeros(2, 3, device=device, requires_grad=True)
    rows, cols = Tensor([1, 1, 0], device=device), Tensor([2, 2, 0], device=device)
    x[rows, cols].backward(Tensor([1.0, 2.0, 4.0], device=device))
    assert x.grad.tolist() == [[4.0, 0.0, 0.0], [0.0, 0.0, 3.0]]


def test_tensor_indices_give_the_same_result_as_lists(device):
    x = Tensor(np.arange(12.0).reshape(3, 4), device=device, requires_grad=True)
    by_tensor = x[Tensor([2, 0], device=device), 1:]
    by_list = x[[2, 0], 1:]
    assert by_tensor.tolist() == by_list.tolist() == [[9.0, 10.0, 11.0], [1.0, 2.0, 3.0]]


def test_bool_mask_indexing_sends_gradient_only_to_selected_elements(device):
    x = Tensor([[-1.0, 2.0], [3.0, -4.0]], device=device, requires_grad=True)
    mask = x > 0
    picked = x[mask]
    assert picked.tolist() == [2.0, 3.0]
    (picked * Tensor([5.0, 7.0], device=device)).sum().backward()
    assert x.grad.tolist() == [[0.0, 5.0], [7.0, 0.0]]


def test_iterating_over_a_tensor_yields_rows_that_carry_gradients(device):
    x = Tensor([[1.0, 2.0], [3.0, 4.0]], device=device, requires_grad=True)
    total = None
    for row in x:
        total = row.sum() if total is None else total + row.sum() * 2.0
    total.backward()
    assert x.grad.tolist() == [[1.0, 1.0], [2.0, 2.0]]


# ---- 6. setitem: prepare_setitem and IndexPut --------------------------------------------------

def test_prepare_setitem_names_setitem_in_its_errors(device):
    t = tg.zeros(5, device=device)
    shapes = r"setitem: cannot assign a value of shape \(3,\) to the selected shape \(2,\)$"
    with pytest.raises(ValueError, match=shapes):
        prepare_setitem(t, slice(0, 2), [1, 2, 3])
    with pytest.raises(IndexError, match=r"setitem: index 5 is out of range for dim 0 of size 5"):
        prepare_setitem(t, 5, 1)
    with pytest.raises(IndexError, match="setitem: too many indices"):
        prepare_setitem(t, (0, 0), 1)


def test_prepare_setitem_converts_the_value_to_the_tensors_device_and_dtype(device):
    t = tg.zeros(2, 3, dtype=tg.int64, device=device)
    index, value = prepare_setitem(t, (0, slice(None), None), Tensor([[1.7], [2.2], [3.9]]))   # floats, on the CPU
    assert value.dtype == tg.int64 and value.shape == (3, 1)
    assert backend.device_of_array(value) == device
    data = t.array.copy()
    data[index] = value
    assert Tensor(data, device=device).tolist() == [[1, 2, 3], [0, 0, 0]]


def test_prepare_setitem_writes_in_torchs_order_and_accepts_leading_ones():
    t = tg.zeros(2, 3, 4)
    index, value = prepare_setitem(t, (0, slice(None), [0, 1]), np.arange(6.0).reshape(1, 1, 3, 2))
    t.array[index] = value
    expected = torch.zeros(2, 3, 4)
    expected[0, :, [0, 1]] = torch.arange(6.0).reshape(1, 1, 3, 2)
    np.testing.assert_array_equal(t.numpy(), expected.numpy())


def test_prepare_setitem_with_false_writes_nothing_whatever_the_value():
    t = tg.zeros(2)
    index, value = prepare_setitem(t, False, np.ones(5))   # PyTorch ignores the value here
    t.array[index] = value
    assert t.tolist() == [0.0, 0.0]


def test_index_put_returns_a_new_array_and_its_gradients_match_torch(device):
    base, value = np.arange(12.0).reshape(3, 4), np.array([[10.0], [20.0]])
    x = Tensor(base, device=device, requires_grad=True)
    v = Tensor(value, device=device, requires_grad=True)
    index, _ = prepare_setitem(x, ([2, 0], slice(1, 3)), value)
    out = IndexPut.apply(x, v, index=index)
    assert out.grad_fn.name() == "IndexPutBackward"
    assert x.tolist() == base.tolist()   # x itself is unchanged
    their_x, their_v = torch.tensor(base, requires_grad=True), torch.tensor(value, requires_grad=True)
    expected = their_x.clone()
    expected[[2, 0], 1:3] = their_v
    np.testing.assert_array_equal(out.numpy(), expected.detach().numpy())
    weights = np.random.default_rng(0).standard_normal((3, 4))
    ours = tg.grad((out * out * Tensor(weights, device=device)).sum(), [x, v], create_graph=True)
    theirs = torch.autograd.grad((expected * expected * torch.tensor(weights)).sum(), [their_x, their_v],
                                 create_graph=True)
    for g, h in zip(ours, theirs):
        np.testing.assert_allclose(g.numpy(), h.detach().numpy())
    ours = tg.grad(sum((g * g).sum() for g in ours), [x, v])   # second derivatives
    theirs = torch.autograd.grad(sum((h * h).sum() for h in theirs), [their_x, their_v])
    for g, h in zip(ours, theirs):
        np.testing.assert_allclose(g.numpy(), h.numpy())


def test_index_put_with_accumulate_adds_repeated_places_like_torch(device):
    base = np.zeros(4)
    x = Tensor(base, device=device, requires_grad=True)
    v = Tensor([1.0, 2.0, 4.0], device=device, requires_grad=True)
    index, _ = prepare_setitem(x, [[1, 1, 3]], np.zeros(3))
    out = IndexPut.apply(x, v, index=index, accumulate=True)
    expected = torch.zeros(4).index_put((torch.tensor([1, 1, 3]),), torch.tensor([1.0, 2.0, 4.0]), accumulate=True)
    assert out.tolist() == expected.tolist() == [0.0, 3.0, 0.0, 4.0]
    (out * Tensor([1.0, 2.0, 3.0, 4.0], device=device)).sum().backward()
    assert x.grad.tolist() == [1.0, 2.0, 3.0, 4.0]
    assert v.grad.tolist() == [2.0, 2.0, 4.0]


def test_index_put_keeps_an_infinite_gradient_out_of_the_overwritten_places():
    x = Tensor([1.0, 2.0], requires_grad=True)
    index, _ = prepare_setitem(x, 0, 5.0)
    out = IndexPut.apply(x, Tensor(5.0), index=index)
    out.backward(Tensor([float("inf"), 1.0]))
    assert x.grad.tolist() == [0.0, 1.0]   # not nan, as inf * 0 would give
