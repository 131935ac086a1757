/**
 * torchvision/models/efficientnet.py: EfficientNet B0–B7 (MBConv) and V2 S/M/L (FusedMBConv + MBConv).
 *
 * BatchNorm: B0–B4 use plain nn.BatchNorm2d (eps 1e-5); B5–B7 pass `partial(nn.BatchNorm2d, eps=0.001,
 * momentum=0.01)`; V2 passes `partial(nn.BatchNorm2d, eps=1e-03)`. Activation SiLU. MBConv.block = [expand
 * Conv2dNormActivation 1×1 when expanded ≠ input, depthwise k×k, SqueezeExcitation(expanded, max(1, input // 4),
 * SiLU, Sigmoid), project 1×1 without activation]; FusedMBConv.block = [fused k×k (stride) + project 1×1] or a single
 * k×k when expand ratio 1; residual when stride 1 and in = out (stochastic depth is the identity in eval mode).
 * features = [stem 3×3 s2, stages…, 1×1 → 4·last (V1) or 1280 (V2)]; avgpool; classifier = [Dropout, Linear].
 */
import { makeDivisible, type ArchSpec, type Feature, type Flat, type Net } from './layers.js';

/** MBConvConfig / FusedMBConvConfig: expand_ratio, kernel, stride, input_channels, out_channels, num_layers. */
interface StageConfig {
  fused: boolean;
  expand: number;
  kernel: number;
  stride: number;
  inC: number;
  outC: number;
  layers: number;
}

const V1_BASE: [number, number, number, number, number, number][] = [
  [1, 3, 1, 32, 16, 1],
  [6, 3, 2, 16, 24, 2],
  [6, 5, 2, 24, 40, 2],
  [6, 3, 2, 40, 80, 3],
  [6, 5, 1, 80, 112, 3],
  [6, 5, 2, 112, 192, 4],
  [6, 3, 1, 192, 320, 1],
];

function v1Config(widthMult: number, depthMult: number): StageConfig[] {
  return V1_BASE.map(([expand, kernel, stride, inC, outC, layers]) => ({
    fused: false,
    expand,
    kernel,
    stride,
    inC: makeDivisible(inC * widthMult, 8),
    outC: makeDivisible(outC * widthMult, 8),
    layers: Math.ceil(layers * depthMult),
  }));
}

const f = (expand: number, kernel: number, stride: number, inC: number, outC: number, layers: number): StageConfig => ({ fused: true, expand, kernel, stride, inC, outC, layers });
const m = (expand: number, kernel: number, stride: number, inC: number, outC: number, layers: number): StageConfig => ({ fused: false, expand, kernel, stride, inC: makeDivisible(inC, 8), outC: makeDivisible(outC, 8), layers });

const V2_S = [f(1, 3, 1, 24, 24, 2), f(4, 3, 2, 24, 48, 4), f(4, 3, 2, 48, 64, 4), m(4, 3, 2, 64, 128, 6), m(6, 3, 1, 128, 160, 9), m(6, 3, 2, 160, 256, 15)];
const V2_M = [f(1, 3, 1, 24, 24, 3), f(4, 3, 2, 24, 48, 5), f(4, 3, 2, 48, 80, 5), m(4, 3, 2, 80, 160, 7), m(6, 3, 1, 160, 176, 14), m(6, 3, 2, 176, 304, 18), m(6, 3, 1, 304, 512, 5)];
const V2_L = [f(1, 3, 1, 32, 32, 4), f(4, 3, 2, 32, 64, 7), f(4, 3, 2, 64, 96, 7), m(4, 3, 2, 96, 192, 10), m(6, 3, 1, 192, 224, 19), m(6, 3, 2, 224, 384, 25), m(6, 3, 1, 384, 640, 7)];

function mbconv(net: Net, x: Feature, prefix: string, cfg: StageConfig, inC: number, stride: number, eps: number): Feature {
  const expanded = makeDivisible(inC * cfg.expand, 8);
  let j = 0;
  let y = x;
  if (expanded !== inC) y = net.convBnAct(y, `${prefix}.${j++}`, { out: expanded, k: 1 }, eps, 'silu');
  y = net.convBnAct(y, `${prefix}.${j++}`, { out: expanded, k: cfg.kernel, s: stride, groups: expanded }, eps, 'silu');
  y = net.squeezeExcitation(y, `${prefix}.${j++}`, Math.max(1, Math.floor(inC / 4)), 'silu', 'sigmoid');
  return net.convBnAct(y, `${prefix}.${j++}`, { out: cfg.outC, k: 1 }, eps, 'none');
}

function fusedMbconv(net: Net, x: Feature, prefix: string, cfg: StageConfig, inC: number, stride: number, eps: number): Feature {
  const expanded = makeDivisible(inC * cfg.expand, 8);
  if (expanded !== inC) {
    const y = net.convBnAct(x, `${prefix}.0`, { out: expanded, k: cfg.kernel, s: stride }, eps, 'silu');
    return net.convBnAct(y, `${prefix}.1`, { out: cfg.outC, k: 1 }, eps, 'none');
  }
  return net.convBnAct(x, `${prefix}.0`, { out: cfg.outC, k: cfg.kernel, s: stride }, eps, 'silu');
}

function efficientnet(setting: StageConfig[], eps: number, lastChannel?: number) {
  return (net: Net, input: Feature, numClasses: number): Flat => {
    let x = net.convBnAct(input, 'features.0', { out: setting[0].inC, k: 3, s: 2 }, eps, 'silu');
    setting.forEach((cfg, s) => {
      for (let i = 0; i < cfg.layers; i++) {
        const inC = i === 0 ? cfg.inC : cfg.outC;
        const stride = i === 0 ? cfg.stride : 1;
        const prefix = `features.${s + 1}.${i}.block`;
        const y = (cfg.fused ? fusedMbconv : mbconv)(net, x, prefix, cfg, inC, stride, eps);
        x = stride === 1 && inC === cfg.outC ? net.add(y, x) : y;
      }
    });
    const lastIn = setting[setting.length - 1].outC;
    x = net.convBnAct(x, `features.${setting.length + 1}`, { out: lastChannel ?? 4 * lastIn, k: 1 }, eps, 'silu');
    return net.linear(net.flatten(net.globalAvgPool(x)), 'classifier.1', numClasses);
  };
}

interface Variant {
  name: string;
  setting: StageConfig[];
  eps: number;
  lastChannel?: number;
  crop: number;
  resize: number;
  interpolation: 'bilinear' | 'bicubic';
  half?: boolean;
}

// Crop/resize/interpolation: the DEFAULT weights' transforms (EfficientNet_B1_Weights.DEFAULT = IMAGENET1K_V2).
const VARIANTS: Variant[] = [
  { name: 'efficientnet_b0', setting: v1Config(1.0, 1.0), eps: 1e-5, crop: 224, resize: 256, interpolation: 'bicubic' },
  { name: 'efficientnet_b1', setting: v1Config(1.0, 1.1), eps: 1e-5, crop: 240, resize: 255, interpolation: 'bilinear' },
  { name: 'efficientnet_b2', setting: v1Config(1.1, 1.2), eps: 1e-5, crop: 288, resize: 288, interpolation: 'bicubic' },
  { name: 'efficientnet_b3', setting: v1Config(1.2, 1.4), eps: 1e-5, crop: 300, resize: 320, interpolation: 'bicubic' },
  { name: 'efficientnet_b4', setting: v1Config(1.4, 1.8), eps: 1e-5, crop: 380, resize: 384, interpolation: 'bicubic' },
  { name: 'efficientnet_b5', setting: v1Config(1.6, 2.2), eps: 1e-3, crop: 456, resize: 456, interpolation: 'bicubic' },
  { name: 'efficientnet_b6', setting: v1Config(1.8, 2.6), eps: 1e-3, crop: 528, resize: 528, interpolation: 'bicubic' },
  { name: 'efficientnet_b7', setting: v1Config(2.0, 3.1), eps: 1e-3, crop: 600, resize: 600, interpolation: 'bicubic' },
  { name: 'efficientnet_v2_s', setting: V2_S, eps: 1e-3, lastChannel: 1280, crop: 384, resize: 384, interpolation: 'bilinear' },
  { name: 'efficientnet_v2_m', setting: V2_M, eps: 1e-3, lastChannel: 1280, crop: 480, resize: 480, interpolation: 'bilinear' },
  { name: 'efficientnet_v2_l', setting: V2_L, eps: 1e-3, lastChannel: 1280, crop: 480, resize: 480, interpolation: 'bicubic', half: true },
];

export const EFFICIENTNET_ARCHS: ArchSpec[] = VARIANTS.map((v) => ({
  name: v.name,
  source: 'torchvision/models/efficientnet.py',
  imageSize: v.crop,
  resize: v.resize,
  interpolation: v.interpolation,
  ...(v.half ? { mean: [0.5, 0.5, 0.5] as [number, number, number], std: [0.5, 0.5, 0.5] as [number, number, number] } : {}),
  classifierKey: 'classifier.1.weight',
  eps: v.eps,
  build: efficientnet(v.setting, v.eps, v.lastChannel),
}));
