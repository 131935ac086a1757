/** The result type shared by the zip and legacy readers (re-exported from index.ts). */
import type { StateDict } from '../../weights/types.js';

export interface TorchFile {
  format: 'zip' | 'legacy' | 'torchscript';
  /**
   * The tensors of the state dict, flattened to dotted names ('features.0.weight'), in file order. For a training
   * checkpoint (a dict holding 'state_dict' / 'model_state_dict' / 'model' / 'state_dict_ema' …) the state dict
   * found inside. For TorchScript, every parameter/buffer/constant tensor with its attribute path.
   */
  tensors: StateDict;
  /** Where the state dict was found inside the top-level object, e.g. ['model_state_dict']; [] when it is the top level. */
  stateDictPath: string[];
  /** Short facts for the UI: other top-level keys of a checkpoint with scalar values (epoch: 12), storage devices seen ('mps' mapped to CPU), etc. */
  notes: string[];
}

export interface ReadTorchOptions {
  /**
   * Most bytes deflated zip entries may inflate to, together (default 4 GiB); also the most one strided tensor's
   * gathered copy may take. Stored entries and contiguous tensors are views and do not count.
   */
  maxInflatedBytes?: number;
}
