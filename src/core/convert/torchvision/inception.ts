/**
 * torchvision/models/inception.py (Inception v3, input 299×299). BasicConv2d = Conv2d (no bias) + BatchNorm2d(eps=0.001)
 * + ReLU; the branch pools are F.avg_pool2d(3, stride 1, padding 1) with torch's default count_include_pad=True, and
 * F.max_pool2d(3, stride 2) (no ceil_mode); the 1×7/7×1 and 1×3/3×1 convolutions keep their rectangular kernels.
 * Mixed_5b..5d = InceptionA, 6a = B, 6b..6e = C, 7a = D, 7b/7c = E; avgpool; dropout; fc.
 *
 * As torchvision's pretrained builder, transform_input is on (see googlenet.ts); AuxLogits (training only) is read
 * from the file and left out.
 */
import type { ArchSpec, Feature, Flat, Net } from './layers.js';
import { transformInput } from './googlenet.js';

const EPS = 0.001;

function basic(net: Net, x: Feature, prefix: string, out: number, k: number | [number, number], s = 1, p: number | [number, number] = 0): Feature {
  return net.relu(net.bn(net.conv(x, `${prefix}.conv`, { out, k, s, p }), `${prefix}.bn`, EPS));
}

function inceptionA(net: Net, x: Feature, m: string, poolFeatures: number): Feature {
  const b1 = basic(net, x, `${m}.branch1x1`, 64, 1);
  const b5 = basic(net, basic(net, x, `${m}.branch5x5_1`, 48, 1), `${m}.branch5x5_2`, 64, 5, 1, 2);
  let b3 = basic(net, x, `${m}.branch3x3dbl_1`, 64, 1);
  b3 = basic(net, b3, `${m}.branch3x3dbl_2`, 96, 3, 1, 1);
  b3 = basic(net, b3, `${m}.branch3x3dbl_3`, 96, 3, 1, 1);
  const bp = basic(net, net.avgPool(x, 3, 1, 1), `${m}.branch_pool`, poolFeatures, 1);
  return net.concat([b1, b5, b3, bp]);
}

function inceptionB(net: Net, x: Feature, m: string): Feature {
  const b3 = basic(net, x, `${m}.branch3x3`, 384, 3, 2);
  let bd = basic(net, x, `${m}.branch3x3dbl_1`, 64, 1);
  bd = basic(net, bd, `${m}.branch3x3dbl_2`, 96, 3, 1, 1);
  bd = basic(net, bd, `${m}.branch3x3dbl_3`, 96, 3, 2);
  return net.concat([b3, bd, net.maxPool(x, 3, 2)]);
}

function inceptionC(net: Net, x: Feature, m: string, c7: number): Feature {
  const b1 = basic(net, x, `${m}.branch1x1`, 192, 1);
  let b7 = basic(net, x, `${m}.branch7x7_1`, c7, 1);
  b7 = basic(net, b7, `${m}.branch7x7_2`, c7, [1, 7], 1, [0, 3]);
  b7 = basic(net, b7, `${m}.branch7x7_3`, 192, [7, 1], 1, [3, 0]);
  let bd = basic(net, x, `${m}.branch7x7dbl_1`, c7, 1);
  bd = basic(net, bd, `${m}.branch7x7dbl_2`, c7, [7, 1], 1, [3, 0]);
  bd = basic(net, bd, `${m}.branch7x7dbl_3`, c7, [1, 7], 1, [0, 3]);
  bd = basic(net, bd, `${m}.branch7x7dbl_4`, c7, [7, 1], 1, [3, 0]);
  bd = basic(net, bd, `${m}.branch7x7dbl_5`, 192, [1, 7], 1, [0, 3]);
  const bp = basic(net, net.avgPool(x, 3, 1, 1), `${m}.branch_pool`, 192, 1);
  return net.concat([b1, b7, bd, bp]);
}

function inceptionD(net: Net, x: Feature, m: string): Feature {
  const b3 = basic(net, basic(net, x, `${m}.branch3x3_1`, 192, 1), `${m}.branch3x3_2`, 320, 3, 2);
  let b7 = basic(net, x, `${m}.branch7x7x3_1`, 192, 1);
  b7 = basic(net, b7, `${m}.branch7x7x3_2`, 192, [1, 7], 1, [0, 3]);
  b7 = basic(net, b7, `${m}.branch7x7x3_3`, 192, [7, 1], 1, [3, 0]);
  b7 = basic(net, b7, `${m}.branch7x7x3_4`, 192, 3, 2);
  return net.concat([b3, b7, net.maxPool(x, 3, 2)]);
}

function inceptionE(net: Net, x: Feature, m: string): Feature {
  const b1 = basic(net, x, `${m}.branch1x1`, 320, 1);
  const b3 = basic(net, x, `${m}.branch3x3_1`, 384, 1);
  const b3cat = net.concat([basic(net, b3, `${m}.branch3x3_2a`, 384, [1, 3], 1, [0, 1]), basic(net, b3, `${m}.branch3x3_2b`, 384, [3, 1], 1, [1, 0])]);
  let bd = basic(net, x, `${m}.branch3x3dbl_1`, 448, 1);
  bd = basic(net, bd, `${m}.branch3x3dbl_2`, 384, 3, 1, 1);
  const bdcat = net.concat([basic(net, bd, `${m}.branch3x3dbl_3a`, 384, [1, 3], 1, [0, 1]), basic(net, bd, `${m}.branch3x3dbl_3b`, 384, [3, 1], 1, [1, 0])]);
  const bp = basic(net, net.avgPool(x, 3, 1, 1), `${m}.branch_pool`, 192, 1);
  return net.concat([b1, b3cat, bdcat, bp]);
}

function inceptionV3(net: Net, input: Feature, numClasses: number): Flat {
  let x = transformInput(net, input);
  x = basic(net, x, 'Conv2d_1a_3x3', 32, 3, 2);
  x = basic(net, x, 'Conv2d_2a_3x3', 32, 3);
  x = basic(net, x, 'Conv2d_2b_3x3', 64, 3, 1, 1);
  x = net.maxPool(x, 3, 2);
  x = basic(net, x, 'Conv2d_3b_1x1', 80, 1);
  x = basic(net, x, 'Conv2d_4a_3x3', 192, 3);
  x = net.maxPool(x, 3, 2);
  x = inceptionA(net, x, 'Mixed_5b', 32);
  x = inceptionA(net, x, 'Mixed_5c', 64);
  x = inceptionA(net, x, 'Mixed_5d', 64);
  x = inceptionB(net, x, 'Mixed_6a');
  x = inceptionC(net, x, 'Mixed_6b', 128);
  x = inceptionC(net, x, 'Mixed_6c', 160);
  x = inceptionC(net, x, 'Mixed_6d', 160);
  x = inceptionC(net, x, 'Mixed_6e', 192);
  x = inceptionD(net, x, 'Mixed_7a');
  x = inceptionE(net, x, 'Mixed_7b');
  x = inceptionE(net, x, 'Mixed_7c');
  return net.linear(net.flatten(net.globalAvgPool(x)), 'fc', numClasses);
}

export const INCEPTION_ARCHS: ArchSpec[] = [
  {
    name: 'inception_v3',
    source: 'torchvision/models/inception.py',
    imageSize: 299,
    resize: 342,
    interpolation: 'bilinear',
    classifierKey: 'fc.weight',
    eps: EPS,
    build: inceptionV3,
    trainingOnlyKeys: /^AuxLogits\./,
    hasTransformInput: true,
    notes: [
      "AuxLogits (training only, 3326696 parameters) is not built: torchvision's num_params for inception_v3 (27161264) counts it",
    ],
  },
];
