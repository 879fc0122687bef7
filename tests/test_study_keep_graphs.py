"""Seeing backprop after backward(): study mode keeps every value and gradient; without it the
graph's outline stays drawable and no intermediate array stays alive."""
from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest
import torch

import tinygrad_edu as tg


def small_network(lib):
    """x -> linear -> sigmoid -> mse against a target, with named intermediates."""
    rng = np.random.default_rng(0)
    w = lib.tensor(rng.standard_normal((3, 2)), dtype=lib.float64, requires_grad=True)
    b = lib.tensor(rng.standard_normal(2), dtype=lib.float64, requires_grad=True)
    x = lib.tensor(rng.standard_normal((4, 3)), dtype=lib.float64)
    z = x @ w + b
    h = z.sigmoid()
    loss = ((h - 1.0) ** 2).mean()
    return w, b, z, h, loss


def test_study_mode_gives_every_intermediate_tensor_its_gradient_as_retain_grad_does_in_torch():
    with tg.study.keep_graphs():
        w, b, z, h, loss = small_network(tg)
        loss.backward()
    tw, tb, tz, th, tloss = small_network(torch)
    for t in (tz, th):
        t.retain_grad()
    tloss.backward()
    for mine, theirs in ((w, tw), (b, tb), (z, tz), (h, th)):
        np.testing.assert_allclose(mine.grad.numpy(), theirs.grad.numpy(), rtol=1e-12, atol=1e-15)
    assert loss.grad.item() == 1.0                    # d loss / d loss


def test_study_mode_keeps_the_graph_so_it_can_be_drawn_with_values_and_gradients():
    with tg.study.keep_graphs():
        w, b, z, h, loss = small_network(tg)
        loss.backward()
    assert not loss.grad_fn.freed
    text = tg.viz.graph_text(loss, show_values=True, show_grads=True, names={"h": h, "z": z})
    h_line = next(line for line in text.splitlines() if "h (4, 2)" in line)
    assert "value" in h_line and "grad" in h_line and "freed" not in text
    loss.backward()                                   # the graph is still there: gradients add up
    tw = small_network(torch)
    tw[-1].backward()
    np.testing.assert_allclose(w.grad.numpy(), 2 * tw[0].grad.numpy(), rtol=1e-12)


def test_keep_graphs_works_as_a_call_and_as_a_block_and_restores_the_mode():
    assert not tg.study.keeping_graphs()
    with tg.study.keep_graphs():
        assert tg.study.keeping_graphs()
        with tg.study.keep_graphs(False):
            assert not tg.study.keeping_graphs()
        assert tg.study.keeping_graphs()
    assert not tg.study.keeping_graphs()
    try:
        tg.study.keep_graphs()                        # a plain call holds until switched off
        assert tg.study.keeping_graphs()
    finally:
        tg.study.keep_graphs(False)
    assert not tg.study.keeping_graphs()


def test_after_an_ordinary_backward_the_drawing_has_every_op_shape_and_the_leaves_values_and_gradients():
    w, b, z, h, loss = small_network(tg)
    ops_before = tg.viz.graph_text(loss, names={"w": w, "b": b})
    loss.backward()
    text = tg.viz.graph_text(loss, show_values=True, show_grads=True, names={"w": w, "b": b})
    # the same tree of ops and shapes as before backward
    strip = [line.split("  value")[0].split("  (value")[0] for line in text.splitlines()]
    assert strip == ops_before.splitlines()
    w_line = next(line for line in text.splitlines() if line.lstrip("│├└─ ").startswith("w (3, 2)"))
    assert "grad" in w_line and np.array2string(w.grad.numpy()[0, 0], precision=4)[:5] in w_line
    assert "(value freed by backward())" in text


def test_an_ordinary_backward_keeps_no_intermediate_array_alive_while_the_loss_lives():
    def step():
        w = tg.randn(64, 64, requires_grad=True)
        x = tg.randn(32, 64)
        h = (x @ w).relu()
        probe = weakref.ref(h)
        return (h * h).mean(), probe, w
    loss, probe, w = step()
    loss.backward()
    gc.collect()
    assert probe() is None                            # h is gone though loss still is here
    assert w.grad is not None
    tg.viz.draw_graph(loss)                           # and the outline still draws


def test_tracing_a_freed_graph_is_still_an_error_that_names_study_mode():
    _, _, _, _, loss = small_network(tg)
    loss.backward()
    with pytest.raises(RuntimeError, match=r"trace_backward: .*freed by backward\(\).*tg\.study\.keep_graphs\(\)"):
        tg.study.trace_backward(loss)


def test_a_second_backward_through_a_freed_graph_is_still_refused():
    _, _, _, _, loss = small_network(tg)
    loss.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        loss.backward()


def test_a_graph_half_freed_and_half_alive_draws_both_parts():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    shared = x * 2.0
    shared.sum().backward()                          # frees shared's op
    later = (shared * 3.0).sum()                     # new ops on top of it
    text = tg.viz.graph_text(later, show_values=True)
    assert "mul" in text and "[leaf]" in text and "value 18." in text


def test_a_graph_too_big_to_draw_keeps_no_outline_and_drawing_it_says_to_use_study_mode():
    from tinygrad_edu.autograd import OUTLINE_MAX_OPS
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    small, big = x, x
    for _ in range(OUTLINE_MAX_OPS - 1):
        small = small + 1.0
    for _ in range(OUTLINE_MAX_OPS):
        big = big + 1.0
    small, big = small.sum(), big.sum()              # OUTLINE_MAX_OPS ops, and one more
    small.backward()
    big.backward()
    assert "sum" in tg.viz.graph_text(small)          # at the limit: drawn
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0])
    with pytest.raises(RuntimeError, match=rf"draw_graph: .*more than {OUTLINE_MAX_OPS} ops.*tg\.study\.keep_graphs\(\)"):
        tg.viz.draw_graph(big)
    with tg.study.keep_graphs():                      # study mode keeps any graph whole
        kept = x
        for _ in range(OUTLINE_MAX_OPS + 1):
            kept = kept + 1.0
        kept.sum().backward()
    assert kept.grad is not None and not kept.grad_fn.freed
