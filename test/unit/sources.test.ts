// Source specs become download plans with the hash each source publishes, and the library id the issue names.
import { describe, expect, it } from 'vitest';
import { planDownload, frameworkForFileName } from '../../src/core/sources/resolve.js';
import { ONNX_ZOO_CATALOG } from '../../src/core/sources/onnx-zoo/catalog.js';

describe('planDownload', () => {
  it('keras: stages under keras/<file name> and checks the md5 Keras checks', async () => {
    const plan = await planDownload('keras:vgg19/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5');
    expect(plan.entry.id).toBe('keras/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5');
    const [d] = plan.downloads;
    expect(d.verification).toBe('md5');
    expect(d.request.expectedMd5).toBe('253f8cb515780f3b799900260a226db6');
    expect(d.request.url).toBe('https://storage.googleapis.com/tensorflow/keras-applications/vgg19/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5');
    expect(d.request.commitTo).toMatchObject({ entryId: plan.entry.id, path: 'vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5' });
  });

  it('torchvision: the default weights of a builder, checked by the sha256 prefix in the file name', async () => {
    const plan = await planDownload('torchvision:resnet18');
    expect(plan.entry.id).toBe('pytorch/resnet18-f37072fd.pth');
    expect(plan.downloads[0]).toMatchObject({ verification: 'sha256-prefix', request: { expectedSha256: 'f37072fd', url: 'https://download.pytorch.org/models/resnet18-f37072fd.pth' } });
  });

  it('onnx-zoo: the sha256 and size of the LFS pointer where known', async () => {
    const known = ONNX_ZOO_CATALOG.find((e) => e.sha256)!;
    const plan = await planDownload(`onnx-zoo:${known.name}`);
    expect(plan.entry.id).toBe(`onnx/${known.fileName}`);
    expect(plan.downloads[0]).toMatchObject({ verification: 'sha256', request: { expectedSha256: known.sha256, expectedSize: known.size } });
    expect(plan.downloads[0].request.url).toMatch(/^https:\/\/huggingface\.co\/onnxmodelzoo\/legacy_models\/resolve\/main\//);
  });

  it('a plain URL: framework from the extension, nothing to verify against', async () => {
    const plan = await planDownload('https://example.org/models/My%20Net.h5?download=1');
    expect(plan.entry.id).toBe('keras/My Net.h5');
    expect(plan.downloads[0].verification).toBe('none');
    expect(['model.onnx', 'w.pth', 'x.tflite', 'y.safetensors', 'z.keras'].map(frameworkForFileName)).toEqual(['onnx', 'pytorch', 'tflite', 'huggingface', 'keras']);
  });

  it('unknown sources and names are usage errors', async () => {
    await expect(planDownload('zoo:x')).rejects.toMatchObject({ code: 'usage' });
    await expect(planDownload('torchvision:no_such_net')).rejects.toMatchObject({ code: 'usage' });
    await expect(planDownload('hf:onlyowner')).rejects.toMatchObject({ code: 'usage' });
  });
});
