/**
 * torchvision/models/vgg.py and alexnet.py.
 *
 * VGG: features = make_layers(cfg): Conv2d 3×3 pad 1 (with bias, also in the _bn variants), [BatchNorm2d eps 1e-5],
 * ReLU, and MaxPool2d(2, 2) for 'M'; avgpool = AdaptiveAvgPool2d((7, 7)); flatten; classifier = [Linear(512·7·7,
 * 4096), ReLU, Dropout, Linear(4096, 4096), ReLU, Dropout, Linear(4096, num_classes)].
 *
 * AlexNet: features = [Conv 11×11 s4 p2, ReLU, MaxPool(3, 2), Conv 5×5 p2, ReLU, MaxPool(3, 2), Conv 3×3 p1, ReLU,
 * Conv 3×3 p1, ReLU, Conv 3×3 p1, ReLU, MaxPool(3, 2)]; avgpool = AdaptiveAvgPool2d((6, 6)); classifier = [Dropout,
 * Linear(256·6·6, 4096), ReLU, Dropout, Linear(4096, 4096), ReLU, Linear(4096, num_classes)].
 *
 * With the fixed 224×224 input the features end at exactly 7×7 (VGG) and 6×6 (AlexNet), so the adaptive average
 * pool is the identity and is left out (the builder checks the size).
 */
import type { ArchSpec, Feature, Flat, Net } from './layers.js';

const EPS = 1e-5;

type Cfg = (number | 'M')[];
const CFGS: Record<'A' | 'B' | 'D' | 'E', Cfg> = {
  A: [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  B: [64, 64, 'M', 128, 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  D: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'],
  E: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512, 'M'],
};

/** AdaptiveAvgPool2d((n, n)) on an n×n map is the identity; anything else is not built here. */
function adaptiveIdentity(x: Feature, n: number, arch: string): Feature {
  if (x.h !== n || x.w !== n) throw new Error(`${arch}: features end at ${x.h}×${x.w}, not ${n}×${n}`);
  return x;
}

function vgg(cfg: Cfg, batchNorm: boolean) {
  return (net: Net, input: Feature, numClasses: number): Flat => {
    let x = input;
    let i = 0;
    for (const v of cfg) {
      if (v === 'M') {
        x = net.maxPool(x, 2, 2);
        i += 1;
        continue;
      }
      x = net.conv(x, `features.${i}`, { out: v, k: 3, p: 1, bias: true });
      if (batchNorm) x = net.bn(x, `features.${i + 1}`, EPS);
      x = net.relu(x);
      i += batchNorm ? 3 : 2;
    }
    let y = net.flatten(adaptiveIdentity(x, 7, net.arch));
    y = net.relu(net.linear(y, 'classifier.0', 4096));
    y = net.relu(net.linear(y, 'classifier.3', 4096));
    return net.linear(y, 'classifier.6', numClasses);
  };
}

function alexnet(net: Net, input: Feature, numClasses: number): Flat {
  let x = net.relu(net.conv(input, 'features.0', { out: 64, k: 11, s: 4, p: 2, bias: true }));
  x = net.maxPool(x, 3, 2);
  x = net.relu(net.conv(x, 'features.3', { out: 192, k: 5, p: 2, bias: true }));
  x = net.maxPool(x, 3, 2);
  x = net.relu(net.conv(x, 'features.6', { out: 384, k: 3, p: 1, bias: true }));
  x = net.relu(net.conv(x, 'features.8', { out: 256, k: 3, p: 1, bias: true }));
  x = net.relu(net.conv(x, 'features.10', { out: 256, k: 3, p: 1, bias: true }));
  x = net.maxPool(x, 3, 2);
  let y = net.flatten(adaptiveIdentity(x, 6, net.arch));
  y = net.relu(net.linear(y, 'classifier.1', 4096));
  y = net.relu(net.linear(y, 'classifier.4', 4096));
  return net.linear(y, 'classifier.6', numClasses);
}

const common = { imageSize: 224, resize: 256, interpolation: 'bilinear' as const };

const vggSpec = (name: string, cfg: keyof typeof CFGS, bn: boolean): ArchSpec => ({
  ...common,
  name,
  source: 'torchvision/models/vgg.py',
  classifierKey: 'classifier.6.weight',
  ...(bn ? { eps: EPS } : {}),
  build: vgg(CFGS[cfg], bn),
});

export const VGG_ARCHS: ArchSpec[] = [
  vggSpec('vgg11', 'A', false),
  vggSpec('vgg11_bn', 'A', true),
  vggSpec('vgg13', 'B', false),
  vggSpec('vgg13_bn', 'B', true),
  vggSpec('vgg16', 'D', false),
  vggSpec('vgg16_bn', 'D', true),
  vggSpec('vgg19', 'E', false),
  vggSpec('vgg19_bn', 'E', true),
];

export const ALEXNET_ARCHS: ArchSpec[] = [
  { ...common, name: 'alexnet', source: 'torchvision/models/alexnet.py', classifierKey: 'classifier.6.weight', build: alexnet },
];
