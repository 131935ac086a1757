/** Graph plumbing: Const, Identity-like ops, NoOp, placeholders that were not fed. */
import { OmnihubError } from '../../../errors.js';
import { unsupportedNode } from '../context.js';
import { attrTensor, attrType, tfTypeName } from '../proto.js';
import { tensorProtoToConst } from '../tensors.js';
import { alias, type OpConverter } from './common.js';

const identity: OpConverter = (ctx, node) => ctx.set(node, 0, alias(ctx.input(node, 0)));

export const BASIC_OPS: Record<string, OpConverter> = {
  Const: (ctx, node) => {
    const t = attrTensor(node, 'value');
    if (!t) throw unsupportedNode(node, 'the constant has no value attribute');
    ctx.set(node, 0, ctx.fromConst(tensorProtoToConst(t, `Const '${node.name}'`), node.name ?? undefined));
  },
  Identity: identity,
  Snapshot: identity,
  StopGradient: identity,
  PreventGradient: identity,
  EnsureShape: identity,
  CheckNumerics: identity,
  PlaceholderWithDefault: (ctx, node) => {
    ctx.notes.push(`PlaceholderWithDefault '${node.name}' is not an input here: its default value is used.`);
    identity(ctx, node);
  },
  IdentityN: (ctx, node) => ctx.inputs(node).forEach((v, i) => ctx.set(node, i, alias(v))),
  NoOp: () => {},
  Placeholder: (_ctx, node) => {
    throw new OmnihubError('usage', `TensorFlow Placeholder '${node.name}' (${tfTypeName(attrType(node, 'dtype'))}) is needed but is not among the inputs; add '${node.name}:0' to the inputs.`);
  },
};
