/**
 * torchvision/models/resnet.py: ResNet (BasicBlock / Bottleneck "V1.5": the stride is on the 3×3 conv), ResNeXt
 * (grouped 3×3) and Wide ResNet (wider bottleneck). BatchNorm2d with the default eps 1e-5 everywhere.
 *
 * Keys: conv1, bn1, layer{1..4}.{i}.conv{1,2[,3]} / bn{1,2[,3]} / downsample.0 (1×1 conv) / downsample.1 (BN), fc.
 */
import type { ArchSpec, Feature, Flat, Net } from './layers.js';

const EPS = 1e-5;

interface ResNetConfig {
  block: 'basic' | 'bottleneck';
  layers: [number, number, number, number];
  groups?: number;
  widthPerGroup?: number;
}

function basicBlock(net: Net, x: Feature, prefix: string, planes: number, stride: number): Feature {
  let out = net.relu(net.bn(net.conv(x, `${prefix}.conv1`, { out: planes, k: 3, s: stride, p: 1 }), `${prefix}.bn1`, EPS));
  out = net.bn(net.conv(out, `${prefix}.conv2`, { out: planes, k: 3, p: 1 }), `${prefix}.bn2`, EPS);
  const identity = downsample(net, x, prefix, planes, stride);
  return net.relu(net.add(out, identity));
}

function bottleneck(net: Net, x: Feature, prefix: string, planes: number, stride: number, groups: number, baseWidth: number): Feature {
  const width = Math.trunc(planes * (baseWidth / 64)) * groups;
  let out = net.relu(net.bn(net.conv(x, `${prefix}.conv1`, { out: width, k: 1 }), `${prefix}.bn1`, EPS));
  out = net.relu(net.bn(net.conv(out, `${prefix}.conv2`, { out: width, k: 3, s: stride, p: 1, groups }), `${prefix}.bn2`, EPS));
  out = net.bn(net.conv(out, `${prefix}.conv3`, { out: planes * 4, k: 1 }), `${prefix}.bn3`, EPS);
  const identity = downsample(net, x, prefix, planes * 4, stride);
  return net.relu(net.add(out, identity));
}

/** `downsample` exists when the stride or the channel count changes (only in a stage's first block). */
function downsample(net: Net, x: Feature, prefix: string, out: number, stride: number): Feature {
  if (stride === 1 && x.c === out) return x;
  return net.bn(net.conv(x, `${prefix}.downsample.0`, { out, k: 1, s: stride }), `${prefix}.downsample.1`, EPS);
}

function resnet(config: ResNetConfig) {
  return (net: Net, input: Feature, numClasses: number): Flat => {
    const groups = config.groups ?? 1;
    const baseWidth = config.widthPerGroup ?? 64;
    let x = net.relu(net.bn(net.conv(input, 'conv1', { out: 64, k: 7, s: 2, p: 3 }), 'bn1', EPS));
    x = net.maxPool(x, 3, 2, 1);
    const planes = [64, 128, 256, 512];
    config.layers.forEach((blocks, stage) => {
      for (let i = 0; i < blocks; i++) {
        const prefix = `layer${stage + 1}.${i}`;
        const stride = i === 0 && stage > 0 ? 2 : 1;
        x = config.block === 'basic'
          ? basicBlock(net, x, prefix, planes[stage], stride)
          : bottleneck(net, x, prefix, planes[stage], stride, groups, baseWidth);
      }
    });
    return net.linear(net.flatten(net.globalAvgPool(x)), 'fc', numClasses);
  };
}

const spec = (name: string, config: ResNetConfig, resize = 232): ArchSpec => ({
  name,
  source: 'torchvision/models/resnet.py',
  imageSize: 224,
  resize,
  interpolation: 'bilinear',
  classifierKey: 'fc.weight',
  eps: EPS,
  build: resnet(config),
});

// resize: the DEFAULT weights' transforms (IMAGENET1K_V2 = resize 232 for all but resnet18/34, whose only weights
// are V1 = resize 256).
export const RESNET_ARCHS: ArchSpec[] = [
  spec('resnet18', { block: 'basic', layers: [2, 2, 2, 2] }, 256),
  spec('resnet34', { block: 'basic', layers: [3, 4, 6, 3] }, 256),
  spec('resnet50', { block: 'bottleneck', layers: [3, 4, 6, 3] }),
  spec('resnet101', { block: 'bottleneck', layers: [3, 4, 23, 3] }),
  spec('resnet152', { block: 'bottleneck', layers: [3, 8, 36, 3] }),
  spec('resnext50_32x4d', { block: 'bottleneck', layers: [3, 4, 6, 3], groups: 32, widthPerGroup: 4 }),
  spec('resnext101_32x8d', { block: 'bottleneck', layers: [3, 4, 23, 3], groups: 32, widthPerGroup: 8 }),
  spec('resnext101_64x4d', { block: 'bottleneck', layers: [3, 4, 23, 3], groups: 64, widthPerGroup: 4 }),
  spec('wide_resnet50_2', { block: 'bottleneck', layers: [3, 4, 6, 3], widthPerGroup: 128 }),
  spec('wide_resnet101_2', { block: 'bottleneck', layers: [3, 4, 23, 3], widthPerGroup: 128 }),
];
