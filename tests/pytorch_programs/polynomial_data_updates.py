"""Polynomial regression with hand-written updates through .data (PyTorch's regression example)."""
import numpy as np
import torch
import torch.nn.functional as F

POLY_DEGREE = 4


def make_features(x):
    """Builds features i.e. a matrix with columns [x, x^2, x^3, x^4]."""
    x = x.unsqueeze(1)
    return torch.cat([x ** i for i in range(1, POLY_DEGREE + 1)], 1)


def run(workdir):
    rng = np.random.default_rng(2)
    W_target = torch.tensor(rng.standard_normal((POLY_DEGREE, 1)), dtype=torch.float32) * 5
    b_target = torch.tensor(rng.standard_normal(1), dtype=torch.float32) * 5

    def f(x):
        return x.mm(W_target) + b_target.item()

    fc = torch.nn.Linear(W_target.size(0), 1)
    with torch.no_grad():
        fc.weight.copy_(torch.tensor(rng.standard_normal((1, POLY_DEGREE)) * 0.1, dtype=torch.float32))
        fc.bias.fill_(0.0)
    losses = []
    for batch_idx in range(30):
        random = torch.from_numpy(rng.standard_normal(16).astype(np.float32))
        batch_x = make_features(random)
        batch_y = f(batch_x)
        fc.zero_grad()
        output = F.smooth_l1_loss(fc(batch_x), batch_y)
        loss = output.item()
        output.backward()
        for param in fc.parameters():
            param.data.add_(-0.1 * param.grad)
        losses.append(loss)
    # the other .data idioms: in-place arithmetic on .data, and reading it
    fc.weight.data -= 0.01 * fc.weight.grad
    fc.bias.data.mul_(0.5)
    return {"losses": losses, "weight": fc.weight.view(-1).tolist(), "bias": fc.bias.data.tolist(),
            "weight_requires_grad": fc.weight.requires_grad, "data_requires_grad": fc.weight.data.requires_grad,
            "grad_fn_of_data": fc.weight.data.grad_fn is None}
