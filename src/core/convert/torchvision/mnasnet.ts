/**
 * torchvision/models/mnasnet.py (model version 2: the stem scales with alpha). Every BatchNorm2d is built as
 * `nn.BatchNorm2d(c, momentum=_BN_MOMENTUM)`: only the momentum changes, so eps is PyTorch's default 1e-5.
 *
 * layers = [Conv 3×3 s2, BN, ReLU, dw Conv 3×3, BN, ReLU, Conv 1×1, BN, six _stack()s of _InvertedResidual, Conv 1×1 →
 * 1280, BN, ReLU]; mean over H, W; classifier = [Dropout, Linear]. _InvertedResidual.layers = [Conv 1×1, BN, ReLU,
 * dw Conv k×k (pad k//2), BN, ReLU, Conv 1×1, BN]; residual when in = out and stride 1.
 */
import type { ArchSpec, Feature, Flat, Net } from './layers.js';

const EPS = 1e-5;

/** mnasnet.py `_round_to_multiple_of(val, divisor, round_up_bias=0.9)`. */
function roundToMultipleOf(val: number, divisor: number, roundUpBias = 0.9): number {
  const next = Math.max(divisor, Math.floor(Math.trunc(val + divisor / 2) / divisor) * divisor);
  return next >= roundUpBias * val ? next : next + divisor;
}

const depths = (alpha: number) => [32, 16, 24, 40, 80, 96, 192, 320].map((d) => roundToMultipleOf(d * alpha, 8));

function invertedResidual(net: Net, x: Feature, prefix: string, out: number, k: number, stride: number, expansion: number): Feature {
  const mid = x.c * expansion;
  let y = net.relu(net.bn(net.conv(x, `${prefix}.layers.0`, { out: mid, k: 1 }), `${prefix}.layers.1`, EPS));
  y = net.relu(net.bn(net.conv(y, `${prefix}.layers.3`, { out: mid, k, s: stride, p: Math.floor(k / 2), groups: mid }), `${prefix}.layers.4`, EPS));
  y = net.bn(net.conv(y, `${prefix}.layers.6`, { out, k: 1 }), `${prefix}.layers.7`, EPS);
  return x.c === out && stride === 1 ? net.add(y, x) : y;
}

function mnasnet(alpha: number) {
  return (net: Net, input: Feature, numClasses: number): Flat => {
    const d = depths(alpha);
    let x = net.relu(net.bn(net.conv(input, 'layers.0', { out: d[0], k: 3, s: 2, p: 1 }), 'layers.1', EPS));
    x = net.relu(net.bn(net.conv(x, 'layers.3', { out: d[0], k: 3, p: 1, groups: d[0] }), 'layers.4', EPS));
    x = net.bn(net.conv(x, 'layers.6', { out: d[1], k: 1 }), 'layers.7', EPS);
    // _stack(in, out, kernel, stride, exp_factor, repeats)
    const stacks: [number, number, number, number][] = [
      [3, 2, 3, 3],
      [5, 2, 3, 3],
      [5, 2, 6, 3],
      [3, 1, 6, 2],
      [5, 2, 6, 4],
      [3, 1, 6, 1],
    ];
    stacks.forEach(([k, stride, exp, repeats], s) => {
      for (let i = 0; i < repeats; i++) x = invertedResidual(net, x, `layers.${8 + s}.${i}`, d[s + 2], k, i === 0 ? stride : 1, exp);
    });
    x = net.relu(net.bn(net.conv(x, 'layers.14', { out: 1280, k: 1 }), 'layers.15', EPS));
    return net.linear(net.flatten(net.globalAvgPool(x)), 'classifier.1', numClasses);
  };
}

const spec = (name: string, alpha: number, resize: number): ArchSpec => ({
  name,
  source: 'torchvision/models/mnasnet.py',
  imageSize: 224,
  resize,
  interpolation: 'bilinear',
  classifierKey: 'classifier.1.weight',
  eps: EPS,
  build: mnasnet(alpha),
});

// Weights transforms: 0_5 and 1_0 crop 224 (resize 256); 0_75 and 1_3 crop 224, resize 232.
export const MNASNET_ARCHS: ArchSpec[] = [
  spec('mnasnet0_5', 0.5, 256),
  spec('mnasnet0_75', 0.75, 232),
  spec('mnasnet1_0', 1.0, 256),
  spec('mnasnet1_3', 1.3, 232),
];
