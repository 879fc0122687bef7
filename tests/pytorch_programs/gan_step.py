"""DCGAN steps with custom weight init (PyTorch's DCGAN example, shrunk to 8x8 images)."""
import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim

nz, ngf, ndf, nc = 4, 4, 4, 1


def weights_init(m):
    classname = m.__class__.__name__
    if classname.find('Conv') != -1:
        torch.nn.init.normal_(m.weight, 0.0, 0.02)
    elif classname.find('BatchNorm') != -1:
        torch.nn.init.normal_(m.weight, 1.0, 0.02)
        torch.nn.init.zeros_(m.bias)


class Generator(nn.Module):
    def __init__(self):
        super(Generator, self).__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 2, 4, 1, 0, bias=False),
            nn.BatchNorm2d(ngf * 2),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, nc, 4, 2, 1, bias=False),
            nn.Tanh()
        )

    def forward(self, input):
        return self.main(input)


class Discriminator(nn.Module):
    def __init__(self):
        super(Discriminator, self).__init__()
        self.main = nn.Sequential(
            nn.Conv2d(nc, ndf, 4, 2, 1, bias=False),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ndf * 2),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 2, 1, 2, 1, 0, bias=False),
            nn.Sigmoid()
        )

    def forward(self, input):
        output = self.main(input)
        return output.view(-1, 1).squeeze(1)


def run(workdir):
    rng = np.random.default_rng(3)
    netG, netD = Generator(), Discriminator()
    netG.apply(weights_init)
    netD.apply(weights_init)
    init_std = [float(m.weight.data.std()) for m in netG.modules() if isinstance(m, nn.ConvTranspose2d)]
    # the same starting point for both libraries: the draws above differ between them
    for net in (netG, netD):
        state = {k: torch.tensor(rng.standard_normal(tuple(v.shape)) * 0.1 + (1.0 if k.endswith("weight")
                                 and "main.1" in k else 0.0), dtype=torch.float32)
                 if v.dtype == torch.float32 else v for k, v in net.state_dict().items()}
        net.load_state_dict(state, strict=True)
    criterion = nn.BCELoss()
    real_label, fake_label = 1., 0.
    optimizerD = optim.Adam(netD.parameters(), lr=0.01, betas=(0.5, 0.999))
    optimizerG = optim.Adam(netG.parameters(), lr=0.01, betas=(0.5, 0.999))
    errs = []
    for i in range(3):
        real = torch.tensor(rng.uniform(-1, 1, (6, nc, 8, 8)), dtype=torch.float32)
        noise = torch.tensor(rng.standard_normal((6, nz, 1, 1)), dtype=torch.float32)
        netD.zero_grad()
        label = torch.full((6,), real_label, dtype=torch.float)
        output = netD(real)
        errD_real = criterion(output, label)
        errD_real.backward()
        fake = netG(noise)
        label.fill_(fake_label)
        output = netD(fake.detach())
        errD_fake = criterion(output, label)
        errD_fake.backward()
        optimizerD.step()
        netG.zero_grad()
        label.fill_(real_label)
        output = netD(fake)
        errG = criterion(output, label)
        errG.backward()
        optimizerG.step()
        errs.append([(errD_real + errD_fake).item(), errG.item()])
    return {"errs": errs, "init_std_close": [abs(s - 0.02) < 0.01 for s in init_std],
            "G": {k: v.numpy().tolist() for k, v in netG.state_dict().items()},
            "D": {k: v.numpy().tolist() for k, v in netD.state_dict().items()}}
