/**
 * torchvision/models/googlenet.py (Inception v1). BasicConv2d = Conv2d (no bias) + BatchNorm2d(eps=0.001) + ReLU.
 * MaxPool2d(3, 2, ceil_mode=True) between stages (maxpool4: 2, 2, ceil_mode); Inception = cat(branch1 1×1,
 * branch2 1×1 → 3×3, branch3 1×1 → 3×3 (torchvision's known 3×3-instead-of-5×5), branch4 MaxPool(3, 1, pad 1,
 * ceil_mode) → 1×1); avgpool; dropout; fc.
 *
 * torchvision's pretrained builder sets transform_input=True (the weights were ported from TensorFlow): the input,
 * normalised with the ImageNet mean/std, is mapped back to (x − 0.5) / 0.5 per channel before conv1. That step is
 * built in (as x · std/0.5 + (mean − 0.5)/0.5). The published file also holds the auxiliary classifiers aux1/aux2
 * (training only, dropped by torchvision after loading): they are read and left out.
 */
import type { ArchSpec, Feature, Flat, Net } from './layers.js';

const EPS = 0.001;

function basic(net: Net, x: Feature, prefix: string, out: number, k: number, s = 1, p = 0): Feature {
  return net.relu(net.bn(net.conv(x, `${prefix}.conv`, { out, k, s, p }), `${prefix}.bn`, EPS));
}

function inception(net: Net, x: Feature, prefix: string, c: [number, number, number, number, number, number]): Feature {
  const [ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, poolProj] = c;
  const b1 = basic(net, x, `${prefix}.branch1`, ch1x1, 1);
  const b2 = basic(net, basic(net, x, `${prefix}.branch2.0`, ch3x3red, 1), `${prefix}.branch2.1`, ch3x3, 3, 1, 1);
  const b3 = basic(net, basic(net, x, `${prefix}.branch3.0`, ch5x5red, 1), `${prefix}.branch3.1`, ch5x5, 3, 1, 1);
  const b4 = basic(net, net.maxPool(x, 3, 1, 1, true), `${prefix}.branch4.1`, poolProj, 1);
  return net.concat([b1, b2, b3, b4]);
}

/** GoogLeNet/Inception3 `_transform_input`: per channel x · (std / 0.5) + (mean − 0.5) / 0.5. */
export function transformInput(net: Net, x: Feature): Feature {
  if (!net.transformInput) return x;
  const mean = [0.485, 0.456, 0.406];
  const std = [0.229, 0.224, 0.225];
  const scale = net.b.floats('transform_input_scale', [1, 3, 1, 1], std.map((s) => s / 0.5));
  const shift = net.b.floats('transform_input_shift', [1, 3, 1, 1], mean.map((m) => (m - 0.5) / 0.5));
  return { ...x, name: net.op('Add', [net.op('Mul', [x.name, scale]), shift], {}, 'transform_input') };
}

function googlenet(net: Net, input: Feature, numClasses: number): Flat {
  let x = transformInput(net, input);
  x = basic(net, x, 'conv1', 64, 7, 2, 3);
  x = net.maxPool(x, 3, 2, 0, true);
  x = basic(net, x, 'conv2', 64, 1);
  x = basic(net, x, 'conv3', 192, 3, 1, 1);
  x = net.maxPool(x, 3, 2, 0, true);
  x = inception(net, x, 'inception3a', [64, 96, 128, 16, 32, 32]);
  x = inception(net, x, 'inception3b', [128, 128, 192, 32, 96, 64]);
  x = net.maxPool(x, 3, 2, 0, true);
  x = inception(net, x, 'inception4a', [192, 96, 208, 16, 48, 64]);
  x = inception(net, x, 'inception4b', [160, 112, 224, 24, 64, 64]);
  x = inception(net, x, 'inception4c', [128, 128, 256, 24, 64, 64]);
  x = inception(net, x, 'inception4d', [112, 144, 288, 32, 64, 64]);
  x = inception(net, x, 'inception4e', [256, 160, 320, 32, 128, 128]);
  x = net.maxPool(x, 2, 2, 0, true);
  x = inception(net, x, 'inception5a', [256, 160, 320, 32, 128, 128]);
  x = inception(net, x, 'inception5b', [384, 192, 384, 48, 128, 128]);
  return net.linear(net.flatten(net.globalAvgPool(x)), 'fc', numClasses);
}

export const GOOGLENET_ARCHS: ArchSpec[] = [
  {
    name: 'googlenet',
    source: 'torchvision/models/googlenet.py',
    imageSize: 224,
    resize: 256,
    interpolation: 'bilinear',
    classifierKey: 'fc.weight',
    eps: EPS,
    build: googlenet,
    trainingOnlyKeys: /^aux[12]\./,
    hasTransformInput: true,
  },
];
