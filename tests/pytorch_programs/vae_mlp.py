"""A variational autoencoder on vectors (PyTorch's VAE example, shrunk), with Adam."""
import numpy as np
import torch
from torch import nn, optim
from torch.nn import functional as F


class VAE(nn.Module):
    def __init__(self):
        super(VAE, self).__init__()
        self.fc1 = nn.Linear(16, 12)
        self.fc21 = nn.Linear(12, 3)
        self.fc22 = nn.Linear(12, 3)
        self.fc3 = nn.Linear(3, 12)
        self.fc4 = nn.Linear(12, 16)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar, eps):
        std = torch.exp(0.5 * logvar)
        return mu + eps * std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x, eps):
        mu, logvar = self.encode(x.view(-1, 16))
        z = self.reparameterize(mu, logvar, eps)
        return self.decode(z), mu, logvar


def loss_function(recon_x, x, mu, logvar):
    BCE = F.binary_cross_entropy(recon_x, x.view(-1, 16), reduction='sum')
    KLD = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return BCE + KLD


def run(workdir):
    rng = np.random.default_rng(1)
    model = VAE()
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.from_numpy((rng.standard_normal(tuple(p.shape)) * 0.4).astype(np.float32)))
    optimizer = optim.Adam(model.parameters(), lr=1e-2)
    data = torch.tensor(rng.uniform(0, 1, (10, 4, 4)), dtype=torch.float32)
    losses = []
    model.train()
    for step in range(4):
        eps = torch.from_numpy(rng.standard_normal((10, 3)).astype(np.float32))
        optimizer.zero_grad()
        recon_batch, mu, logvar = model(data, eps)
        loss = loss_function(recon_batch, data, mu, logvar)
        loss.backward()
        grads = {name: p.grad.clone().numpy().tolist() for name, p in model.named_parameters()}
        optimizer.step()
        losses.append(loss.item() / len(data))
    with torch.no_grad():
        sample = model.decode(torch.ones(2, 3) * 0.5)
    return {"losses": losses, "last_grads": grads, "sample": sample.numpy().tolist(),
            "params": {k: v.numpy().tolist() for k, v in model.state_dict().items()}}
