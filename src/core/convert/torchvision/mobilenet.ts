/**
 * torchvision/models/mobilenetv2.py and mobilenetv3.py.
 *
 * MobileNetV2: BatchNorm2d default eps 1e-5, ReLU6; features.0 = ConvBNReLU(3→32, s2); features.1..17 =
 * InvertedResidual (`conv` = [expand ConvBNReLU 1×1 when t ≠ 1], depthwise ConvBNReLU 3×3, 1×1 Conv2d, BatchNorm2d;
 * residual when stride 1 and in = out); features.18 = ConvBNReLU 1×1 → 1280; classifier = [Dropout, Linear].
 *
 * MobileNetV3: BatchNorm2d(eps=0.001, momentum=0.01); Hardswish / ReLU per block; SqueezeExcitation with
 * squeeze = _make_divisible(expanded // 4, 8), ReLU, Hardsigmoid; classifier = [Linear, Hardswish, Dropout, Linear].
 */
import { makeDivisible, type ArchSpec, type Feature, type Flat, type Net } from './layers.js';

// ---- MobileNetV2 ------------------------------------------------------------------------------------------------

const V2_EPS = 1e-5;

function mobilenetV2(net: Net, input: Feature, numClasses: number): Flat {
  const widthMult = 1.0;
  const round = 8;
  const setting: [number, number, number, number][] = [
    // t, c, n, s
    [1, 16, 1, 1],
    [6, 24, 2, 2],
    [6, 32, 3, 2],
    [6, 64, 4, 2],
    [6, 96, 3, 1],
    [6, 160, 3, 2],
    [6, 320, 1, 1],
  ];
  let inputChannel = makeDivisible(32 * widthMult, round);
  const lastChannel = makeDivisible(1280 * Math.max(1.0, widthMult), round);
  let x = net.convBnAct(input, 'features.0', { out: inputChannel, k: 3, s: 2 }, V2_EPS, 'relu6');
  let index = 1;
  for (const [t, c, n, s] of setting) {
    const outputChannel = makeDivisible(c * widthMult, round);
    for (let i = 0; i < n; i++) {
      const stride = i === 0 ? s : 1;
      const prefix = `features.${index++}.conv`;
      const hidden = Math.round(inputChannel * t);
      let y = x;
      let j = 0;
      if (t !== 1) y = net.convBnAct(y, `${prefix}.${j++}`, { out: hidden, k: 1 }, V2_EPS, 'relu6');
      y = net.convBnAct(y, `${prefix}.${j++}`, { out: hidden, k: 3, s: stride, groups: hidden }, V2_EPS, 'relu6');
      y = net.conv(y, `${prefix}.${j++}`, { out: outputChannel, k: 1 });
      y = net.bn(y, `${prefix}.${j++}`, V2_EPS);
      x = stride === 1 && inputChannel === outputChannel ? net.add(x, y) : y;
      inputChannel = outputChannel;
    }
  }
  x = net.convBnAct(x, `features.${index}`, { out: lastChannel, k: 1 }, V2_EPS, 'relu6');
  return net.linear(net.flatten(net.globalAvgPool(x)), 'classifier.1', numClasses);
}

// ---- MobileNetV3 ------------------------------------------------------------------------------------------------

const V3_EPS = 0.001;

/** InvertedResidualConfig(input, kernel, expanded, out, use_se, activation, stride, dilation), width_mult 1. */
type V3Block = [number, number, number, number, boolean, 'RE' | 'HS', number, number];

const V3_LARGE: V3Block[] = [
  [16, 3, 16, 16, false, 'RE', 1, 1],
  [16, 3, 64, 24, false, 'RE', 2, 1],
  [24, 3, 72, 24, false, 'RE', 1, 1],
  [24, 5, 72, 40, true, 'RE', 2, 1],
  [40, 5, 120, 40, true, 'RE', 1, 1],
  [40, 5, 120, 40, true, 'RE', 1, 1],
  [40, 3, 240, 80, false, 'HS', 2, 1],
  [80, 3, 200, 80, false, 'HS', 1, 1],
  [80, 3, 184, 80, false, 'HS', 1, 1],
  [80, 3, 184, 80, false, 'HS', 1, 1],
  [80, 3, 480, 112, true, 'HS', 1, 1],
  [112, 3, 672, 112, true, 'HS', 1, 1],
  [112, 5, 672, 160, true, 'HS', 2, 1],
  [160, 5, 960, 160, true, 'HS', 1, 1],
  [160, 5, 960, 160, true, 'HS', 1, 1],
];

const V3_SMALL: V3Block[] = [
  [16, 3, 16, 16, true, 'RE', 2, 1],
  [16, 3, 72, 24, false, 'RE', 2, 1],
  [24, 3, 88, 24, false, 'RE', 1, 1],
  [24, 5, 96, 40, true, 'HS', 2, 1],
  [40, 5, 240, 40, true, 'HS', 1, 1],
  [40, 5, 240, 40, true, 'HS', 1, 1],
  [40, 5, 120, 48, true, 'HS', 1, 1],
  [48, 5, 144, 48, true, 'HS', 1, 1],
  [48, 5, 288, 96, true, 'HS', 2, 1],
  [96, 5, 576, 96, true, 'HS', 1, 1],
  [96, 5, 576, 96, true, 'HS', 1, 1],
];

function mobilenetV3(setting: V3Block[], lastChannel: number) {
  return (net: Net, input: Feature, numClasses: number): Flat => {
    const adjust = (c: number) => makeDivisible(c * 1.0, 8);
    let x = net.convBnAct(input, 'features.0', { out: adjust(setting[0][0]), k: 3, s: 2 }, V3_EPS, 'hardswish');
    setting.forEach(([inC, kernel, expC, outC, useSe, activation, stride, dilation], i) => {
      const [cin, cexp, cout] = [adjust(inC), adjust(expC), adjust(outC)];
      const act = activation === 'HS' ? 'hardswish' : 'relu';
      const prefix = `features.${i + 1}.block`;
      let j = 0;
      let y = x;
      if (cexp !== cin) y = net.convBnAct(y, `${prefix}.${j++}`, { out: cexp, k: 1 }, V3_EPS, act);
      y = net.convBnAct(y, `${prefix}.${j++}`, { out: cexp, k: kernel, s: dilation > 1 ? 1 : stride, dilation, groups: cexp }, V3_EPS, act);
      if (useSe) y = net.squeezeExcitation(y, `${prefix}.${j++}`, makeDivisible(Math.floor(cexp / 4), 8), 'relu', 'hardsigmoid');
      y = net.convBnAct(y, `${prefix}.${j++}`, { out: cout, k: 1 }, V3_EPS, 'none');
      x = stride === 1 && cin === cout ? net.add(y, x) : y;
    });
    const lastIn = adjust(setting[setting.length - 1][3]);
    x = net.convBnAct(x, `features.${setting.length + 1}`, { out: 6 * lastIn, k: 1 }, V3_EPS, 'hardswish');
    let v = net.flatten(net.globalAvgPool(x));
    v = net.hardswish(net.linear(v, 'classifier.0', adjust(lastChannel)));
    return net.linear(v, 'classifier.3', numClasses);
  };
}

const common = { source: '', imageSize: 224, interpolation: 'bilinear' as const, classifierKey: '' };

export const MOBILENET_ARCHS: ArchSpec[] = [
  // MobileNet_V2_Weights.DEFAULT = IMAGENET1K_V2: resize 232.
  { ...common, name: 'mobilenet_v2', source: 'torchvision/models/mobilenetv2.py', resize: 232, classifierKey: 'classifier.1.weight', eps: V2_EPS, build: mobilenetV2 },
  // MobileNet_V3_Large_Weights.DEFAULT = IMAGENET1K_V2: resize 232; Small has only V1: resize 256.
  { ...common, name: 'mobilenet_v3_large', source: 'torchvision/models/mobilenetv3.py', resize: 232, classifierKey: 'classifier.3.weight', eps: V3_EPS, build: mobilenetV3(V3_LARGE, 1280) },
  { ...common, name: 'mobilenet_v3_small', source: 'torchvision/models/mobilenetv3.py', resize: 256, classifierKey: 'classifier.3.weight', eps: V3_EPS, build: mobilenetV3(V3_SMALL, 1024) },
];
