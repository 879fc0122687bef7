"""Save a checkpoint mid-training, load it into fresh objects, and continue."""
import os

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim


def make(rng_seed):
    rng = np.random.default_rng(rng_seed)
    model = nn.Sequential(nn.Linear(5, 7), nn.Tanh(), nn.Linear(7, 2))
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.tensor(rng.standard_normal(tuple(p.shape)) * 0.5, dtype=torch.float32))
    optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    return model, optimizer


def train(model, optimizer, x, y, steps):
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = nn.MSELoss()(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def run(workdir):
    rng = np.random.default_rng(4)
    x = torch.tensor(rng.standard_normal((8, 5)), dtype=torch.float32)
    y = torch.tensor(rng.standard_normal((8, 2)), dtype=torch.float32)
    model, optimizer = make(0)
    first = train(model, optimizer, x, y, 3)
    path = os.path.join(workdir, "checkpoint.pt")
    torch.save({"epoch": 3, "model_state_dict": model.state_dict(),
                "optimizer_state_dict": optimizer.state_dict(), "loss": first[-1]}, path)
    carried_on = train(model, optimizer, x, y, 3)

    model2, optimizer2 = make(99)
    checkpoint = torch.load(path, map_location=torch.device("cpu"), weights_only=True)
    model2.load_state_dict(checkpoint["model_state_dict"])
    optimizer2.load_state_dict(checkpoint["optimizer_state_dict"])
    model2.train()
    resumed = train(model2, optimizer2, x, y, 3)
    return {"first": first, "carried_on": carried_on, "resumed": resumed, "epoch": checkpoint["epoch"],
            "loss": checkpoint["loss"], "params": [p.detach().numpy().tolist() for p in model2.parameters()]}
