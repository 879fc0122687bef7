"""Optimizers: turn gradients into parameter updates.

    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for x, y in loader:
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

Each update rule is written out by hand, in the same order of operations as PyTorch's, so
that a run here and a run there give the same numbers up to float32 rounding.
`optim.lr_scheduler` changes the learning rates as training goes on.
"""
from tinygrad_edu.optim import lr_scheduler
from tinygrad_edu.optim.adadelta import Adadelta
from tinygrad_edu.optim.adagrad import Adagrad
from tinygrad_edu.optim.adam import Adam
from tinygrad_edu.optim.adamw import AdamW
from tinygrad_edu.optim.optimizer import Optimizer
from tinygrad_edu.optim.rmsprop import RMSprop
from tinygrad_edu.optim.sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "lr_scheduler"]
