"""Writes, for each ARCH:SIZE argument, torchvision's own model with seeded random weights (and random BatchNorm
statistics, so eval-mode normalisation is exercised) as ARCH.pth (torch.save of the state dict) and ARCH.npz (one
input [1, 3, SIZE, SIZE] and the model's eval-mode output). Run with Debian's python3-torch and python3-torchvision:
    /usr/bin/python3 test/support/torchvision_reference.py OUT_DIR resnet18:224 googlenet:224 …
Models are built with weights=None, as torchvision's classes define them (googlenet/inception_v3: transform_input
False, aux heads present in the state dict)."""
import sys

import numpy as np
import torch
import torchvision

out_dir = sys.argv[1]
torch.set_grad_enabled(False)
for spec in sys.argv[2:]:
    arch, size = spec.split(':')
    torch.manual_seed(0)
    kwargs = {'init_weights': True} if arch in ('googlenet', 'inception_v3') else {}
    model = getattr(torchvision.models, arch)(weights=None, **kwargs)
    for module in model.modules():
        if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
            module.running_mean.uniform_(-0.5, 0.5)
            module.running_var.uniform_(0.5, 1.5)
            module.weight.uniform_(0.5, 1.5)
            module.bias.uniform_(-0.5, 0.5)
    model.eval()
    x = torch.randn(1, 3, int(size), int(size))
    y = model(x)
    torch.save(model.state_dict(), f'{out_dir}/{arch}.pth')
    np.savez(f'{out_dir}/{arch}.npz', input=x.numpy(), output=y.numpy())
    print(arch, tuple(y.shape), flush=True)
