/**
 * torchvision/models/densenet.py (DenseNet-BC): BatchNorm2d default eps 1e-5, bn_size 4, drop_rate 0.
 *
 * features = conv0 (7×7 s2 p3), norm0, relu0, pool0 (MaxPool 3, s2, p1), then denseblock{1..4} with transition{1..3}
 * between them, norm5; then ReLU, adaptive average pool to 1×1, flatten, classifier (Linear).
 * _DenseLayer: cat(inputs) → norm1 → ReLU → conv1 (1×1 → bn_size·growth) → norm2 → ReLU → conv2 (3×3 p1 → growth);
 * its output is concatenated to the block's running feature map. _Transition: norm → ReLU → conv 1×1 (C → C/2) →
 * AvgPool2d(2, 2).
 *
 * The weights torchvision publishes still use the old layer names `denselayerN.norm.1` / `conv.2` …: torchvision's
 * `_load_state_dict` renames them with a regex; so does this builder (both spellings are accepted).
 */
import type { ArchSpec, Feature, Flat, Net } from './layers.js';
import type { StateDict } from '../../weights/types.js';

const EPS = 1e-5;
const BN_SIZE = 4;

function densenet(growth: number, blocks: [number, number, number, number], initFeatures: number) {
  return (net: Net, input: Feature, numClasses: number): Flat => {
    let x = net.relu(net.bn(net.conv(input, 'features.conv0', { out: initFeatures, k: 7, s: 2, p: 3 }), 'features.norm0', EPS));
    x = net.maxPool(x, 3, 2, 1);
    blocks.forEach((layers, b) => {
      for (let i = 0; i < layers; i++) {
        const prefix = `features.denseblock${b + 1}.denselayer${i + 1}`;
        let y = net.relu(net.bn(x, `${prefix}.norm1`, EPS));
        y = net.conv(y, `${prefix}.conv1`, { out: BN_SIZE * growth, k: 1 });
        y = net.relu(net.bn(y, `${prefix}.norm2`, EPS));
        y = net.conv(y, `${prefix}.conv2`, { out: growth, k: 3, p: 1 });
        x = net.concat([x, y]);
      }
      if (b < blocks.length - 1) {
        const prefix = `features.transition${b + 1}`;
        x = net.relu(net.bn(x, `${prefix}.norm`, EPS));
        x = net.conv(x, `${prefix}.conv`, { out: Math.floor(x.c / 2), k: 1 });
        x = net.avgPool(x, 2, 2);
      }
    });
    x = net.relu(net.bn(x, 'features.norm5', EPS));
    return net.linear(net.flatten(net.globalAvgPool(x)), 'classifier', numClasses);
  };
}

const MODERN = /^(.*denselayer\d+\.(?:norm|relu|conv))([12])\.(weight|bias|running_mean|running_var|num_batches_tracked)$/;
const LEGACY = /^(.*denselayer\d+\.(?:norm|relu|conv))\.([12])\.(weight|bias|running_mean|running_var|num_batches_tracked)$/;

/** Uses the old names when the file has them (`norm1.weight` is looked up as `norm.1.weight`). */
function legacyKeys(tensors: StateDict): ((key: string) => string) | undefined {
  for (const k of tensors.keys()) {
    if (LEGACY.test(k)) return (key) => key.replace(MODERN, '$1.$2.$3');
  }
  return undefined;
}

const spec = (name: string, growth: number, blocks: [number, number, number, number], init: number): ArchSpec => ({
  name,
  source: 'torchvision/models/densenet.py',
  imageSize: 224,
  resize: 256,
  interpolation: 'bilinear',
  classifierKey: 'classifier.weight',
  eps: EPS,
  build: densenet(growth, blocks, init),
  legacyKeys,
});

export const DENSENET_ARCHS: ArchSpec[] = [
  spec('densenet121', 32, [6, 12, 24, 16], 64),
  spec('densenet161', 48, [6, 12, 36, 24], 96),
  spec('densenet169', 32, [6, 12, 32, 32], 64),
  spec('densenet201', 32, [6, 12, 48, 32], 64),
];
