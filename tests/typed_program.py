"""A small training program written as a typed user would write it, for tests/test_typing.py.

mypy checks this file with `--strict --disallow-any-expr`: any expression whose type is or
contains `Any` is an error. The program touches only tinygrad_edu and builtins (no NumPy), so
such an expression can only come from tinygrad_edu's public API: an un-annotated function, a
method the type checker cannot see, a `Module.__call__` that forgets forward's type. The
`assert_type` lines pin the types a user relies on.

Some things are `Any` on purpose, as in PyTorch, and take an annotated variable (which the
flag allows): a DataLoader's batches (their type is whatever collate_fn makes), `tg.load` (a
tensor, a state_dict or a checkpoint, depending on the file). A literal passed where the API
takes any data (`tg.tensor([...])`) is typed from that parameter, so the program names its
type first; `Tensor.dtype` is NumPy's `dtype[Any]`, and is left out.

The test also runs the file, so everything here works, not only type-checks. It is not named
test_*.py, so pytest does not collect it.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from typing_extensions import assert_type

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn, optim
from tinygrad_edu.utils.data import DataLoader, TensorDataset

tg.manual_seed(0)


class Net(nn.Module):
    """A ConvNet for 8x8 images, written the PyTorch way."""

    def __init__(self, classes: int = 3) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(4 * 4 * 4, 16), nn.ReLU(), nn.Linear(16, classes))

    def forward(self, x: tg.Tensor) -> tg.Tensor:
        return self.head(self.pool(F.relu(self.conv(x))))


# ---- tensors, operators, methods and tg.* functions -------------------------------------------
x = tg.randn(6, 1, 8, 8)
rows: list[list[float]] = [[1.0, 2.0], [3.0, 4.0]]
w = tg.tensor(rows, requires_grad=True)
y = (w @ w.T + 1.0) * w - w / 2 ** 2
assert_type(y, tg.Tensor)
assert_type(y.relu().sum(dim=1, keepdim=True).exp(), tg.Tensor)
assert_type(tg.cat([w, y], dim=0).reshape(4, 2).softmax(dim=-1), tg.Tensor)
assert_type(tg.where(w > 2.0, w, tg.zeros_like(w)), tg.Tensor)
assert_type(w.shape, tuple[int, ...])
assert_type(w.size(), tuple[int, ...])
assert_type(w.size(0), int)
assert_type(w.sum().item(), float | int | bool)
assert_type(w.argmax(dim=1), tg.Tensor)
assert_type(F.gelu(w).mean(), tg.Tensor)
y.sum().backward()
gradient: tg.Tensor | None = w.grad
assert gradient is not None and gradient.shape == (2, 2)
(d_w,) = tg.grad((w * w).sum(), [w])
assert d_w is not None

# ---- a model, a loss, an optimizer, a scheduler, a DataLoader ----------------------------------
model = Net()
logits = model(x)
assert_type(logits, tg.Tensor)
assert_type(model.pool(x), tg.Tensor)                              # return_indices=False
maxima, indices = nn.MaxPool2d(2, return_indices=True)(x)
assert_type(indices, tg.Tensor)
assert_type(nn.Linear(3, 2)(tg.ones(1, 3)), tg.Tensor)
assert_type(model.head(tg.ones(2, 4, 4, 4)), tg.Tensor)           # Sequential: Tensor in, Tensor out
criterion = nn.CrossEntropyLoss()
labels = tg.randint(0, 3, (6,))
optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
loader = DataLoader(TensorDataset(x, labels), batch_size=3, shuffle=True)
losses: list[float] = []
batch: list[tg.Tensor]                                             # what collate_fn makes of TensorDataset's
for epoch in range(2):
    for batch in loader:
        images, targets = batch
        optimizer.zero_grad()
        loss = criterion(model(images), targets)
        assert_type(loss, tg.Tensor)
        loss.backward()
        optimizer.step()
        losses.append(float(loss.item()))
    scheduler.step()
assert len(losses) == 4

with tg.no_grad():
    accuracy = (model(x).argmax(dim=1) == labels).float().mean().item()
assert 0.0 <= accuracy <= 1.0
parameter_count = sum(p.numel() for p in model.parameters())
assert_type(parameter_count, int)

# ---- saving and loading ---------------------------------------------------------------------
with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "net.safetensors"
    tg.save(model.state_dict(), path)
    state: dict[str, tg.Tensor] = tg.load(path)                    # what the file holds
    missing_and_unexpected = model.load_state_dict(state)
    assert not missing_and_unexpected.missing_keys

# ---- studying the backward pass --------------------------------------------------------------
values: list[float] = [0.5, -1.0]
a = tg.tensor(values, requires_grad=True)
trace = tg.study.trace_backward((a.tanh() * a).sum())
assert_type(trace, tg.study.BackwardTrace)
assert len(trace.steps) > 0


def square_sum(t: tg.Tensor) -> tg.Tensor:
    return (t * t).sum()


checked: list[tg.Tensor] = [tg.randn(3, dtype=tg.float64, requires_grad=True)]
assert tg.gradcheck(square_sum, checked)
print(f"typed program ran: {len(losses)} steps, accuracy {accuracy:.2f}")
