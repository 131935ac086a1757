/**
 * torchvision/models/regnet.py: RegNetX / RegNetY. BatchNorm2d(eps=1e-05, momentum=0.1); ReLU.
 *
 * stem = Conv2dNormActivation(3 → 32, 3×3, s2); trunk_output.block{i} = AnyStage of ResBottleneckBlock named
 * `block{i}-{j}`: proj (1×1 conv + BN, stride) when the shape changes, f = BottleneckTransform [a: 1×1, b: 3×3 grouped
 * (groups = w_b // group_width, stride), se (RegNetY: SqueezeExcitation(w_b, round(0.25 · width_in)), ReLU,
 * Sigmoid), c: 1×1 without activation]; out = ReLU(proj(x) + f(x)); avgpool; fc.
 *
 * The stage widths and depths come from BlockParams.from_init_params, which torch computes in float32 (arange ·
 * w_a + w_0, log, pow, round half to even): done here the same way with Math.fround.
 */
import { makeDivisible, type ArchSpec, type Feature, type Flat, type Net } from './layers.js';

const EPS = 1e-5;
const f = Math.fround;

/** torch.round / Python round: half to even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

interface Params {
  depth: number;
  w0: number;
  wa: number;
  wm: number;
  groupWidth: number;
  se?: number;
}

interface Stage {
  width: number;
  depth: number;
  groupWidth: number;
}

function blockParams(p: Params): Stage[] {
  const widths: number[] = [];
  const logWm = f(Math.log(p.wm));
  for (let i = 0; i < p.depth; i++) {
    const cont = f(f(i * f(p.wa)) + p.w0);
    const capacity = roundHalfEven(f(f(Math.log(f(cont / p.w0))) / logWm));
    const w = f(p.w0 * f(Math.pow(f(p.wm), capacity)));
    widths.push(roundHalfEven(f(w / 8)) * 8);
  }
  const stages: Stage[] = [];
  for (const w of widths) {
    const last = stages[stages.length - 1];
    if (last && last.width === w) last.depth += 1;
    else stages.push({ width: w, depth: 1, groupWidth: p.groupWidth });
  }
  // _adjust_widths_groups_compatibilty with bottleneck multiplier 1
  for (const s of stages) {
    const g = Math.min(s.groupWidth, s.width);
    s.width = makeDivisible(s.width, g);
    s.groupWidth = g;
  }
  return stages;
}

function regnet(p: Params) {
  return (net: Net, input: Feature, numClasses: number): Flat => {
    let x = net.convBnAct(input, 'stem', { out: 32, k: 3, s: 2 }, EPS, 'relu');
    blockParams(p).forEach((stage, i) => {
      for (let j = 0; j < stage.depth; j++) {
        const prefix = `trunk_output.block${i + 1}.block${i + 1}-${j}`;
        const stride = j === 0 ? 2 : 1;
        const widthIn = x.c;
        const wb = stage.width;
        let y = net.convBnAct(x, `${prefix}.f.a`, { out: wb, k: 1 }, EPS, 'relu');
        y = net.convBnAct(y, `${prefix}.f.b`, { out: wb, k: 3, s: stride, groups: Math.floor(wb / stage.groupWidth) }, EPS, 'relu');
        if (p.se) y = net.squeezeExcitation(y, `${prefix}.f.se`, roundHalfEven(p.se * widthIn), 'relu', 'sigmoid');
        y = net.convBnAct(y, `${prefix}.f.c`, { out: stage.width, k: 1 }, EPS, 'none');
        const shortcut = widthIn !== stage.width || stride !== 1 ? net.convBnAct(x, `${prefix}.proj`, { out: stage.width, k: 1, s: stride }, EPS, 'none') : x;
        x = net.relu(net.add(shortcut, y));
      }
    });
    return net.linear(net.flatten(net.globalAvgPool(x)), 'fc', numClasses);
  };
}

const spec = (name: string, p: Params, crop = 224, resize = 232, interpolation: 'bilinear' | 'bicubic' = 'bilinear'): ArchSpec => ({
  name,
  source: 'torchvision/models/regnet.py',
  imageSize: crop,
  resize,
  interpolation,
  classifierKey: 'fc.weight',
  eps: EPS,
  build: regnet(p),
});

// Transforms of the DEFAULT weights: IMAGENET1K_V2 (crop 224, resize 232) for all but regnet_y_128gf, whose only
// weights are IMAGENET1K_SWAG_E2E_V1 (crop 384, resize 384, bicubic).
export const REGNET_ARCHS: ArchSpec[] = [
  spec('regnet_y_400mf', { depth: 16, w0: 48, wa: 27.89, wm: 2.09, groupWidth: 8, se: 0.25 }),
  spec('regnet_y_800mf', { depth: 14, w0: 56, wa: 38.84, wm: 2.4, groupWidth: 16, se: 0.25 }),
  spec('regnet_y_1_6gf', { depth: 27, w0: 48, wa: 20.71, wm: 2.65, groupWidth: 24, se: 0.25 }),
  spec('regnet_y_3_2gf', { depth: 21, w0: 80, wa: 42.63, wm: 2.66, groupWidth: 24, se: 0.25 }),
  spec('regnet_y_8gf', { depth: 17, w0: 192, wa: 76.82, wm: 2.19, groupWidth: 56, se: 0.25 }),
  spec('regnet_y_16gf', { depth: 18, w0: 200, wa: 106.23, wm: 2.48, groupWidth: 112, se: 0.25 }),
  spec('regnet_y_32gf', { depth: 20, w0: 232, wa: 115.89, wm: 2.53, groupWidth: 232, se: 0.25 }),
  spec('regnet_y_128gf', { depth: 27, w0: 456, wa: 160.83, wm: 2.52, groupWidth: 264, se: 0.25 }, 384, 384, 'bicubic'),
  spec('regnet_x_400mf', { depth: 22, w0: 24, wa: 24.48, wm: 2.54, groupWidth: 16 }),
  spec('regnet_x_800mf', { depth: 16, w0: 56, wa: 35.73, wm: 2.28, groupWidth: 16 }),
  spec('regnet_x_1_6gf', { depth: 18, w0: 80, wa: 34.01, wm: 2.25, groupWidth: 24 }),
  spec('regnet_x_3_2gf', { depth: 25, w0: 88, wa: 26.31, wm: 2.25, groupWidth: 48 }),
  spec('regnet_x_8gf', { depth: 23, w0: 80, wa: 49.56, wm: 2.88, groupWidth: 120 }),
  spec('regnet_x_16gf', { depth: 22, w0: 216, wa: 55.59, wm: 2.1, groupWidth: 128 }),
  spec('regnet_x_32gf', { depth: 23, w0: 320, wa: 69.86, wm: 2.0, groupWidth: 168 }),
];
