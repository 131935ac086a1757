/**
 * Shape checks for the three zoo catalogs (src/core/sources/{keras,torchvision,onnx-zoo}/catalog.ts): names, URLs,
 * hashes and library ids, exact counts (so a silently dropped entry fails), and spot checks against values read
 * in the upstream sources. Nothing here touches the network.
 */
import { describe, expect, it } from 'vitest';
import { isOmnihubError } from '../../src/core/errors.js';
import { parseEntryId } from '../../src/core/library/names.js';
import {
  KERAS_CATALOG,
  KERAS_MOBILENET_V2_ACCEPTED_ALPHAS,
  KERAS_MOBILENET_V2_ACCEPTED_ROWS,
  KERAS_MOBILENET_V2_PUBLISHED,
  findKerasWeights,
  kerasHashAlgorithm,
  kerasMobileNetV2FileName,
  kerasWeightsFor,
  libraryEntryIdFor as kerasLibraryId,
  resolveKerasWeights,
} from '../../src/core/sources/keras/catalog.js';
import {
  ONNX_ZOO_CATALOG,
  ONNX_ZOO_HF_RESOLVE_BASE,
  findOnnxZooModel,
  githubLfsMediaUrl,
  libraryEntryIdFor as onnxLibraryId,
  resolveOnnxZooModel,
} from '../../src/core/sources/onnx-zoo/catalog.js';
import {
  TORCHVISION_BUILDERS,
  TORCHVISION_CATALOG,
  TORCHVISION_DEFAULT_MEMBERS,
  findTorchvisionWeights,
  imagenetAcc1,
  libraryEntryIdFor as torchvisionLibraryId,
  resolveTorchvisionWeights,
  torchvisionHashPrefix,
} from '../../src/core/sources/torchvision/catalog.js';

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

function expectUnique(values: readonly string[]): void {
  expect(new Set(values).size).toBe(values.length);
}

function expectUsageError(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    expect(isOmnihubError(e) && e.code === 'usage').toBe(true);
    return;
  }
  throw new Error('expected an OmnihubError with code "usage"');
}

describe('Keras Applications catalog', () => {
  it('has exactly the files Keras downloads, per architecture', () => {
    expect(KERAS_CATALOG).toHaveLength(160);
    expect(countBy(KERAS_CATALOG, (e) => e.architecture)).toEqual({
      VGG16: 2, VGG19: 2,
      ResNet50: 2, ResNet101: 2, ResNet152: 2, ResNet50V2: 2, ResNet101V2: 2, ResNet152V2: 2,
      InceptionV3: 2, InceptionResNetV2: 2, Xception: 2,
      MobileNet: 32, MobileNetV2: 44, MobileNetV3Large: 6, MobileNetV3Small: 6,
      DenseNet121: 2, DenseNet169: 2, DenseNet201: 2,
      NASNetMobile: 2, NASNetLarge: 2,
      EfficientNetB0: 2, EfficientNetB1: 2, EfficientNetB2: 2, EfficientNetB3: 2,
      EfficientNetB4: 2, EfficientNetB5: 2, EfficientNetB6: 2, EfficientNetB7: 2,
      EfficientNetV2B0: 2, EfficientNetV2B1: 2, EfficientNetV2B2: 2, EfficientNetV2B3: 2,
      EfficientNetV2S: 2, EfficientNetV2M: 2, EfficientNetV2L: 2,
      ConvNeXtTiny: 2, ConvNeXtSmall: 2, ConvNeXtBase: 2, ConvNeXtLarge: 2, ConvNeXtXLarge: 2,
    });
    // Every architecture/variant has a top and a notop file.
    expect(countBy(KERAS_CATALOG, (e) => String(e.includeTop))).toEqual({ true: 80, false: 80 });
  });

  it('names, file names and library ids are non-empty and unique', () => {
    for (const e of KERAS_CATALOG) {
      expect(e.name.length).toBeGreaterThan(0);
      expect(e.fileName).toMatch(/^[A-Za-z0-9_.-]+\.h5$/);
    }
    expectUnique(KERAS_CATALOG.map((e) => e.name));
    expectUnique(KERAS_CATALOG.map((e) => e.fileName));
    expectUnique(KERAS_CATALOG.map(kerasLibraryId));
  });

  it('URLs are the keras-applications buckets on storage.googleapis.com, ending in the catalog name', () => {
    for (const e of KERAS_CATALOG) {
      const url = new URL(e.url);
      expect(url.protocol).toBe('https:');
      expect(url.host).toBe('storage.googleapis.com');
      if (e.architecture.startsWith('EfficientNetB')) {
        // efficientnet.py: BASE_WEIGHTS_PATH = "https://storage.googleapis.com/keras-applications/"
        expect(url.pathname).toMatch(/^\/keras-applications\/efficientnetb[0-7](_notop)?\.h5$/);
      } else {
        expect(url.pathname).toMatch(/^\/tensorflow\/keras-applications\/[a-z0-9_]+\/[A-Za-z0-9_.-]+\.h5$/);
      }
      expect(e.url.endsWith(`/keras-applications/${e.name}`)).toBe(true);
      // The cached name is the URL's last segment except for NASNet (URL NASNet-mobile.h5, fname nasnet_mobile.h5).
      const last = e.url.slice(e.url.lastIndexOf('/') + 1);
      if (e.architecture.startsWith('NASNet')) expect(last).not.toBe(e.fileName);
      else expect(last).toBe(e.fileName);
    }
  });

  it('has the hash Keras checks for every file it checks, with the algorithm get_file picks', () => {
    const unhashed = KERAS_CATALOG.filter((e) => !e.hash);
    // mobilenet.py and mobilenet_v2.py call get_file without file_hash.
    expect(new Set(unhashed.map((e) => e.architecture))).toEqual(new Set(['MobileNet', 'MobileNetV2']));
    expect(unhashed).toHaveLength(76);
    const hashed = KERAS_CATALOG.filter((e) => e.hash);
    expect(hashed).toHaveLength(84);
    for (const e of hashed) {
      const { algorithm, value } = e.hash!;
      expect(algorithm).toBe(kerasHashAlgorithm(value));
      if (e.architecture.startsWith('ConvNeXt')) expect(value).toMatch(/^[0-9a-f]{64}$/);
      else expect(value).toMatch(/^[0-9a-f]{32}$/);
      expect(algorithm).toBe(e.architecture.startsWith('ConvNeXt') ? 'sha256' : 'md5');
    }
    expectUnique(hashed.map((e) => e.hash!.value));
  });

  it('stages each file as keras/<fileName>', () => {
    for (const e of KERAS_CATALOG) {
      const id = kerasLibraryId(e);
      expect(id).toBe(`keras/${e.fileName}`);
      expect(parseEntryId(id)).toEqual({ framework: 'keras', name: e.fileName });
    }
  });

  it('spot checks: VGG19 notop, ConvNeXtTiny, NASNetMobile, EfficientNetB0, MobileNetV3', () => {
    const vgg19 = resolveKerasWeights('vgg19/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5');
    expect(vgg19.url).toBe(
      'https://storage.googleapis.com/tensorflow/keras-applications/vgg19/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5',
    );
    expect(vgg19.hash).toEqual({ algorithm: 'md5', value: '253f8cb515780f3b799900260a226db6' });
    expect(vgg19.libraryId).toBe('keras/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5');
    expect(vgg19.source).toEqual({ kind: 'keras', url: vgg19.url, catalogName: vgg19.catalogName });
    expect(resolveKerasWeights('keras:vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5').url).toBe(vgg19.url);

    expect(kerasWeightsFor('ConvNeXtTiny', true)?.hash).toEqual({
      algorithm: 'sha256',
      value: '8ae6e78ce2933352b1ef4008e6dd2f17bc40771563877d156bc6426c7cf503ff',
    });
    expect(kerasWeightsFor('ResNet50', false)?.hash?.value).toBe('4d473c1dd8becc155b73f8504c6f6626');

    const nasnet = findKerasWeights('nasnet_mobile.h5')!;
    expect(nasnet.url).toBe('https://storage.googleapis.com/tensorflow/keras-applications/nasnet/NASNet-mobile.h5');
    expect(nasnet.hash?.value).toBe('020fb642bf7360b370c678b08e0adf61');

    expect(kerasWeightsFor('EfficientNetB0', true)?.url).toBe('https://storage.googleapis.com/keras-applications/efficientnetb0.h5');
    expect(kerasWeightsFor('EfficientNetV2S', false)?.url).toBe(
      'https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/efficientnetv2-s_notop.h5',
    );
    expect(kerasWeightsFor('MobileNetV3Small', false, { minimalistic: true })?.fileName).toBe(
      'weights_mobilenet_v3_small_minimalistic_224_1.0_float_no_top_v2.h5',
    );
  });

  it('builds MobileNet names with keras formulas, only for values Keras accepts', () => {
    expect(kerasWeightsFor('MobileNet', true)?.fileName).toBe('mobilenet_1_0_224_tf.h5');
    expect(kerasWeightsFor('MobileNet', false, { alpha: 0.25, rows: 128 })?.fileName).toBe('mobilenet_2_5_128_tf_no_top.h5');
    expect(kerasWeightsFor('MobileNet', true, { alpha: 0.5, rows: 160 })?.url).toBe(
      'https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/mobilenet_5_0_160_tf.h5',
    );
    expect(kerasWeightsFor('MobileNetV2', true)?.fileName).toBe('mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5');
    expect(kerasWeightsFor('MobileNetV2', false, { alpha: 0.35, rows: 96 })?.fileName).toBe(
      'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96_no_top.h5',
    );
    expect(kerasMobileNetV2FileName(0.5, 128, true)).toBe('mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.5_128.h5');
    // Keras accepts 1.4 at 96 but no such file was published (keras-team/keras#16452: 404).
    expect(kerasWeightsFor('MobileNetV2', false, { alpha: 1.4, rows: 96 })).toBeUndefined();
    for (const [alpha, rows] of KERAS_MOBILENET_V2_PUBLISHED) {
      expect(KERAS_MOBILENET_V2_ACCEPTED_ALPHAS).toContain(alpha);
      expect(KERAS_MOBILENET_V2_ACCEPTED_ROWS).toContain(rows);
    }
    expect(KERAS_MOBILENET_V2_PUBLISHED).toHaveLength(22);
  });

  it('rejects names it does not know', () => {
    expect(findKerasWeights('vgg19/nope.h5')).toBeUndefined();
    expectUsageError(() => resolveKerasWeights('resnext50_weights_tf_dim_ordering_tf_kernels.h5'));
  });
});

describe('torchvision catalog', () => {
  it('has one row per WeightsEnum member of torchvision 0.29.1', () => {
    expect(TORCHVISION_CATALOG).toHaveLength(166);
    expect(countBy(TORCHVISION_CATALOG, (e) => e.task)).toEqual({
      classification: 115,
      'quantized-classification': 14,
      detection: 13,
      segmentation: 6,
      video: 10,
      'optical-flow': 8,
    });
    expect(Object.keys(TORCHVISION_BUILDERS)).toHaveLength(121);
    expect(Object.keys(TORCHVISION_DEFAULT_MEMBERS)).toHaveLength(121);
  });

  it('names, URLs, file names and library ids are non-empty and unique', () => {
    for (const e of TORCHVISION_CATALOG) {
      expect(e.weights).toMatch(/^[A-Za-z0-9_]+_(Quantized)?Weights\.[A-Z0-9_]+$/);
      expect(e.builder.length).toBeGreaterThan(0);
      expect(TORCHVISION_BUILDERS[e.builder]).toBe(e.weights.slice(0, e.weights.indexOf('.')));
    }
    expectUnique(TORCHVISION_CATALOG.map((e) => e.weights));
    expectUnique(TORCHVISION_CATALOG.map((e) => e.url));
    expectUnique(TORCHVISION_CATALOG.map((e) => e.fileName));
    expectUnique(TORCHVISION_CATALOG.map(torchvisionLibraryId));
  });

  it('URLs are download.pytorch.org/models/…pth and end in the file name', () => {
    for (const e of TORCHVISION_CATALOG) {
      const url = new URL(e.url);
      expect(url.protocol).toBe('https:');
      expect(url.host).toBe('download.pytorch.org');
      expect(url.pathname).toMatch(/^\/models\/(quantized\/)?[A-Za-z0-9_.-]+\.pth$/);
      expect(e.url.endsWith(`/${e.fileName}`)).toBe(true);
      if (e.task === 'quantized-classification') expect(url.pathname.startsWith('/models/quantized/')).toBe(true);
    }
  });

  it('stores the hash prefix torch.hub reads from each file name (8+ hex), null only where torch checks none', () => {
    for (const e of TORCHVISION_CATALOG) {
      expect(e.hashPrefix).toBe(torchvisionHashPrefix(e.fileName));
      if (e.hashPrefix !== null) {
        expect(e.hashPrefix).toMatch(/^[0-9a-f]{8,}$/);
        expect(e.fileName).toContain(`-${e.hashPrefix}.`);
      }
    }
    const unchecked = TORCHVISION_CATALOG.filter((e) => e.hashPrefix === null).map((e) => e.fileName);
    expect(unchecked.sort()).toEqual([
      'mobilenet_v2_qnnpack_37f702c5.pth',
      'resnet18_fbgemm_16fa66dd.pth',
      'resnet50_fbgemm_bf931d71.pth',
      'resnext101_32x8_fbgemm_09835ccf.pth',
    ]);
    // The example in torch/hub.py's comment: "matches bfd8deac from resnet18-bfd8deac.pth".
    expect(torchvisionHashPrefix('resnet18-bfd8deac.pth')).toBe('bfd8deac');
    expect(torchvisionHashPrefix('resnet18_fbgemm_16fa66dd.pth')).toBeNull();
  });

  it('every row has num_params; classification rows have ImageNet acc@1 except the VGG16 features weights', () => {
    for (const e of TORCHVISION_CATALOG) {
      expect(Number.isInteger(e.numParams) && e.numParams > 0).toBe(true);
      if (e.task === 'classification' && e.weights !== 'VGG16_Weights.IMAGENET1K_FEATURES') {
        expect(imagenetAcc1(e)).toBeGreaterThan(0);
      }
    }
  });

  it('stages each file as pytorch/<fileName>', () => {
    for (const e of TORCHVISION_CATALOG) {
      const id = torchvisionLibraryId(e);
      expect(id).toBe(`pytorch/${e.fileName}`);
      expect(parseEntryId(id)).toEqual({ framework: 'pytorch', name: e.fileName });
    }
  });

  it('every builder and every <Enum>.DEFAULT resolves', () => {
    for (const builder of Object.keys(TORCHVISION_BUILDERS)) {
      expect(findTorchvisionWeights(`torchvision:${builder}`)?.builder).toBe(builder);
    }
    for (const [enumName, member] of Object.entries(TORCHVISION_DEFAULT_MEMBERS)) {
      expect(findTorchvisionWeights(`${enumName}.DEFAULT`)?.weights).toBe(`${enumName}.${member}`);
    }
  });

  it('spot checks: resnet18, resnet50 default, vit_h_14 (SWAG licence), detection, quantized', () => {
    const r18 = resolveTorchvisionWeights('torchvision:resnet18');
    expect(r18.catalogName).toBe('ResNet18_Weights.IMAGENET1K_V1');
    expect(r18.url).toBe('https://download.pytorch.org/models/resnet18-f37072fd.pth');
    expect(r18.hashPrefix).toBe('f37072fd');
    expect(r18.libraryId).toBe('pytorch/resnet18-f37072fd.pth');
    expect(r18.entry.numParams).toBe(11689512);
    expect(imagenetAcc1(r18.entry)).toBe(69.758);
    expect(r18.source).toEqual({ kind: 'torchvision', url: r18.url, catalogName: 'ResNet18_Weights.IMAGENET1K_V1' });
    expect(resolveTorchvisionWeights('ResNet18_Weights.IMAGENET1K_V1').url).toBe(r18.url);

    expect(resolveTorchvisionWeights('resnet50').url).toBe('https://download.pytorch.org/models/resnet50-11ad3fa6.pth');
    expect(resolveTorchvisionWeights('ResNet50_Weights.DEFAULT').catalogName).toBe('ResNet50_Weights.IMAGENET1K_V2');
    expect(resolveTorchvisionWeights('torchvision:ResNet50_Weights.IMAGENET1K_V1').url).toBe(
      'https://download.pytorch.org/models/resnet50-0676ba61.pth',
    );

    const vit = resolveTorchvisionWeights('ViT_H_14_Weights.IMAGENET1K_SWAG_E2E_V1');
    expect(vit.url).toBe('https://download.pytorch.org/models/vit_h_14_swag-80465313.pth');
    expect(vit.licence).toBe('https://github.com/facebookresearch/SWAG/blob/main/LICENSE');

    expect(resolveTorchvisionWeights('fasterrcnn_resnet50_fpn').url).toBe(
      'https://download.pytorch.org/models/fasterrcnn_resnet50_fpn_coco-258fb6c6.pth',
    );
    const q = resolveTorchvisionWeights('quantized_resnet18');
    expect(q.url).toBe('https://download.pytorch.org/models/quantized/resnet18_fbgemm_16fa66dd.pth');
    expect(q.hashPrefix).toBeNull();
  });

  it('rejects names it does not know', () => {
    expect(findTorchvisionWeights('resnet19')).toBeUndefined();
    expect(findTorchvisionWeights('ResNet18_Weights.IMAGENET1K_V9')).toBeUndefined();
    expect(findTorchvisionWeights('Nope_Weights.DEFAULT')).toBeUndefined();
    expectUsageError(() => resolveTorchvisionWeights('torchvision:resnet19'));
  });
});

describe('ONNX Model Zoo catalog', () => {
  it('has the README-listed files of the validated folders it covers', () => {
    expect(ONNX_ZOO_CATALOG).toHaveLength(106);
    expect(countBy(ONNX_ZOO_CATALOG, (e) => e.task)).toEqual({
      'image-classification': 93,
      'object-detection': 7,
      'question-answering': 3,
      'text-generation': 2,
      preprocessing: 1,
    });
    const folders = new Set(ONNX_ZOO_CATALOG.map((e) => e.path.slice(0, e.path.lastIndexOf('/', e.path.lastIndexOf('/') - 1))));
    for (const folder of [
      'validated/vision/classification/resnet',
      'validated/vision/classification/mobilenet',
      'validated/vision/classification/squeezenet',
      'validated/vision/classification/vgg',
      'validated/vision/classification/alexnet',
      'validated/vision/classification/caffenet',
      'validated/vision/classification/densenet-121',
      'validated/vision/classification/inception_and_googlenet/googlenet',
      'validated/vision/classification/inception_and_googlenet/inception_v1',
      'validated/vision/classification/inception_and_googlenet/inception_v2',
      'validated/vision/classification/shufflenet',
      'validated/vision/classification/efficientnet-lite4',
      'validated/vision/classification/mnist',
      'validated/vision/object_detection_segmentation/ssd',
      'validated/vision/object_detection_segmentation/tiny-yolov2',
      'validated/vision/object_detection_segmentation/yolov3',
      'validated/vision/object_detection_segmentation/yolov4',
      'validated/text/machine_comprehension/bert-squad',
      'validated/text/machine_comprehension/gpt-2',
    ]) {
      expect(folders).toContain(folder);
    }
  });

  it('names, file names, paths and library ids are non-empty and unique', () => {
    for (const e of ONNX_ZOO_CATALOG) {
      expect(e.name.length).toBeGreaterThan(0);
      expect(e.title.length).toBeGreaterThan(0);
      expect(e.fileName).toBe(`${e.name}.onnx`);
      expect(e.path.endsWith(`/${e.fileName}`)).toBe(true);
    }
    expectUnique(ONNX_ZOO_CATALOG.map((e) => e.name));
    expectUnique(ONNX_ZOO_CATALOG.map((e) => e.path));
    expectUnique(ONNX_ZOO_CATALOG.map(onnxLibraryId));
  });

  it('URLs are the Hugging Face mirror resolve URLs of validated/ paths', () => {
    expect(ONNX_ZOO_HF_RESOLVE_BASE).toBe('https://huggingface.co/onnxmodelzoo/legacy_models/resolve/main/');
    for (const e of ONNX_ZOO_CATALOG) {
      const url = new URL(e.url);
      expect(url.protocol).toBe('https:');
      expect(url.host).toBe('huggingface.co');
      expect(url.pathname).toMatch(/^\/onnxmodelzoo\/legacy_models\/resolve\/main\/validated\/(vision|text)\/[A-Za-z0-9_./-]+\.onnx$/);
      expect(e.url).toBe(ONNX_ZOO_HF_RESOLVE_BASE + e.path);
      expect(githubLfsMediaUrl(e)).toBe(`https://media.githubusercontent.com/media/onnx/models/main/${e.path}`);
    }
  });

  it('sha256 and size come together from an LFS pointer, where one was read', () => {
    const hashed = ONNX_ZOO_CATALOG.filter((e) => e.sha256 !== undefined);
    expect(hashed).toHaveLength(22);
    for (const e of ONNX_ZOO_CATALOG) {
      expect(e.sha256 === undefined).toBe(e.size === undefined);
      expect(e.sha256 === undefined).toBe(e.lfsCommit === undefined);
      if (e.sha256 !== undefined) {
        expect(e.sha256).toMatch(/^[0-9a-f]{64}$/);
        expect(Number.isInteger(e.size) && e.size! > 0).toBe(true);
        expect(e.lfsCommit).toMatch(/^[0-9a-f]{40}$/);
      }
    }
    expectUnique(hashed.map((e) => e.sha256!));
  });

  it('opsets agree with the zoo naming convention <name>-<opset>[-int8|-qdq]', () => {
    for (const e of ONNX_ZOO_CATALOG) {
      if (e.opset === undefined) continue;
      expect(Number.isInteger(e.opset) && e.opset >= 1 && e.opset <= 21).toBe(true);
      const m = /-(\d+)(?:-(?:int8|qdq))?$/.exec(e.name);
      if (m && e.name !== 'yolov4') expect(Number(m[1])).toBe(e.opset);
    }
    expect(ONNX_ZOO_CATALOG.filter((e) => e.opset === undefined).map((e) => e.name)).toEqual(['bertsquad-12']);
  });

  it('stages each file as onnx/<fileName>', () => {
    for (const e of ONNX_ZOO_CATALOG) {
      const id = onnxLibraryId(e);
      expect(id).toBe(`onnx/${e.fileName}`);
      expect(parseEntryId(id)).toEqual({ framework: 'onnx', name: e.fileName });
    }
  });

  it('spot checks: resnet18-v2-7 and mnist-8 pointers, resnet50-v1-12, licences', () => {
    const r18 = resolveOnnxZooModel('onnx-zoo:resnet18-v2-7');
    expect(r18.url).toBe(
      'https://huggingface.co/onnxmodelzoo/legacy_models/resolve/main/validated/vision/classification/resnet/model/resnet18-v2-7.onnx',
    );
    expect(r18.sha256).toBe('3b4d048057854022232aa20bf68262e31718ab7119a17f920b8a2dc1433f824b');
    expect(r18.size).toBe(46806737);
    expect(r18.libraryId).toBe('onnx/resnet18-v2-7.onnx');
    expect(r18.licence).toBe('Apache 2.0');
    expect(r18.entry.opset).toBe(7);
    expect(r18.source).toEqual({
      kind: 'onnx-zoo',
      url: r18.url,
      repo: 'onnxmodelzoo/legacy_models',
      revision: 'main',
      path: 'validated/vision/classification/resnet/model/resnet18-v2-7.onnx',
      catalogName: 'resnet18-v2-7',
    });

    const mnist = findOnnxZooModel('mnist-8.onnx')!;
    expect(mnist.sha256).toBe('2f06e72de813a8635c9bc0397ac447a601bdbfa7df4bebc278723b958831c9bf');
    expect(mnist.size).toBe(26454);
    expect(mnist.opset).toBe(8);

    const r50 = findOnnxZooModel('resnet50-v1-12')!;
    expect(r50.metrics).toEqual({ top1: 74.97, top5: 92.33 });
    expect(r50.sha256).toBeUndefined();
    expect(findOnnxZooModel('validated/vision/classification/resnet/model/resnet50-v1-12.onnx')).toBe(r50);

    expect(findOnnxZooModel('bvlcalexnet-12')?.licence).toBe('BSD-3-Clause');
    expect(findOnnxZooModel('gpt2-10')?.licence).toBeUndefined();
  });

  it('rejects names it does not know', () => {
    expect(findOnnxZooModel('resnet18-v9-7')).toBeUndefined();
    expectUsageError(() => resolveOnnxZooModel('onnx-zoo:nope'));
  });
});
