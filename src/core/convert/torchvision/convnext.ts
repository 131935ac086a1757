/**
 * torchvision/models/convnext.py. LayerNorm2d(eps=1e-6) = LayerNorm over the channels of an NCHW map (permute to
 * NHWC, layer_norm, permute back); CNBlock.block = [dw Conv 7×7 pad 3 (bias), Permute, LayerNorm(eps=1e-6),
 * Linear(dim, 4·dim), GELU (exact, erf), Linear(4·dim, dim), Permute]; out = layer_scale · block(x) + x (stochastic
 * depth is the identity in eval mode). features = [stem (Conv 4×4 s4 with bias, LayerNorm2d), stage, downsample
 * (LayerNorm2d, Conv 2×2 s2), stage, …]; avgpool; classifier = [LayerNorm2d, Flatten, Linear].
 *
 * The Linear layers act on the channel axis, so they are written as 1×1 convolutions on the NCHW map (the same
 * weight bytes, viewed as [out, in, 1, 1]).
 */
import type { ArchSpec, Feature, Flat, Net } from './layers.js';

const EPS = 1e-6;

/** LayerNorm over channels (LayerNorm2d, or nn.LayerNorm on the permuted map). */
function layerNorm2d(net: Net, x: Feature, prefix: string): Feature {
  const nhwc = net.op('Transpose', [x.name], { perm: [0, 2, 3, 1] });
  const scale = net.param(`${prefix}.weight`, [x.c]);
  const bias = net.param(`${prefix}.bias`, [x.c]);
  const normed = net.op('LayerNormalization', [nhwc, scale, bias], { axis: -1, epsilon: { float: EPS } }, prefix);
  return { ...x, name: net.op('Transpose', [normed], { perm: [0, 3, 1, 2] }) };
}

/** nn.Linear on the channel axis of an NCHW map: a 1×1 convolution with the Linear's weight viewed as [out, in, 1, 1]. */
function channelLinear(net: Net, x: Feature, prefix: string, out: number): Feature {
  const w = net.param(`${prefix}.weight`, [out, x.c], 'param', [out, x.c, 1, 1]);
  const b = net.param(`${prefix}.bias`, [out]);
  return { ...x, c: out, name: net.op('Conv', [x.name, w, b], { kernel_shape: [1, 1] }, prefix) };
}

/** nn.GELU() (approximate='none'): 0.5 · x · (1 + erf(x / √2)). */
function gelu(net: Net, x: Feature): Feature {
  const erf = net.op('Erf', [net.op('Mul', [x.name, net.scalar('inv_sqrt2', Math.SQRT1_2)])]);
  const onePlus = net.op('Add', [erf, net.scalar('one', 1)]);
  return { ...x, name: net.op('Mul', [net.op('Mul', [x.name, onePlus]), net.scalar('half', 0.5)], {}, 'gelu') };
}

function block(net: Net, x: Feature, prefix: string): Feature {
  let y = net.conv(x, `${prefix}.block.0`, { out: x.c, k: 7, p: 3, groups: x.c, bias: true });
  y = layerNorm2d(net, y, `${prefix}.block.2`);
  y = gelu(net, channelLinear(net, y, `${prefix}.block.3`, 4 * x.c));
  y = channelLinear(net, y, `${prefix}.block.5`, x.c);
  const scale = net.param(`${prefix}.layer_scale`, [x.c, 1, 1]);
  y = { ...y, name: net.op('Mul', [scale, y.name], {}, `${prefix}.layer_scale`) };
  return net.add(y, x);
}

/** CNBlockConfig(input_channels, out_channels, num_layers). */
type Setting = [number, number | null, number][];

function convnext(setting: Setting) {
  return (net: Net, input: Feature, numClasses: number): Flat => {
    let x = net.conv(input, 'features.0.0', { out: setting[0][0], k: 4, s: 4, bias: true });
    x = layerNorm2d(net, x, 'features.0.1');
    let index = 1;
    for (const [, out, layers] of setting) {
      const stage = index++;
      for (let i = 0; i < layers; i++) x = block(net, x, `features.${stage}.${i}`);
      if (out !== null) {
        const down = index++;
        x = layerNorm2d(net, x, `features.${down}.0`);
        x = net.conv(x, `features.${down}.1`, { out, k: 2, s: 2, bias: true });
      }
    }
    x = layerNorm2d(net, net.globalAvgPool(x), 'classifier.0');
    return net.linear(net.flatten(x), 'classifier.2', numClasses);
  };
}

const spec = (name: string, setting: Setting, resize: number): ArchSpec => ({
  name,
  source: 'torchvision/models/convnext.py',
  imageSize: 224,
  resize,
  interpolation: 'bilinear',
  classifierKey: 'classifier.2.weight',
  build: convnext(setting),
  notes: ['LayerNorm (eps 1e-6) over the channels; GELU exact (erf); layer_scale applied; stochastic depth left out'],
});

export const CONVNEXT_ARCHS: ArchSpec[] = [
  spec('convnext_tiny', [[96, 192, 3], [192, 384, 3], [384, 768, 9], [768, null, 3]], 236),
  spec('convnext_small', [[96, 192, 3], [192, 384, 3], [384, 768, 27], [768, null, 3]], 230),
  spec('convnext_base', [[128, 256, 3], [256, 512, 3], [512, 1024, 27], [1024, null, 3]], 232),
  spec('convnext_large', [[192, 384, 3], [384, 768, 3], [768, 1536, 27], [1536, null, 3]], 232),
];
