/**
 * torchvision/models/squeezenet.py: no BatchNorm; every conv has a bias; MaxPool2d(3, 2, ceil_mode=True);
 * Fire = squeeze 1×1 + ReLU, then cat(ReLU(expand1x1), ReLU(expand3x3 pad 1)); classifier = [Dropout,
 * Conv2d(512, num_classes, 1), ReLU, AdaptiveAvgPool2d((1, 1))], then flatten.
 */
import type { ArchSpec, Feature, Flat, Net } from './layers.js';

function fire(net: Net, x: Feature, prefix: string, squeeze: number, e1: number, e3: number): Feature {
  const s = net.relu(net.conv(x, `${prefix}.squeeze`, { out: squeeze, k: 1, bias: true }));
  const a = net.relu(net.conv(s, `${prefix}.expand1x1`, { out: e1, k: 1, bias: true }));
  const b = net.relu(net.conv(s, `${prefix}.expand3x3`, { out: e3, k: 3, p: 1, bias: true }));
  return net.concat([a, b]);
}

type Layer = 'pool' | [number, number, number];

function squeezenet(stem: { out: number; k: number }, layers: Layer[]) {
  return (net: Net, input: Feature, numClasses: number): Flat => {
    let x = net.relu(net.conv(input, 'features.0', { out: stem.out, k: stem.k, s: 2, bias: true }));
    x = net.maxPool(x, 3, 2, 0, true);
    layers.forEach((layer, i) => {
      x = layer === 'pool' ? net.maxPool(x, 3, 2, 0, true) : fire(net, x, `features.${i + 3}`, ...layer);
    });
    x = net.relu(net.conv(x, 'classifier.1', { out: numClasses, k: 1, bias: true }));
    return net.flatten(net.globalAvgPool(x));
  };
}

const common = { source: 'torchvision/models/squeezenet.py', imageSize: 224, resize: 256, interpolation: 'bilinear' as const, classifierKey: 'classifier.1.weight' };

export const SQUEEZENET_ARCHS: ArchSpec[] = [
  {
    ...common,
    name: 'squeezenet1_0',
    build: squeezenet({ out: 96, k: 7 }, [[16, 64, 64], [16, 64, 64], [32, 128, 128], 'pool', [32, 128, 128], [48, 192, 192], [48, 192, 192], [64, 256, 256], 'pool', [64, 256, 256]]),
  },
  {
    ...common,
    name: 'squeezenet1_1',
    build: squeezenet({ out: 64, k: 3 }, [[16, 64, 64], [16, 64, 64], 'pool', [32, 128, 128], [32, 128, 128], 'pool', [48, 192, 192], [48, 192, 192], [64, 256, 256], [64, 256, 256]]),
  },
];
