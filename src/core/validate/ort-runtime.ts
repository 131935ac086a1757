/**
 * `CompareRuntime` on onnxruntime-web (its Node build in the CLI and tests, its wasm build in the browser). Kept out
 * of compare.ts so the core does not load onnxruntime unless a caller asks for it.
 */
import * as ort from 'onnxruntime-web';
import type { CompareRuntime, CompareSession, RuntimeTensorLike } from './compare.js';
import { OmnihubError } from '../errors.js';

/** onnxruntime's own message, without its C++ source locations, behind a sentence saying what failed. */
function runtimeError(what: string, e: unknown): OmnihubError {
  const message = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').trim();
  return new OmnihubError('runtime', `onnxruntime ${what}: ${message}`, { cause: e });
}

export interface OrtRuntimeOptions {
  /** wasm threads (default 1: the same on every machine, and no worker start-up in Node). */
  numThreads?: number;
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /** Backends in order of preference (default wasm only); 'webgpu' exists in browsers that have WebGPU. */
  executionProviders?: Array<'wasm' | 'webgpu'>;
}

export function ortRuntime(options: OrtRuntimeOptions = {}): CompareRuntime {
  ort.env.wasm.numThreads = options.numThreads ?? 1;
  // Old-opset models make onnxruntime warn on every session; only errors matter here.
  ort.env.logLevel = 'error';
  return {
    async createSession(model: Uint8Array): Promise<CompareSession> {
      let session: ort.InferenceSession;
      try {
        session = await ort.InferenceSession.create(model, {
          executionProviders: options.executionProviders ?? ['wasm'],
          graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
          // Errors only: old-opset models and weights listed as inputs make onnxruntime warn once per tensor.
          logSeverityLevel: 3,
        });
      } catch (e) {
        throw runtimeError('cannot load the model', e);
      }
      return {
        inputNames: session.inputNames,
        outputNames: session.outputNames,
        async run(feeds) {
          const inputs: Record<string, ort.Tensor> = {};
          for (const [name, t] of Object.entries(feeds)) inputs[name] = new ort.Tensor(t.type as ort.Tensor.Type, t.data as never, t.dims);
          let out: ort.InferenceSession.OnnxValueMapType;
          try {
            out = await session.run(inputs);
          } catch (e) {
            throw runtimeError('failed to run the model', e);
          }
          const result: Record<string, RuntimeTensorLike> = {};
          for (const [name, t] of Object.entries(out)) result[name] = { type: t.type, data: t.data as RuntimeTensorLike['data'], dims: t.dims };
          return result;
        },
        release: () => session.release(),
      };
    },
  };
}
