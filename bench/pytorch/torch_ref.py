"""Python side of bench/pytorch.ts (Debian's python3-torch), one job per process, one JSON line on stdout.

  gen ARCH PTH NPZ  the benchmark's state dict: torchvision.models.ARCH() with a seeded random init, BatchNorm
                    weight/bias and running statistics set to non-trivial random values (so eval-mode BatchNorm is
                    really checked), saved with torch.save(model.state_dict(), PTH) (zip format); and NPZ, one seeded
                    input [1, 3, 224, 224] with PyTorch's eval-mode output for it: arrays `input` and `output`.
  ref PTH OUT       the reference the issue names: sd = torch.load(PTH); torch.save(sd, OUT), timed inside the process
                    (after `import torch`, timed separately); peak RSS = getrusage ru_maxrss.
  idle              `import torch` only: the baseline RSS.
"""
import json
import os
import resource
import sys
import time

KIB = 1024  # ru_maxrss is in KiB on Linux


def max_rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * KIB


def main():
    mode = sys.argv[1]
    t0 = time.perf_counter()
    import torch
    t1 = time.perf_counter()
    if mode == 'idle':
        print(json.dumps({'maxRss': max_rss(), 'importMs': (t1 - t0) * 1000, 'torch': torch.__version__}))
    elif mode == 'ref':
        src, out = sys.argv[2], sys.argv[3]
        sd = torch.load(src)
        t2 = time.perf_counter()
        rss_loaded = max_rss()
        torch.save(sd, out)
        t3 = time.perf_counter()
        print(json.dumps({
            'importMs': (t1 - t0) * 1000, 'loadMs': (t2 - t1) * 1000, 'saveMs': (t3 - t2) * 1000, 'totalMs': (t3 - t1) * 1000,
            'maxRssLoaded': rss_loaded, 'maxRss': max_rss(), 'tensors': len(sd), 'threads': torch.get_num_threads(),
        }))
    elif mode == 'gen':
        gen(torch, *sys.argv[2:5])
    else:
        raise SystemExit(f'unknown mode {mode}')


def gen(torch, arch, pth, npz):
    import numpy as np
    import torchvision
    torch.manual_seed(0)
    model = getattr(torchvision.models, arch)()  # weights=None: torchvision's own random init
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 2.0)
                m.num_batches_tracked.fill_(1000)
    model.eval()
    sd = model.state_dict()
    tmp = f'{pth}.{os.getpid()}.tmp'
    torch.save(sd, tmp)
    x = torch.randn(1, 3, 224, 224, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        y = model(x)
    tmp_npz = f'{npz}.{os.getpid()}.tmp.npz'
    np.savez(tmp_npz, input=x.numpy(), output=y.numpy())
    os.replace(tmp_npz, npz)
    os.replace(tmp, pth)
    params = sum(p.numel() for p in model.parameters())
    print(json.dumps({'arch': arch, 'parameters': params, 'tensors': len(sd), 'bytes': os.path.getsize(pth),
                      'outputAbsMean': float(y.abs().mean()), 'torch': torch.__version__, 'torchvision': torchvision.__version__}))


if __name__ == '__main__':
    main()
