/**
 * Catalog of every weights file Keras Applications downloads itself (`keras.applications.*` with
 * `weights="imagenet"`), with the URL, the name Keras caches it under and the hash Keras checks.
 *
 * Source, read file by file (values copied, nothing derived except where a formula says so):
 *   keras-team/keras, keras/src/applications/*.py (Keras 3), as stored at
 *     vgg16.py            51d7e77046f5b562fbde669068a29b4b33e1f745
 *     vgg19.py            3859fb42a8e103c6d8f1c5dd9e219d9e59a8e522
 *     resnet.py           51d7e77046f5b562fbde669068a29b4b33e1f745 (WEIGHTS_HASHES; same table at 040582fc…)
 *     resnet_v2.py        51d7e77046f5b562fbde669068a29b4b33e1f745 (weights_name -> resnet.WEIGHTS_HASHES)
 *     inception_v3.py     040582fc160b1080954ddc1f554dd70fbbb1da5a
 *     inception_resnet_v2.py 3859fb42a8e103c6d8f1c5dd9e219d9e59a8e522
 *     xception.py         08995a4075f856a327401c15a820964af54c2caa
 *     mobilenet.py        0e96cb80514b9d02e9b9bf9c38b7bd0d23b43055
 *     mobilenet_v2.py     08995a4075f856a327401c15a820964af54c2caa
 *     mobilenet_v3.py     08995a4075f856a327401c15a820964af54c2caa
 *     densenet.py         040582fc160b1080954ddc1f554dd70fbbb1da5a
 *     nasnet.py           1937d487b0ee4cf265051c7bd0524f2fd1a2cb51
 *     efficientnet.py     1937d487b0ee4cf265051c7bd0524f2fd1a2cb51
 *     efficientnet_v2.py  0c07bd6503f2f73d9b3a7a40906bd501edb6c783
 *     convnext.py         4f6900acedee6e08df03a260bf5553c7304a89df
 *     keras/src/utils/file_utils.py 039963496d61775af2766af6ea3f28574061cc75 (get_file, resolve_hasher)
 *   and cross-checked against the same files in the released keras 3.15.1 wheel (keras-3.15.1-py3-none-any.whl,
 *   keras/src/applications/*.py): the set of hashes (and their top/notop order in every WEIGHTS_HASHES tuple), the
 *   base URLs and the file-name formulas are identical.
 *
 * How Keras uses these values (file_utils.get_file):
 *   - it downloads `origin` (our `url`) to `~/.keras/<cache_subdir>/<fname>`; every application passes
 *     cache_subdir="models" and its own `fname` (our `fileName`), which is usually, but not always, the URL's last
 *     segment (NASNet: URL `NASNet-mobile.h5`, cached as `nasnet_mobile.h5`);
 *   - it checks `file_hash` with hash_algorithm="auto": resolve_hasher picks sha256 when the hex string is 64
 *     characters long and md5 otherwise. So the 32-hex hashes below are md5 and the 64-hex ones (ConvNeXt) sha256;
 *   - MobileNet (v1) and MobileNetV2 call get_file without a hash: Keras checks nothing for those files.
 *
 * Library entries: a file stages as `keras/<fileName>` (framework 'keras', entry name = the name Keras caches it
 * under), e.g. `vgg19/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5` -> `keras/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5`.
 *
 * Not included: ResNeXt50/101 hashes sit in resnet.WEIGHTS_HASHES but Keras 3 exports no ResNeXt builder, so Keras
 * never downloads those files; no licence is recorded because the Keras sources state none for the weights.
 */
import { OmnihubError } from '../../errors.js';
import { entryId, type EntrySource } from '../../library/types.js';

export type KerasHashAlgorithm = 'md5' | 'sha256';

export interface KerasFileHash {
  algorithm: KerasHashAlgorithm;
  /** Lowercase hex, exactly as in the Keras source. */
  value: string;
}

export interface KerasWeightsEntry {
  /** Catalog name: the URL path below `…/keras-applications/`, e.g. `vgg19/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5`. */
  name: string;
  /** The `keras.applications` builder that downloads the file (`VGG19`, `MobileNetV3Small`, …). */
  architecture: string;
  includeTop: boolean;
  /** `origin` passed to get_file. */
  url: string;
  /** `fname` passed to get_file: the name Keras caches the file under (in `~/.keras/models/`). */
  fileName: string;
  /** `file_hash` passed to get_file, with the algorithm Keras' "auto" mode picks for it; absent when Keras checks none. */
  hash?: KerasFileHash;
  /** Builder arguments that select this file (MobileNets only). */
  variant?: { alpha: number; rows: number; minimalistic?: boolean };
  /** File in keras/src/applications/ that names this file. */
  sourceFile: string;
}

/** Bucket folder used by every application except EfficientNet (v1). */
export const KERAS_APPLICATIONS_BASE_URL = 'https://storage.googleapis.com/tensorflow/keras-applications/';
/** efficientnet.py: BASE_WEIGHTS_PATH = "https://storage.googleapis.com/keras-applications/" (a different bucket). */
export const KERAS_EFFICIENTNET_BASE_URL = 'https://storage.googleapis.com/keras-applications/';
/** Every application calls get_file(..., cache_subdir="models"). */
export const KERAS_CACHE_SUBDIR = 'models';

/** file_utils.resolve_hasher with algorithm="auto": 64 hex characters -> sha256, anything else -> md5. */
export function kerasHashAlgorithm(fileHash: string): KerasHashAlgorithm {
  return fileHash.length === 64 ? 'sha256' : 'md5';
}

function hashOf(value: string): KerasFileHash {
  return { algorithm: kerasHashAlgorithm(value), value };
}

/** One entry whose URL is `<base><folder>/<urlFile>` and whose cache name is `fileName`. */
function file(
  sourceFile: string,
  architecture: string,
  includeTop: boolean,
  urlPath: string,
  fileName: string,
  fileHash?: string,
  base: string = KERAS_APPLICATIONS_BASE_URL,
): KerasWeightsEntry {
  const entry: KerasWeightsEntry = { name: urlPath, architecture, includeTop, url: base + urlPath, fileName, sourceFile };
  if (fileHash !== undefined) entry.hash = hashOf(fileHash);
  return entry;
}

/** The common `<folder>/<fileName>` case, where the URL's last segment is the cache name. */
function same(
  sourceFile: string,
  architecture: string,
  includeTop: boolean,
  folder: string,
  fileName: string,
  fileHash?: string,
): KerasWeightsEntry {
  return file(sourceFile, architecture, includeTop, `${folder}/${fileName}`, fileName, fileHash);
}

// --- vgg16.py / vgg19.py: WEIGHTS_PATH, WEIGHTS_PATH_NO_TOP and the get_file calls ---------------------------------
const VGG: KerasWeightsEntry[] = [
  same('vgg16.py', 'VGG16', true, 'vgg16', 'vgg16_weights_tf_dim_ordering_tf_kernels.h5', '64373286793e3c8b2b4e3219cbf3544b'),
  same('vgg16.py', 'VGG16', false, 'vgg16', 'vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5', '6d6bbae143d832006294945121d1f1fc'),
  same('vgg19.py', 'VGG19', true, 'vgg19', 'vgg19_weights_tf_dim_ordering_tf_kernels.h5', 'cbe5617147190e668d6c5d5026f83318'),
  same('vgg19.py', 'VGG19', false, 'vgg19', 'vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5', '253f8cb515780f3b799900260a226db6'),
];

// --- resnet.py: BASE_WEIGHTS_PATH = …/keras-applications/resnet/, WEIGHTS_HASHES[weights_name] = (top, notop);
// file_name = weights_name + "_weights_tf_dim_ordering_tf_kernels[_notop].h5". resnet_v2.py reuses resnet.ResNet.
const RESNET_HASHES: ReadonlyArray<[architecture: string, weightsName: string, sourceFile: string, top: string, notop: string]> = [
  ['ResNet50', 'resnet50', 'resnet.py', '2cb95161c43110f7111970584f804107', '4d473c1dd8becc155b73f8504c6f6626'],
  ['ResNet101', 'resnet101', 'resnet.py', 'f1aeb4b969a6efcfb50fad2f0c20cfc5', '88cf7a10940856eca736dc7b7e228a21'],
  ['ResNet152', 'resnet152', 'resnet.py', '100835be76be38e30d865e96f2aaae62', 'ee4c566cf9a93f14d82f913c2dc6dd0c'],
  ['ResNet50V2', 'resnet50v2', 'resnet_v2.py', '3ef43a0b657b3be2300d5770ece849e0', 'fac2f116257151a9d068a22e544a4917'],
  ['ResNet101V2', 'resnet101v2', 'resnet_v2.py', '6343647c601c52e1368623803854d971', 'c0ed64b8031c3730f411d2eb4eea35b5'],
  ['ResNet152V2', 'resnet152v2', 'resnet_v2.py', 'a49b44d1979771252814e80f8ec446f9', 'ed17cf2e0169df9d443503ef94b23b33'],
];
const RESNET: KerasWeightsEntry[] = RESNET_HASHES.flatMap(([architecture, weightsName, sourceFile, top, notop]) => [
  same(sourceFile, architecture, true, 'resnet', `${weightsName}_weights_tf_dim_ordering_tf_kernels.h5`, top),
  same(sourceFile, architecture, false, 'resnet', `${weightsName}_weights_tf_dim_ordering_tf_kernels_notop.h5`, notop),
]);

// --- inception_v3.py, inception_resnet_v2.py, xception.py ---------------------------------------------------------
const INCEPTION_XCEPTION: KerasWeightsEntry[] = [
  same('inception_v3.py', 'InceptionV3', true, 'inception_v3', 'inception_v3_weights_tf_dim_ordering_tf_kernels.h5', '9a0d58056eeedaa3f26cb7ebd46da564'),
  same('inception_v3.py', 'InceptionV3', false, 'inception_v3', 'inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5', 'bcbd6486424b2319ff4ef7d526e38f63'),
  same('inception_resnet_v2.py', 'InceptionResNetV2', true, 'inception_resnet_v2', 'inception_resnet_v2_weights_tf_dim_ordering_tf_kernels.h5', 'e693bd0210a403b3192acc6073ad2e96'),
  same('inception_resnet_v2.py', 'InceptionResNetV2', false, 'inception_resnet_v2', 'inception_resnet_v2_weights_tf_dim_ordering_tf_kernels_notop.h5', 'd19885ff4a710c122648d3b5c3b684e4'),
  same('xception.py', 'Xception', true, 'xception', 'xception_weights_tf_dim_ordering_tf_kernels.h5', '0a58e3b7378bc2990ea3b43d5981f1f6'),
  same('xception.py', 'Xception', false, 'xception', 'xception_weights_tf_dim_ordering_tf_kernels_notop.h5', 'b0042744bf5b25fce3cb969f33bebb97'),
];

// --- mobilenet.py (v1): no file_hash. With weights="imagenet" Keras accepts alpha in [0.25, 0.50, 0.75, 1.0] and
// rows in [128, 160, 192, 224] (other shapes fall back to 224), and names the file
//   "mobilenet_%s_%d_tf.h5" % (alpha_text, rows) / "mobilenet_%s_%d_tf_no_top.h5"
// with alpha_text 1.0 -> "1_0", 0.75 -> "7_5", 0.50 -> "5_0", else (0.25) -> "2_5".
export const KERAS_MOBILENET_ALPHAS: readonly number[] = [0.25, 0.5, 0.75, 1.0];
export const KERAS_MOBILENET_ROWS: readonly number[] = [128, 160, 192, 224];

export function kerasMobileNetFileName(alpha: number, rows: number, includeTop: boolean): string {
  const alphaText = alpha === 1.0 ? '1_0' : alpha === 0.75 ? '7_5' : alpha === 0.5 ? '5_0' : '2_5';
  return includeTop ? `mobilenet_${alphaText}_${rows}_tf.h5` : `mobilenet_${alphaText}_${rows}_tf_no_top.h5`;
}

const MOBILENET: KerasWeightsEntry[] = KERAS_MOBILENET_ALPHAS.flatMap((alpha) =>
  KERAS_MOBILENET_ROWS.flatMap((rows) =>
    [true, false].map((includeTop) => ({
      ...same('mobilenet.py', 'MobileNet', includeTop, 'mobilenet', kerasMobileNetFileName(alpha, rows, includeTop)),
      variant: { alpha, rows },
    })),
  ),
);

// --- mobilenet_v2.py: no file_hash. Keras accepts alpha in [0.35, 0.50, 0.75, 1.0, 1.3, 1.4] and rows in
// [96, 128, 160, 192, 224], and names the file
//   "mobilenet_v2_weights_tf_dim_ordering_tf_kernels" f"_{float(alpha)}_{rows}.h5"  / …f"{float(alpha)}_{rows}_no_top.h5"
// (Python's float(): 0.5 -> "0.5", 1.0 -> "1.0"). Keras builds a name for all 30 pairs, but only 22 files were
// published: the converted set is JonathanCMitchell/mobilenet_v2_keras models_to_load.py @ f8ffdc73eb972f345a2e2762bc7f829aab88fa07
// (1.4 and 1.3 at 224 only; 1.0, 0.75, 0.5, 0.35 at 224/192/160/128/96), and keras-team/keras#16452 reports the
// 404 that Keras gets for ..._1.4_96_no_top.h5. The catalog lists those 22 pairs only.
export const KERAS_MOBILENET_V2_ACCEPTED_ALPHAS: readonly number[] = [0.35, 0.5, 0.75, 1.0, 1.3, 1.4];
export const KERAS_MOBILENET_V2_ACCEPTED_ROWS: readonly number[] = [96, 128, 160, 192, 224];
export const KERAS_MOBILENET_V2_PUBLISHED: ReadonlyArray<readonly [alpha: number, rows: number]> = [
  [1.4, 224], [1.3, 224],
  [1.0, 224], [1.0, 192], [1.0, 160], [1.0, 128], [1.0, 96],
  [0.75, 224], [0.75, 192], [0.75, 160], [0.75, 128], [0.75, 96],
  [0.5, 224], [0.5, 192], [0.5, 160], [0.5, 128], [0.5, 96],
  [0.35, 224], [0.35, 192], [0.35, 160], [0.35, 128], [0.35, 96],
];

/** Python's str(float(x)) for the alphas Keras accepts (always one decimal at least: 1 -> "1.0"). */
function pythonFloat(x: number): string {
  return Number.isInteger(x) ? x.toFixed(1) : String(x);
}

export function kerasMobileNetV2FileName(alpha: number, rows: number, includeTop: boolean): string {
  const a = pythonFloat(alpha);
  return includeTop
    ? `mobilenet_v2_weights_tf_dim_ordering_tf_kernels_${a}_${rows}.h5`
    : `mobilenet_v2_weights_tf_dim_ordering_tf_kernels_${a}_${rows}_no_top.h5`;
}

const MOBILENET_V2: KerasWeightsEntry[] = KERAS_MOBILENET_V2_PUBLISHED.flatMap(([alpha, rows]) =>
  [true, false].map((includeTop) => ({
    ...same('mobilenet_v2.py', 'MobileNetV2', includeTop, 'mobilenet_v2', kerasMobileNetV2FileName(alpha, rows, includeTop)),
    variant: { alpha, rows },
  })),
);

// --- mobilenet_v3.py: WEIGHTS_HASHES[model_name] = (top, notop) with
// model_name = "{model_type}{'_minimalistic' if minimalistic else ''}_224_{str(alpha)}_float";
// file_name = f"weights_mobilenet_v3_{model_name}.h5" / f"weights_mobilenet_v3_{model_name}_no_top_v2.h5".
// Accepted with imagenet weights: alpha 0.75 or 1.0 (non-minimalistic), 1.0 (minimalistic); weights are 224 only.
const MOBILENET_V3_HASHES: ReadonlyArray<[modelName: string, architecture: string, alpha: number, minimalistic: boolean, top: string, notop: string]> = [
  ['large_224_0.75_float', 'MobileNetV3Large', 0.75, false, '765b44a33ad4005b3ac83185abf1d0eb', '40af19a13ebea4e2ee0c676887f69a2e'],
  ['large_224_1.0_float', 'MobileNetV3Large', 1.0, false, '59e551e166be033d707958cf9e29a6a7', '07fb09a5933dd0c8eaafa16978110389'],
  ['large_minimalistic_224_1.0_float', 'MobileNetV3Large', 1.0, true, '675e7b876c45c57e9e63e6d90a36599c', 'ec5221f64a2f6d1ef965a614bdae7973'],
  ['small_224_0.75_float', 'MobileNetV3Small', 0.75, false, 'cb65d4e5be93758266aa0a7f2c6708b7', 'ebdb5cc8e0b497cd13a7c275d475c819'],
  ['small_224_1.0_float', 'MobileNetV3Small', 1.0, false, '8768d4c2e7dee89b9d02b2d03d65d862', 'd3e8ec802a04aa4fc771ee12a9a9b836'],
  ['small_minimalistic_224_1.0_float', 'MobileNetV3Small', 1.0, true, '99cd97fb2fcdad2bf028eb838de69e37', 'cde8136e733e811080d9fcd8a252f7e4'],
];
const MOBILENET_V3: KerasWeightsEntry[] = MOBILENET_V3_HASHES.flatMap(([modelName, architecture, alpha, minimalistic, top, notop]) =>
  [
    same('mobilenet_v3.py', architecture, true, 'mobilenet_v3', `weights_mobilenet_v3_${modelName}.h5`, top),
    same('mobilenet_v3.py', architecture, false, 'mobilenet_v3', `weights_mobilenet_v3_${modelName}_no_top_v2.h5`, notop),
  ].map((e) => ({ ...e, variant: { alpha, rows: 224, minimalistic } })),
);

// --- densenet.py: BASE_WEIGHTS_PATH = …/keras-applications/densenet/ ---------------------------------------------
const DENSENET: KerasWeightsEntry[] = [
  same('densenet.py', 'DenseNet121', true, 'densenet', 'densenet121_weights_tf_dim_ordering_tf_kernels.h5', '9d60b8095a5708f2dcce2bca79d332c7'),
  same('densenet.py', 'DenseNet121', false, 'densenet', 'densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5', '30ee3e1110167f948a6b9946edeeb738'),
  same('densenet.py', 'DenseNet169', true, 'densenet', 'densenet169_weights_tf_dim_ordering_tf_kernels.h5', 'd699b8f76981ab1b30698df4c175e90b'),
  same('densenet.py', 'DenseNet169', false, 'densenet', 'densenet169_weights_tf_dim_ordering_tf_kernels_notop.h5', 'b8c4d4c20dd625c148057b9ff1c1176b'),
  same('densenet.py', 'DenseNet201', true, 'densenet', 'densenet201_weights_tf_dim_ordering_tf_kernels.h5', '1ceb130c1ea1b78c3bf6114dbdfd8807'),
  same('densenet.py', 'DenseNet201', false, 'densenet', 'densenet201_weights_tf_dim_ordering_tf_kernels_notop.h5', 'c13680b51ded0fb44dff2d8f86ac8bb1'),
];

// --- nasnet.py: URL names (NASNet-mobile.h5, …) differ from the fname Keras caches them under (nasnet_mobile.h5, …).
const NASNET: KerasWeightsEntry[] = [
  file('nasnet.py', 'NASNetMobile', true, 'nasnet/NASNet-mobile.h5', 'nasnet_mobile.h5', '020fb642bf7360b370c678b08e0adf61'),
  file('nasnet.py', 'NASNetMobile', false, 'nasnet/NASNet-mobile-no-top.h5', 'nasnet_mobile_no_top.h5', '1ed92395b5b598bdda52abe5c0dbfd63'),
  file('nasnet.py', 'NASNetLarge', true, 'nasnet/NASNet-large.h5', 'nasnet_large.h5', '11577c9a518f0070763c2b964a382f17'),
  file('nasnet.py', 'NASNetLarge', false, 'nasnet/NASNet-large-no-top.h5', 'nasnet_large_no_top.h5', 'd81d89dc07e6e56530c4e77faddd61b5'),
];

// --- efficientnet.py: BASE_WEIGHTS_PATH = "https://storage.googleapis.com/keras-applications/" (no sub-folder);
// file_name = model_name + (".h5" | "_notop.h5") with model_name "efficientnetb0".."efficientnetb7";
// WEIGHTS_HASHES["b0".."b7"] = (top, notop).
const EFFICIENTNET_HASHES: ReadonlyArray<[key: string, top: string, notop: string]> = [
  ['b0', '902e53a9f72be733fc0bcb005b3ebbac', '50bc09e76180e00e4465e1a485ddc09d'],
  ['b1', '1d254153d4ab51201f1646940f018540', '74c4e6b3e1f6a1eea24c589628592432'],
  ['b2', 'b15cce36ff4dcbd00b6dd88e7857a6ad', '111f8e2ac8aa800a7a99e3239f7bfb39'],
  ['b3', 'ffd1fdc53d0ce67064dc6a9c7960ede0', 'af6d107764bb5b1abb91932881670226'],
  ['b4', '18c95ad55216b8f92d7e70b3a046e2fc', 'ebc24e6d6c33eaebbd558eafbeedf1ba'],
  ['b5', 'ace28f2a6363774853a83a0b21b9421a', '38879255a25d3c92d5e44e04ae6cec6f'],
  ['b6', '165f6e37dce68623721b423839de8be5', '9ecce42647a20130c1f39a5d4cb75743'],
  ['b7', '8c03f828fec3ef71311cd463b6759d99', 'cbcfe4450ddf6f3ad90b1b398090fe4a'],
];
const EFFICIENTNET: KerasWeightsEntry[] = EFFICIENTNET_HASHES.flatMap(([key, top, notop]) => {
  const architecture = `EfficientNet${key.toUpperCase()}`;
  const modelName = `efficientnet${key}`;
  return [
    file('efficientnet.py', architecture, true, `${modelName}.h5`, `${modelName}.h5`, top, KERAS_EFFICIENTNET_BASE_URL),
    file('efficientnet.py', architecture, false, `${modelName}_notop.h5`, `${modelName}_notop.h5`, notop, KERAS_EFFICIENTNET_BASE_URL),
  ];
});

// --- efficientnet_v2.py: BASE_WEIGHTS_PATH = …/keras-applications/efficientnet_v2/; file_name = name + suffix with the
// builders' default names "efficientnetv2-b0".."-b3", "-s", "-m", "-l"; WEIGHTS_HASHES[weights_name] = (top, notop).
const EFFICIENTNET_V2_HASHES: ReadonlyArray<[architecture: string, name: string, top: string, notop: string]> = [
  ['EfficientNetV2B0', 'efficientnetv2-b0', '21ecbf6da12460d5c40bb2f29ceb2188', '893217f2bb855e2983157299931e43ff'],
  ['EfficientNetV2B1', 'efficientnetv2-b1', '069f0534ff22adf035c89e2d9547a9dc', '0e80663031ca32d657f9caa404b6ec37'],
  ['EfficientNetV2B2', 'efficientnetv2-b2', '424e49f28180edbde1e94797771950a7', '1dfe2e7a5d45b6632553a8961ea609eb'],
  ['EfficientNetV2B3', 'efficientnetv2-b3', '1f1fc43bd98a6e4fd8fdfd551e02c7a0', 'f6abf7b5849ac99a89b50dd3fd532856'],
  ['EfficientNetV2S', 'efficientnetv2-s', 'e1d88a8495beba45748fedd0cecbe016', 'af0682fb74e8c54910f2d4393339c070'],
  ['EfficientNetV2M', 'efficientnetv2-m', 'a3bf6aa3276309f4fc6a34aa114c95cd', '1b8dc055df72dde80d614482840fe342'],
  ['EfficientNetV2L', 'efficientnetv2-l', '27e6d408b53c7ebc868fefa357689935', 'b0b66b5c863aef5b46e8608fe1711615'],
];
const EFFICIENTNET_V2: KerasWeightsEntry[] = EFFICIENTNET_V2_HASHES.flatMap(([architecture, name, top, notop]) => [
  same('efficientnet_v2.py', architecture, true, 'efficientnet_v2', `${name}.h5`, top),
  same('efficientnet_v2.py', architecture, false, 'efficientnet_v2', `${name}_notop.h5`, notop),
]);

// --- convnext.py: BASE_WEIGHTS_PATH = …/keras-applications/convnext/; file_name = name + suffix with default names
// "convnext_tiny".."convnext_xlarge"; WEIGHTS_HASHES are 64-hex, hence sha256.
const CONVNEXT_HASHES: ReadonlyArray<[architecture: string, name: string, top: string, notop: string]> = [
  ['ConvNeXtTiny', 'convnext_tiny', '8ae6e78ce2933352b1ef4008e6dd2f17bc40771563877d156bc6426c7cf503ff', 'd547c096cabd03329d7be5562c5e14798aa39ed24b474157cef5e85ab9e49ef1'],
  ['ConvNeXtSmall', 'convnext_small', 'ce1277d8f1ee5a0ef0e171469089c18f5233860ceaf9b168049cb9263fd7483c', '6fc8009faa2f00c1c1dfce59feea9b0745eb260a7dd11bee65c8e20843da6eab'],
  ['ConvNeXtBase', 'convnext_base', '52cbb006d3dadd03f6e095a8ca1aca47aecdd75acb4bc74bce1f5c695d0086e6', '40a20c5548a5e9202f69735ecc06c990e6b7c9d2de39f0361e27baeb24cb7c45'],
  ['ConvNeXtLarge', 'convnext_large', '070c5ed9ed289581e477741d3b34beffa920db8cf590899d6d2c67fba2a198a6', '96f02b6f0753d4f543261bc9d09bed650f24dd6bc02ddde3066135b63d23a1cd'],
  ['ConvNeXtXLarge', 'convnext_xlarge', 'c1f5ccab661354fc3a79a10fa99af82f0fbf10ec65cb894a3ae0815f17a889ee', 'de3f8a54174130e0cecdc71583354753d557fcf1f4487331558e2a16ba0cfe05'],
];
const CONVNEXT: KerasWeightsEntry[] = CONVNEXT_HASHES.flatMap(([architecture, name, top, notop]) => [
  same('convnext.py', architecture, true, 'convnext', `${name}.h5`, top),
  same('convnext.py', architecture, false, 'convnext', `${name}_notop.h5`, notop),
]);

export const KERAS_CATALOG: readonly KerasWeightsEntry[] = [
  ...VGG,
  ...RESNET,
  ...INCEPTION_XCEPTION,
  ...MOBILENET,
  ...MOBILENET_V2,
  ...MOBILENET_V3,
  ...DENSENET,
  ...NASNET,
  ...EFFICIENTNET,
  ...EFFICIENTNET_V2,
  ...CONVNEXT,
];

/** `keras/<fileName>`: the library id a Keras weights file stages under. */
export function libraryEntryIdFor(entry: KerasWeightsEntry): string {
  return entryId('keras', entry.fileName);
}

const byName = new Map<string, KerasWeightsEntry>();
for (const e of KERAS_CATALOG) {
  byName.set(e.name, e);
  byName.set(e.fileName, e);
}

/**
 * The entry for a catalog name (`vgg19/vgg19_…_notop.h5`) or a Keras cache file name (`vgg19_…_notop.h5`,
 * `nasnet_mobile.h5`), with or without a `keras:` prefix; undefined when there is none.
 */
export function findKerasWeights(name: string): KerasWeightsEntry | undefined {
  return byName.get(name.startsWith('keras:') ? name.slice('keras:'.length) : name);
}

/**
 * The file Keras downloads for `architecture` (a keras.applications builder name) with `include_top`, for the
 * default arguments unless `variant` says otherwise (MobileNets: alpha 1.0, rows 224, not minimalistic).
 */
export function kerasWeightsFor(
  architecture: string,
  includeTop = true,
  variant: { alpha?: number; rows?: number; minimalistic?: boolean } = {},
): KerasWeightsEntry | undefined {
  const alpha = variant.alpha ?? 1.0;
  const rows = variant.rows ?? 224;
  const minimalistic = variant.minimalistic ?? false;
  return KERAS_CATALOG.find(
    (e) =>
      e.architecture === architecture &&
      e.includeTop === includeTop &&
      (!e.variant || (e.variant.alpha === alpha && e.variant.rows === rows && (e.variant.minimalistic ?? false) === minimalistic)),
  );
}

export interface ResolvedKerasWeights {
  catalogName: string;
  url: string;
  fileName: string;
  hash?: KerasFileHash;
  libraryId: string;
  source: EntrySource;
  entry: KerasWeightsEntry;
}

/** Everything a download needs for one catalog name; throws OmnihubError('usage') for a name the catalog lacks. */
export function resolveKerasWeights(name: string): ResolvedKerasWeights {
  const entry = findKerasWeights(name);
  if (!entry) throw new OmnihubError('usage', `Keras Applications downloads no weights file named ${JSON.stringify(name)}.`);
  const resolved: ResolvedKerasWeights = {
    catalogName: entry.name,
    url: entry.url,
    fileName: entry.fileName,
    libraryId: libraryEntryIdFor(entry),
    source: { kind: 'keras', url: entry.url, catalogName: entry.name },
    entry,
  };
  if (entry.hash) resolved.hash = entry.hash;
  return resolved;
}
