/**
 * torchvision/models/shufflenetv2.py: BatchNorm2d default eps 1e-5. conv1 = [Conv 3×3 s2 p1, BN, ReLU]; MaxPool2d(3, 2,
 * padding 1); stage2..4 of InvertedResidual (first block stride 2 with both branches, the rest split the channels in
 * two and run branch2 on the second half); after each block channel_shuffle(·, 2); conv5 = [Conv 1×1, BN, ReLU];
 * mean over H, W; fc.
 *
 * branch1 = [dw Conv 3×3 (stride, pad 1), BN, Conv 1×1, BN, ReLU]; branch2 = [Conv 1×1, BN, ReLU, dw Conv 3×3, BN,
 * Conv 1×1, BN, ReLU] (Sequential indices 0..7).
 */
import type { ArchSpec, Feature, Flat, Net } from './layers.js';

const EPS = 1e-5;

function invertedResidual(net: Net, x: Feature, prefix: string, out: number, stride: number): Feature {
  const branch = out / 2;
  const branch2 = (y: Feature): Feature => {
    y = net.relu(net.bn(net.conv(y, `${prefix}.branch2.0`, { out: branch, k: 1 }), `${prefix}.branch2.1`, EPS));
    y = net.bn(net.conv(y, `${prefix}.branch2.3`, { out: branch, k: 3, s: stride, p: 1, groups: branch }), `${prefix}.branch2.4`, EPS);
    return net.relu(net.bn(net.conv(y, `${prefix}.branch2.5`, { out: branch, k: 1 }), `${prefix}.branch2.6`, EPS));
  };
  let joined: Feature;
  if (stride === 1) {
    const [x1, x2] = net.chunk2(x);
    joined = net.concat([x1, branch2(x2)]);
  } else {
    let b1 = net.bn(net.conv(x, `${prefix}.branch1.0`, { out: x.c, k: 3, s: stride, p: 1, groups: x.c }), `${prefix}.branch1.1`, EPS);
    b1 = net.relu(net.bn(net.conv(b1, `${prefix}.branch1.2`, { out: branch, k: 1 }), `${prefix}.branch1.3`, EPS));
    joined = net.concat([b1, branch2(x)]);
  }
  return net.channelShuffle(joined, 2);
}

function shufflenetV2(repeats: [number, number, number], channels: [number, number, number, number, number]) {
  return (net: Net, input: Feature, numClasses: number): Flat => {
    let x = net.relu(net.bn(net.conv(input, 'conv1.0', { out: channels[0], k: 3, s: 2, p: 1 }), 'conv1.1', EPS));
    x = net.maxPool(x, 3, 2, 1);
    repeats.forEach((n, s) => {
      for (let i = 0; i < n; i++) x = invertedResidual(net, x, `stage${s + 2}.${i}`, channels[s + 1], i === 0 ? 2 : 1);
    });
    x = net.relu(net.bn(net.conv(x, 'conv5.0', { out: channels[4], k: 1 }), 'conv5.1', EPS));
    return net.linear(net.flatten(net.globalAvgPool(x)), 'fc', numClasses);
  };
}

const spec = (name: string, channels: [number, number, number, number, number], resize: number): ArchSpec => ({
  name,
  source: 'torchvision/models/shufflenetv2.py',
  imageSize: 224,
  resize,
  interpolation: 'bilinear',
  classifierKey: 'fc.weight',
  eps: EPS,
  build: shufflenetV2([4, 8, 4], channels),
});

export const SHUFFLENET_ARCHS: ArchSpec[] = [
  spec('shufflenet_v2_x0_5', [24, 48, 96, 192, 1024], 256),
  spec('shufflenet_v2_x1_0', [24, 116, 232, 464, 1024], 256),
  spec('shufflenet_v2_x1_5', [24, 176, 352, 704, 1024], 232),
  spec('shufflenet_v2_x2_0', [24, 244, 488, 976, 2048], 232),
];
