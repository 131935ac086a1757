/**
 * Catalog of ONNX Model Zoo files (the onnx/models repository), as hosted today.
 *
 * Where the zoo lives now:
 *   - onnx/models moved every model under `validated/` (e.g. `vision/classification/mnist` ->
 *     `validated/vision/classification/mnist`; onnx/onnx-mlir#2672) and stores the `.onnx` files with Git LFS.
 *   - onnx/models README @ b1eeaa1ac722dcc1cd1a8284bde34393dab61c3d (the deprecation notice): "models will no longer
 *     be available for LFS download starting July 1st, 2025. You can still get access to the models ... by going to
 *     https://huggingface.co/onnxmodelzoo". The mirror is the Hub repository `onnxmodelzoo/legacy_models`, with the
 *     GitHub tree's paths (iree-org/iree-test-suites#101 moved its tests from `github.com/onnx/models/tree/main/validated/vision`
 *     to `huggingface.co/onnxmodelzoo/legacy_models/tree/main/validated/vision`; public scripts download e.g.
 *     `https://huggingface.co/onnxmodelzoo/legacy_models/resolve/main/validated/vision/classification/mnist/model/mnist-12.onnx`).
 *   So `url` is the Hub's file URL, `resolve/main/<path>`: the GitHub LFS media URLs
 *   (media.githubusercontent.com/media/onnx/models/main/<path>) stopped serving the bytes on 2025-07-01 per that
 *   notice. Not verified from here (no network): that every path below exists on the Hub mirror; the public
 *   references above cover the layout and several of the files (mnist-12, resnet50-v2-7, the mobilenet folder).
 *
 * Which files: those listed in each model folder's README table (file, opset, the README's rounded size and
 * accuracy), read in onnx/models at the commits given per entry (`readme`, `readmeCommit`; folders moved under
 * `validated/` unchanged, so `path` is `validated/<folder>/<file>`). bertsquad-12 is listed from its LFS pointer
 * (below) instead, as the BERT-Squad README version read lists only -8 and -10; the GPT-2 table was read from a
 * later version of text/machine_comprehension/gpt-2/README.md whose commit the index did not report.
 *
 * Hashes: where the search index stored the Git LFS pointer of the file at its `validated/` path, `sha256` and
 * `size` are that pointer's `oid sha256:` and `size`, read at onnx/models commit `lfsCommit`. No other hash is
 * given: pointers of the pre-move `vision/...` paths were NOT used, because they can differ (resnet152-v1-7.onnx:
 * `vision/...` @ 13fcb614 has oid a1c16529…, size 241816204; `validated/...` @ 4c46cd00 has oid b0ec9243…, size
 * 241816206). That the Hub mirror serves the same bytes as the GitHub `validated/` tree is assumed (it is a
 * mirror); a mismatch shows up as an integrity error on download rather than as a wrong file.
 *
 * Library id: `onnx/<fileName>` (framework 'onnx', entry name = the published file name, as for the Keras and
 * torchvision catalogs); the catalog name (`onnx-zoo:<name>`) is the file name without `.onnx`.
 */
import { OmnihubError } from '../../errors.js';
import { entryId, type EntrySource } from '../../library/types.js';

/** The Hub repository that mirrors onnx/models. */
export const ONNX_ZOO_HF_REPO = 'onnxmodelzoo/legacy_models';
export const ONNX_ZOO_HF_REVISION = 'main';
export const ONNX_ZOO_HF_RESOLVE_BASE = `https://huggingface.co/${ONNX_ZOO_HF_REPO}/resolve/${ONNX_ZOO_HF_REVISION}/`;
/** The GitHub repository the paths and LFS pointers come from. */
export const ONNX_ZOO_GITHUB_REPO = 'onnx/models';

export type OnnxZooTask = 'image-classification' | 'object-detection' | 'question-answering' | 'text-generation' | 'preprocessing';

export interface OnnxZooMetrics {
  /** ImageNet top-1 / top-5 accuracy (%), or error (%) where the README gives errors instead. */
  top1?: number;
  top5?: number;
  top1Error?: number;
  top5Error?: number;
  /** COCO box mAP, or mAP@0.5, as the README states it. */
  mAP?: number;
  mAP50?: number;
}

interface OnnxZooRow {
  /** File name without `.onnx`: the catalog name. */
  name: string;
  /** The README table's model column. */
  title: string;
  task: OnnxZooTask;
  /** Opset version as the README table states it. */
  opset?: number;
  /** Path in onnx/models and in the Hub mirror. */
  path: string;
  /** The README's rounded download size ("97.8 MB"). */
  sizeLabel?: string;
  /** Exact byte size, from the LFS pointer. */
  size?: number;
  /** Lowercase hex sha256 of the file, from the LFS pointer's oid. */
  sha256?: string;
  /** onnx/models commit at which the LFS pointer was read. */
  lfsCommit?: string;
  metrics?: OnnxZooMetrics;
  /** The README's License section (SPDX id where the README's SPDX header gives one). */
  licence?: string;
  /** README (path in onnx/models) the row was read from, and its commit. */
  readme?: string;
  readmeCommit?: string;
}

export interface OnnxZooEntry extends OnnxZooRow {
  /** `https://huggingface.co/onnxmodelzoo/legacy_models/resolve/main/<path>`. */
  url: string;
  /** Last path segment (`resnet50-v1-12.onnx`). */
  fileName: string;
}

const ROWS: readonly OnnxZooRow[] = [
  { name: "resnet18-v1-7", title: "ResNet18", task: "image-classification", opset: 7, path: "validated/vision/classification/resnet/model/resnet18-v1-7.onnx", sizeLabel: "44.7 MB", metrics: { top1: 69.93, top5: 89.29 }, licence: "Apache 2.0", readme: "validated/vision/classification/resnet/README.md", readmeCommit: "dcad528d8b58851159f08dee2899a6cb735bb954" },
  { name: "resnet34-v1-7", title: "ResNet34", task: "image-classification", opset: 7, path: "validated/vision/classification/resnet/model/resnet34-v1-7.onnx", sizeLabel: "83.3 MB", metrics: { top1: 73.73, top5: 91.4 }, licence: "Apache 2.0", readme: "validated/vision/classification/resnet/README.md", readmeCommit: "dcad528d8b58851159f08dee2899a6cb735bb954" },
  { name: "resnet50-v1-7", title: "ResNet50", task: "image-classification", opset: 7, path: "validated/vision/classification/resnet/model/resnet50-v1-7.onnx", sizeLabel: "97.8 MB", metrics: { top1: 74.93, top5: 92.38 }, licence: "Apache 2.0", readme: "validated/vision/classification/resnet/README.md", readmeCommit: "dcad528d8b58851159f08dee2899a6cb735bb954" },
  { name: "resnet101-v1-7", title: "ResNet101", task: "image-classification", opset: 7, path: "validated/vision/classification/resnet/model/resnet101-v1-7.onnx", sizeLabel: "170.6 MB", metrics: { top1: 76.48, top5: 93.2 }, licence: "Apache 2.0", readme: "validated/vision/classification/resnet/README.md", readmeCommit: "dcad528d8b58851159f08dee2899a6cb735bb954" },
  { name: "resnet152-v1-7", title: "ResNet152", task: "image-classification", opset: 7, path: "validated/vision/classification/resnet/model/resnet152-v1-7.onnx", sizeLabel: "230.6 MB", size: 241816206, sha256: "b0ec92437bf8c9d0739bf9bafdea9638e13f9e3c1e2fb766ad546cc182fd3f6d", lfsCommit: "4c46cd00fbdb7cd30b6c1c17ab54f2e1f4f7b177", metrics: { top1: 77.11, top5: 93.61 }, licence: "Apache 2.0", readme: "validated/vision/classification/resnet/README.md", readmeCommit: "dcad528d8b58851159f08dee2899a6cb735bb954" },
  { name: "resnet50-v1-12", title: "ResNet50-fp32", task: "image-classification", opset: 12, path: "validated/vision/classification/resnet/model/resnet50-v1-12.onnx", sizeLabel: "97.8 MB", metrics: { top1: 74.97, top5: 92.33 }, licence: "Apache 2.0", readme: "validated/vision/classification/resnet/README.md", readmeCommit: "dcad528d8b58851159f08dee2899a6cb735bb954" },
  { name: "resnet50-v1-12-int8", title: "ResNet50-int8", task: "image-classification", opset: 12, path: "validated/vision/classification/resnet/model/resnet50-v1-12-int8.onnx", sizeLabel: "24.6 MB", size: 25816052, sha256: "c234f30975989788b4405f25253275aae247ab6dbdd34aaa69ab0a59ff76f6d0", lfsCommit: "4c46cd00fbdb7cd30b6c1c17ab54f2e1f4f7b177", metrics: { top1: 74.77, top5: 92.32 }, licence: "Apache 2.0", readme: "validated/vision/classification/resnet/README.md", readmeCommit: "dcad528d8b58851159f08dee2899a6cb735bb954" },
  { name: "resnet50-v1-12-qdq", title: "ResNet50-qdq", task: "image-classification", opset: 12, path: "validated/vision/classification/resnet/model/resnet50-v1-12-qdq.onnx", sizeLabel: "24.6 MB", size: 25753167, sha256: "e6429d274805654c79ba68dc886c1efd4eff95393e747c35d3fdab579febd8a0", lfsCommit: "2a67a85e670e61bf9819e9df6dae3771974552ff", metrics: { top1: 74.43 }, licence: "Apache 2.0", readme: "validated/vision/classification/resnet/README.md", readmeCommit: "dcad528d8b58851159f08dee2899a6cb735bb954" },
  { name: "resnet50-caffe2-v1-3", title: "ResNet50-caffe2", task: "image-classification", opset: 3, path: "validated/vision/classification/resnet/model/resnet50-caffe2-v1-3.onnx", sizeLabel: "32 MB", licence: "Apache 2.0", readme: "validated/vision/classification/resnet/README.md", readmeCommit: "dcad528d8b58851159f08dee2899a6cb735bb954" },
  { name: "resnet50-caffe2-v1-6", title: "ResNet50-caffe2", task: "image-classification", opset: 6, path: "validated/vision/classification/resnet/model/resnet50-caffe2-v1-6.onnx", sizeLabel: "32 MB", licence: "Apache 2.0", readme: "validated/vision/classification/resnet/README.md", readmeCommit: "dcad528d8b58851159f08dee2899a6cb735bb954" },
  { name: "resnet50-caffe2-v1-7", title: "ResNet50-caffe2", task: "image-classification", opset: 7, path: "validated/vision/classification/resnet/model/resnet50-caffe2-v1-7.onnx", sizeLabel: "32 MB", licence: "Apache 2.0", readme: "validated/vision/classification/resnet/README.md", readmeCommit: "dcad528d8b58851159f08dee2899a6cb735bb954" },
  { name: "resnet50-caffe2-v1-8", title: "ResNet50-caffe2", task: "image-classification", opset: 8, path: "validated/vision/classification/resnet/model/resnet50-caffe2-v1-8.onnx", sizeLabel: "32 MB", licence: "Apache 2.0", readme: "validated/vision/classification/resnet/README.md", readmeCommit: "dcad528d8b58851159f08dee2899a6cb735bb954" },
  { name: "resnet50-caffe2-v1-9", title: "ResNet50-caffe2", task: "image-classification", opset: 9, path: "validated/vision/classification/resnet/model/resnet50-caffe2-v1-9.onnx", sizeLabel: "32 MB", licence: "Apache 2.0", readme: "validated/vision/classification/resnet/README.md", readmeCommit: "dcad528d8b58851159f08dee2899a6cb735bb954" },
  { name: "resnet18-v2-7", title: "ResNet18-v2", task: "image-classification", opset: 7, path: "validated/vision/classification/resnet/model/resnet18-v2-7.onnx", sizeLabel: "44.6 MB", size: 46806737, sha256: "3b4d048057854022232aa20bf68262e31718ab7119a17f920b8a2dc1433f824b", lfsCommit: "2a67a85e670e61bf9819e9df6dae3771974552ff", metrics: { top1: 69.7, top5: 89.49 }, licence: "Apache 2.0", readme: "validated/vision/classification/resnet/README.md", readmeCommit: "dcad528d8b58851159f08dee2899a6cb735bb954" },
  { name: "resnet34-v2-7", title: "ResNet34-v2", task: "image-classification", opset: 7, path: "validated/vision/classification/resnet/model/resnet34-v2-7.onnx", sizeLabel: "83.2 MB", metrics: { top1: 73.36, top5: 91.43 }, licence: "Apache 2.0", readme: "validated/vision/classification/resnet/README.md", readmeCommit: "dcad528d8b58851159f08dee2899a6cb735bb954" },
  { name: "resnet50-v2-7", title: "ResNet50-v2", task: "image-classification", opset: 7, path: "validated/vision/classification/resnet/model/resnet50-v2-7.onnx", sizeLabel: "97.7 MB", metrics: { top1: 75.81, top5: 92.82 }, licence: "Apache 2.0", readme: "validated/vision/classification/resnet/README.md", readmeCommit: "dcad528d8b58851159f08dee2899a6cb735bb954" },
  { name: "resnet101-v2-7", title: "ResNet101-v2", task: "image-classification", opset: 7, path: "validated/vision/classification/resnet/model/resnet101-v2-7.onnx", sizeLabel: "170.4 MB", metrics: { top1: 77.42, top5: 93.61 }, licence: "Apache 2.0", readme: "validated/vision/classification/resnet/README.md", readmeCommit: "dcad528d8b58851159f08dee2899a6cb735bb954" },
  { name: "resnet152-v2-7", title: "ResNet152-v2", task: "image-classification", opset: 7, path: "validated/vision/classification/resnet/model/resnet152-v2-7.onnx", sizeLabel: "230.3 MB", metrics: { top1: 78.2, top5: 94.21 }, licence: "Apache 2.0", readme: "validated/vision/classification/resnet/README.md", readmeCommit: "dcad528d8b58851159f08dee2899a6cb735bb954" },
  { name: "resnet-preproc-v1-18", title: "ResNet-preproc", task: "preprocessing", opset: 18, path: "validated/vision/classification/resnet/preproc/resnet-preproc-v1-18.onnx", sizeLabel: "4.0KB", size: 1129, sha256: "9cda24af90b4cd2ced4167fa36a41956ea0ce5e55c6ae475614a097cb89762c7", lfsCommit: "2a67a85e670e61bf9819e9df6dae3771974552ff", licence: "Apache 2.0", readme: "validated/vision/classification/resnet/README.md", readmeCommit: "dcad528d8b58851159f08dee2899a6cb735bb954" },
  { name: "mobilenetv2-7", title: "MobileNet v2-1.0", task: "image-classification", opset: 7, path: "validated/vision/classification/mobilenet/model/mobilenetv2-7.onnx", sizeLabel: "13.6 MB", metrics: { top1: 70.94, top5: 89.99 }, licence: "Apache 2.0", readme: "vision/classification/mobilenet/README.md", readmeCommit: "823a7c29d37b68b1539d5041db3e8fc2e095baa4" },
  { name: "mobilenetv2-12", title: "MobileNet v2-1.0-fp32", task: "image-classification", opset: 12, path: "validated/vision/classification/mobilenet/model/mobilenetv2-12.onnx", sizeLabel: "13.3 MB", metrics: { top1: 69.48, top5: 89.26 }, licence: "Apache 2.0", readme: "vision/classification/mobilenet/README.md", readmeCommit: "823a7c29d37b68b1539d5041db3e8fc2e095baa4" },
  { name: "mobilenetv2-12-int8", title: "MobileNet v2-1.0-int8", task: "image-classification", opset: 12, path: "validated/vision/classification/mobilenet/model/mobilenetv2-12-int8.onnx", sizeLabel: "3.5 MB", metrics: { top1: 68.3, top5: 88.44 }, licence: "Apache 2.0", readme: "vision/classification/mobilenet/README.md", readmeCommit: "823a7c29d37b68b1539d5041db3e8fc2e095baa4" },
  { name: "squeezenet1.1-7", title: "SqueezeNet 1.1", task: "image-classification", opset: 7, path: "validated/vision/classification/squeezenet/model/squeezenet1.1-7.onnx", sizeLabel: "9 MB", metrics: { top1: 56.34, top5: 79.12 }, licence: "Apache 2.0", readme: "vision/classification/squeezenet/README.md", readmeCommit: "0c34da878c48181530c1e1bc6631d7ffa2042db1" },
  { name: "squeezenet1.0-3", title: "SqueezeNet 1.0", task: "image-classification", opset: 3, path: "validated/vision/classification/squeezenet/model/squeezenet1.0-3.onnx", sizeLabel: "5 MB", licence: "Apache 2.0", readme: "vision/classification/squeezenet/README.md", readmeCommit: "0c34da878c48181530c1e1bc6631d7ffa2042db1" },
  { name: "squeezenet1.0-6", title: "SqueezeNet 1.0", task: "image-classification", opset: 6, path: "validated/vision/classification/squeezenet/model/squeezenet1.0-6.onnx", sizeLabel: "5 MB", licence: "Apache 2.0", readme: "vision/classification/squeezenet/README.md", readmeCommit: "0c34da878c48181530c1e1bc6631d7ffa2042db1" },
  { name: "squeezenet1.0-7", title: "SqueezeNet 1.0", task: "image-classification", opset: 7, path: "validated/vision/classification/squeezenet/model/squeezenet1.0-7.onnx", sizeLabel: "5 MB", licence: "Apache 2.0", readme: "vision/classification/squeezenet/README.md", readmeCommit: "0c34da878c48181530c1e1bc6631d7ffa2042db1" },
  { name: "squeezenet1.0-8", title: "SqueezeNet 1.0", task: "image-classification", opset: 8, path: "validated/vision/classification/squeezenet/model/squeezenet1.0-8.onnx", sizeLabel: "5 MB", size: 4952222, sha256: "3c0bff2f7c984350d3ffa98e0167dc08c15da88f05d0c31989ebeba6fbb5e025", lfsCommit: "4c46cd00fbdb7cd30b6c1c17ab54f2e1f4f7b177", licence: "Apache 2.0", readme: "vision/classification/squeezenet/README.md", readmeCommit: "0c34da878c48181530c1e1bc6631d7ffa2042db1" },
  { name: "squeezenet1.0-9", title: "SqueezeNet 1.0", task: "image-classification", opset: 9, path: "validated/vision/classification/squeezenet/model/squeezenet1.0-9.onnx", sizeLabel: "5 MB", licence: "Apache 2.0", readme: "vision/classification/squeezenet/README.md", readmeCommit: "0c34da878c48181530c1e1bc6631d7ffa2042db1" },
  { name: "squeezenet1.0-12", title: "SqueezeNet 1.0", task: "image-classification", opset: 12, path: "validated/vision/classification/squeezenet/model/squeezenet1.0-12.onnx", sizeLabel: "5 MB", metrics: { top1: 56.85, top5: 79.87 }, licence: "Apache 2.0", readme: "vision/classification/squeezenet/README.md", readmeCommit: "0c34da878c48181530c1e1bc6631d7ffa2042db1" },
  { name: "squeezenet1.0-12-int8", title: "SqueezeNet 1.0-int8", task: "image-classification", opset: 12, path: "validated/vision/classification/squeezenet/model/squeezenet1.0-12-int8.onnx", sizeLabel: "2 MB", metrics: { top1: 56.48, top5: 79.76 }, licence: "Apache 2.0", readme: "vision/classification/squeezenet/README.md", readmeCommit: "0c34da878c48181530c1e1bc6631d7ffa2042db1" },
  { name: "squeezenet1.0-13-qdq", title: "SqueezeNet 1.0-qdq", task: "image-classification", opset: 13, path: "validated/vision/classification/squeezenet/model/squeezenet1.0-13-qdq.onnx", sizeLabel: "2 MB", metrics: { top1: 56.54, top5: 79.76 }, licence: "Apache 2.0", readme: "vision/classification/squeezenet/README.md", readmeCommit: "0c34da878c48181530c1e1bc6631d7ffa2042db1" },
  { name: "vgg16-7", title: "VGG 16", task: "image-classification", opset: 7, path: "validated/vision/classification/vgg/model/vgg16-7.onnx", sizeLabel: "527.8 MB", metrics: { top1: 72.62, top5: 91.14 }, licence: "Apache 2.0", readme: "vision/classification/vgg/README.md", readmeCommit: "08eaea729977ccbe44545fd1ea8b13c6b1079f29" },
  { name: "vgg16-bn-7", title: "VGG 16-bn", task: "image-classification", opset: 7, path: "validated/vision/classification/vgg/model/vgg16-bn-7.onnx", sizeLabel: "527.9 MB", metrics: { top1: 72.71, top5: 91.21 }, licence: "Apache 2.0", readme: "vision/classification/vgg/README.md", readmeCommit: "08eaea729977ccbe44545fd1ea8b13c6b1079f29" },
  { name: "vgg19-7", title: "VGG 19", task: "image-classification", opset: 7, path: "validated/vision/classification/vgg/model/vgg19-7.onnx", sizeLabel: "548.1 MB", metrics: { top1: 73.72, top5: 91.58 }, licence: "Apache 2.0", readme: "vision/classification/vgg/README.md", readmeCommit: "08eaea729977ccbe44545fd1ea8b13c6b1079f29" },
  { name: "vgg19-bn-7", title: "VGG 19-bn", task: "image-classification", opset: 7, path: "validated/vision/classification/vgg/model/vgg19-bn-7.onnx", sizeLabel: "548.1 MB", metrics: { top1: 73.83, top5: 91.79 }, licence: "Apache 2.0", readme: "vision/classification/vgg/README.md", readmeCommit: "08eaea729977ccbe44545fd1ea8b13c6b1079f29" },
  { name: "vgg19-caffe2-3", title: "VGG 19-caffe2", task: "image-classification", opset: 3, path: "validated/vision/classification/vgg/model/vgg19-caffe2-3.onnx", sizeLabel: "561.2 MB", licence: "Apache 2.0", readme: "vision/classification/vgg/README.md", readmeCommit: "08eaea729977ccbe44545fd1ea8b13c6b1079f29" },
  { name: "vgg19-caffe2-6", title: "VGG 19-caffe2", task: "image-classification", opset: 6, path: "validated/vision/classification/vgg/model/vgg19-caffe2-6.onnx", sizeLabel: "561.2 MB", licence: "Apache 2.0", readme: "vision/classification/vgg/README.md", readmeCommit: "08eaea729977ccbe44545fd1ea8b13c6b1079f29" },
  { name: "vgg19-caffe2-7", title: "VGG 19-caffe2", task: "image-classification", opset: 7, path: "validated/vision/classification/vgg/model/vgg19-caffe2-7.onnx", sizeLabel: "561.2 MB", licence: "Apache 2.0", readme: "vision/classification/vgg/README.md", readmeCommit: "08eaea729977ccbe44545fd1ea8b13c6b1079f29" },
  { name: "vgg19-caffe2-8", title: "VGG 19-caffe2", task: "image-classification", opset: 8, path: "validated/vision/classification/vgg/model/vgg19-caffe2-8.onnx", sizeLabel: "561.2 MB", licence: "Apache 2.0", readme: "vision/classification/vgg/README.md", readmeCommit: "08eaea729977ccbe44545fd1ea8b13c6b1079f29" },
  { name: "vgg19-caffe2-9", title: "VGG 19-caffe2", task: "image-classification", opset: 9, path: "validated/vision/classification/vgg/model/vgg19-caffe2-9.onnx", sizeLabel: "561.2 MB", licence: "Apache 2.0", readme: "vision/classification/vgg/README.md", readmeCommit: "08eaea729977ccbe44545fd1ea8b13c6b1079f29" },
  { name: "bvlcalexnet-3", title: "AlexNet", task: "image-classification", opset: 3, path: "validated/vision/classification/alexnet/model/bvlcalexnet-3.onnx", sizeLabel: "238 MB", licence: "BSD-3-Clause", readme: "validated/vision/classification/alexnet/README.md", readmeCommit: "e5e99d98d5f1c33760aef60e08ff0fc4eaa08bb0" },
  { name: "bvlcalexnet-6", title: "AlexNet", task: "image-classification", opset: 6, path: "validated/vision/classification/alexnet/model/bvlcalexnet-6.onnx", sizeLabel: "238 MB", size: 243863628, sha256: "f1ae53b93d83dd74731c84337ae64035288ce336794a46e2b17b56e7566feaab", lfsCommit: "4c46cd00fbdb7cd30b6c1c17ab54f2e1f4f7b177", licence: "BSD-3-Clause", readme: "validated/vision/classification/alexnet/README.md", readmeCommit: "e5e99d98d5f1c33760aef60e08ff0fc4eaa08bb0" },
  { name: "bvlcalexnet-7", title: "AlexNet", task: "image-classification", opset: 7, path: "validated/vision/classification/alexnet/model/bvlcalexnet-7.onnx", sizeLabel: "238 MB", licence: "BSD-3-Clause", readme: "validated/vision/classification/alexnet/README.md", readmeCommit: "e5e99d98d5f1c33760aef60e08ff0fc4eaa08bb0" },
  { name: "bvlcalexnet-8", title: "AlexNet", task: "image-classification", opset: 8, path: "validated/vision/classification/alexnet/model/bvlcalexnet-8.onnx", sizeLabel: "238 MB", size: 243863542, sha256: "9a4dc22fd706a19462aaec3b08e027e0ef89daf63d123824f20b59b6de9a727b", lfsCommit: "2a67a85e670e61bf9819e9df6dae3771974552ff", licence: "BSD-3-Clause", readme: "validated/vision/classification/alexnet/README.md", readmeCommit: "e5e99d98d5f1c33760aef60e08ff0fc4eaa08bb0" },
  { name: "bvlcalexnet-9", title: "AlexNet", task: "image-classification", opset: 9, path: "validated/vision/classification/alexnet/model/bvlcalexnet-9.onnx", sizeLabel: "238 MB", licence: "BSD-3-Clause", readme: "validated/vision/classification/alexnet/README.md", readmeCommit: "e5e99d98d5f1c33760aef60e08ff0fc4eaa08bb0" },
  { name: "bvlcalexnet-12", title: "AlexNet", task: "image-classification", opset: 12, path: "validated/vision/classification/alexnet/model/bvlcalexnet-12.onnx", sizeLabel: "233 MB", metrics: { top1: 54.8, top5: 78.23 }, licence: "BSD-3-Clause", readme: "validated/vision/classification/alexnet/README.md", readmeCommit: "e5e99d98d5f1c33760aef60e08ff0fc4eaa08bb0" },
  { name: "bvlcalexnet-12-int8", title: "AlexNet-int8", task: "image-classification", opset: 12, path: "validated/vision/classification/alexnet/model/bvlcalexnet-12-int8.onnx", sizeLabel: "58 MB", metrics: { top1: 54.68, top5: 78.23 }, licence: "BSD-3-Clause", readme: "validated/vision/classification/alexnet/README.md", readmeCommit: "e5e99d98d5f1c33760aef60e08ff0fc4eaa08bb0" },
  { name: "bvlcalexnet-12-qdq", title: "AlexNet-qdq", task: "image-classification", opset: 12, path: "validated/vision/classification/alexnet/model/bvlcalexnet-12-qdq.onnx", sizeLabel: "59 MB", metrics: { top1: 54.71, top5: 78.22 }, licence: "BSD-3-Clause", readme: "validated/vision/classification/alexnet/README.md", readmeCommit: "e5e99d98d5f1c33760aef60e08ff0fc4eaa08bb0" },
  { name: "googlenet-3", title: "GoogleNet", task: "image-classification", opset: 3, path: "validated/vision/classification/inception_and_googlenet/googlenet/model/googlenet-3.onnx", sizeLabel: "28 MB", licence: "BSD-3-Clause", readme: "validated/vision/classification/inception_and_googlenet/googlenet/README.md", readmeCommit: "4c46cd00fbdb7cd30b6c1c17ab54f2e1f4f7b177" },
  { name: "googlenet-6", title: "GoogleNet", task: "image-classification", opset: 6, path: "validated/vision/classification/inception_and_googlenet/googlenet/model/googlenet-6.onnx", sizeLabel: "28 MB", licence: "BSD-3-Clause", readme: "validated/vision/classification/inception_and_googlenet/googlenet/README.md", readmeCommit: "4c46cd00fbdb7cd30b6c1c17ab54f2e1f4f7b177" },
  { name: "googlenet-7", title: "GoogleNet", task: "image-classification", opset: 7, path: "validated/vision/classification/inception_and_googlenet/googlenet/model/googlenet-7.onnx", sizeLabel: "28 MB", size: 28020232, sha256: "5725ccfd90845735ce5897faf7843c3f9b13acda3c4f3bff82cb21c9337c9de8", lfsCommit: "4c46cd00fbdb7cd30b6c1c17ab54f2e1f4f7b177", licence: "BSD-3-Clause", readme: "validated/vision/classification/inception_and_googlenet/googlenet/README.md", readmeCommit: "4c46cd00fbdb7cd30b6c1c17ab54f2e1f4f7b177" },
  { name: "googlenet-8", title: "GoogleNet", task: "image-classification", opset: 8, path: "validated/vision/classification/inception_and_googlenet/googlenet/model/googlenet-8.onnx", sizeLabel: "28 MB", licence: "BSD-3-Clause", readme: "validated/vision/classification/inception_and_googlenet/googlenet/README.md", readmeCommit: "4c46cd00fbdb7cd30b6c1c17ab54f2e1f4f7b177" },
  { name: "googlenet-9", title: "GoogleNet", task: "image-classification", opset: 9, path: "validated/vision/classification/inception_and_googlenet/googlenet/model/googlenet-9.onnx", sizeLabel: "28 MB", licence: "BSD-3-Clause", readme: "validated/vision/classification/inception_and_googlenet/googlenet/README.md", readmeCommit: "4c46cd00fbdb7cd30b6c1c17ab54f2e1f4f7b177" },
  { name: "googlenet-12", title: "GoogleNet", task: "image-classification", opset: 12, path: "validated/vision/classification/inception_and_googlenet/googlenet/model/googlenet-12.onnx", sizeLabel: "27 MB", metrics: { top1: 67.78, top5: 88.34 }, licence: "BSD-3-Clause", readme: "validated/vision/classification/inception_and_googlenet/googlenet/README.md", readmeCommit: "4c46cd00fbdb7cd30b6c1c17ab54f2e1f4f7b177" },
  { name: "googlenet-12-int8", title: "GoogleNet-int8", task: "image-classification", opset: 12, path: "validated/vision/classification/inception_and_googlenet/googlenet/model/googlenet-12-int8.onnx", sizeLabel: "7 MB", size: 7122858, sha256: "282290386d7055c1b1e9692680621907991a87f9839391892b5cbe4da2e9871f", lfsCommit: "4c46cd00fbdb7cd30b6c1c17ab54f2e1f4f7b177", metrics: { top1: 67.73, top5: 88.32 }, licence: "BSD-3-Clause", readme: "validated/vision/classification/inception_and_googlenet/googlenet/README.md", readmeCommit: "4c46cd00fbdb7cd30b6c1c17ab54f2e1f4f7b177" },
  { name: "googlenet-12-qdq", title: "GoogleNet-qdq", task: "image-classification", opset: 12, path: "validated/vision/classification/inception_and_googlenet/googlenet/model/googlenet-12-qdq.onnx", sizeLabel: "7 MB", size: 7135204, sha256: "f764ae1ed52e5fca319a43a19e9526d2f028e7f10b9d17a8eefcb098cd90d36d", lfsCommit: "2a67a85e670e61bf9819e9df6dae3771974552ff", metrics: { top1: 67.73, top5: 88.31 }, licence: "BSD-3-Clause", readme: "validated/vision/classification/inception_and_googlenet/googlenet/README.md", readmeCommit: "4c46cd00fbdb7cd30b6c1c17ab54f2e1f4f7b177" },
  { name: "inception-v1-3", title: "Inception-1", task: "image-classification", opset: 3, path: "validated/vision/classification/inception_and_googlenet/inception_v1/model/inception-v1-3.onnx", sizeLabel: "28 MB", licence: "MIT", readme: "vision/classification/inception_and_googlenet/inception_v1/README.md", readmeCommit: "0b6e518081bf6b98adf306ac1061405d7a878a2a" },
  { name: "inception-v1-6", title: "Inception-1", task: "image-classification", opset: 6, path: "validated/vision/classification/inception_and_googlenet/inception_v1/model/inception-v1-6.onnx", sizeLabel: "28 MB", licence: "MIT", readme: "vision/classification/inception_and_googlenet/inception_v1/README.md", readmeCommit: "0b6e518081bf6b98adf306ac1061405d7a878a2a" },
  { name: "inception-v1-7", title: "Inception-1", task: "image-classification", opset: 7, path: "validated/vision/classification/inception_and_googlenet/inception_v1/model/inception-v1-7.onnx", sizeLabel: "28 MB", licence: "MIT", readme: "vision/classification/inception_and_googlenet/inception_v1/README.md", readmeCommit: "0b6e518081bf6b98adf306ac1061405d7a878a2a" },
  { name: "inception-v1-8", title: "Inception-1", task: "image-classification", opset: 8, path: "validated/vision/classification/inception_and_googlenet/inception_v1/model/inception-v1-8.onnx", sizeLabel: "28 MB", size: 28020356, sha256: "ec956d393dd467b6d9e0b17b8c8227c534b936bfbcdc82343a3a7238375775f0", lfsCommit: "4c46cd00fbdb7cd30b6c1c17ab54f2e1f4f7b177", licence: "MIT", readme: "vision/classification/inception_and_googlenet/inception_v1/README.md", readmeCommit: "0b6e518081bf6b98adf306ac1061405d7a878a2a" },
  { name: "inception-v1-9", title: "Inception-1", task: "image-classification", opset: 9, path: "validated/vision/classification/inception_and_googlenet/inception_v1/model/inception-v1-9.onnx", sizeLabel: "28 MB", licence: "MIT", readme: "vision/classification/inception_and_googlenet/inception_v1/README.md", readmeCommit: "0b6e518081bf6b98adf306ac1061405d7a878a2a" },
  { name: "inception-v1-12", title: "Inception-1", task: "image-classification", opset: 12, path: "validated/vision/classification/inception_and_googlenet/inception_v1/model/inception-v1-12.onnx", sizeLabel: "27 MB", metrics: { top1: 67.23 }, licence: "MIT", readme: "vision/classification/inception_and_googlenet/inception_v1/README.md", readmeCommit: "0b6e518081bf6b98adf306ac1061405d7a878a2a" },
  { name: "inception-v1-12-int8", title: "Inception-1-int8", task: "image-classification", opset: 12, path: "validated/vision/classification/inception_and_googlenet/inception_v1/model/inception-v1-12-int8.onnx", sizeLabel: "10 MB", metrics: { top1: 67.24 }, licence: "MIT", readme: "vision/classification/inception_and_googlenet/inception_v1/README.md", readmeCommit: "0b6e518081bf6b98adf306ac1061405d7a878a2a" },
  { name: "inception-v2-3", title: "Inception-2", task: "image-classification", opset: 3, path: "validated/vision/classification/inception_and_googlenet/inception_v2/model/inception-v2-3.onnx", sizeLabel: "44 MB", licence: "MIT", readme: "vision/classification/inception_and_googlenet/inception_v2/README.md", readmeCommit: "262e41f184c33962a3fa5e0f4823d968ed8771fd" },
  { name: "inception-v2-6", title: "Inception-2", task: "image-classification", opset: 6, path: "validated/vision/classification/inception_and_googlenet/inception_v2/model/inception-v2-6.onnx", sizeLabel: "44 MB", licence: "MIT", readme: "vision/classification/inception_and_googlenet/inception_v2/README.md", readmeCommit: "262e41f184c33962a3fa5e0f4823d968ed8771fd" },
  { name: "inception-v2-7", title: "Inception-2", task: "image-classification", opset: 7, path: "validated/vision/classification/inception_and_googlenet/inception_v2/model/inception-v2-7.onnx", sizeLabel: "44 MB", licence: "MIT", readme: "vision/classification/inception_and_googlenet/inception_v2/README.md", readmeCommit: "262e41f184c33962a3fa5e0f4823d968ed8771fd" },
  { name: "inception-v2-8", title: "Inception-2", task: "image-classification", opset: 8, path: "validated/vision/classification/inception_and_googlenet/inception_v2/model/inception-v2-8.onnx", sizeLabel: "44 MB", licence: "MIT", readme: "vision/classification/inception_and_googlenet/inception_v2/README.md", readmeCommit: "262e41f184c33962a3fa5e0f4823d968ed8771fd" },
  { name: "inception-v2-9", title: "Inception-2", task: "image-classification", opset: 9, path: "validated/vision/classification/inception_and_googlenet/inception_v2/model/inception-v2-9.onnx", sizeLabel: "44 MB", licence: "MIT", readme: "vision/classification/inception_and_googlenet/inception_v2/README.md", readmeCommit: "262e41f184c33962a3fa5e0f4823d968ed8771fd" },
  { name: "densenet-3", title: "DenseNet-121", task: "image-classification", opset: 3, path: "validated/vision/classification/densenet-121/model/densenet-3.onnx", sizeLabel: "32 MB", size: 32718955, sha256: "7749c7b6c419cf2b8c6b8a979c86bb3d322976578682662b852cae36e2b79b41", lfsCommit: "2a67a85e670e61bf9819e9df6dae3771974552ff", licence: "MIT", readme: "vision/classification/densenet-121/README.md", readmeCommit: "e0cb524b3943510e979a00f799b2ca81061399ef" },
  { name: "densenet-6", title: "DenseNet-121", task: "image-classification", opset: 6, path: "validated/vision/classification/densenet-121/model/densenet-6.onnx", sizeLabel: "32 MB", licence: "MIT", readme: "vision/classification/densenet-121/README.md", readmeCommit: "e0cb524b3943510e979a00f799b2ca81061399ef" },
  { name: "densenet-7", title: "DenseNet-121", task: "image-classification", opset: 7, path: "validated/vision/classification/densenet-121/model/densenet-7.onnx", sizeLabel: "32 MB", licence: "MIT", readme: "vision/classification/densenet-121/README.md", readmeCommit: "e0cb524b3943510e979a00f799b2ca81061399ef" },
  { name: "densenet-8", title: "DenseNet-121", task: "image-classification", opset: 8, path: "validated/vision/classification/densenet-121/model/densenet-8.onnx", sizeLabel: "32 MB", licence: "MIT", readme: "vision/classification/densenet-121/README.md", readmeCommit: "e0cb524b3943510e979a00f799b2ca81061399ef" },
  { name: "densenet-9", title: "DenseNet-121", task: "image-classification", opset: 9, path: "validated/vision/classification/densenet-121/model/densenet-9.onnx", sizeLabel: "32 MB", licence: "MIT", readme: "vision/classification/densenet-121/README.md", readmeCommit: "e0cb524b3943510e979a00f799b2ca81061399ef" },
  { name: "densenet-12", title: "DenseNet-121-12", task: "image-classification", opset: 12, path: "validated/vision/classification/densenet-121/model/densenet-12.onnx", sizeLabel: "32 MB", size: 32726877, sha256: "0294e7e88e5b3360de9b0fdc321baf9e6ef18b7f058c4536caae3b9f18ed9ed5", lfsCommit: "4c46cd00fbdb7cd30b6c1c17ab54f2e1f4f7b177", metrics: { top1: 60.96 }, licence: "MIT", readme: "vision/classification/densenet-121/README.md", readmeCommit: "e0cb524b3943510e979a00f799b2ca81061399ef" },
  { name: "densenet-12-int8", title: "DenseNet-121-12-int8", task: "image-classification", opset: 12, path: "validated/vision/classification/densenet-121/model/densenet-12-int8.onnx", sizeLabel: "9 MB", metrics: { top1: 60.2 }, licence: "MIT", readme: "vision/classification/densenet-121/README.md", readmeCommit: "e0cb524b3943510e979a00f799b2ca81061399ef" },
  { name: "shufflenet-3", title: "ShuffleNet-v1", task: "image-classification", opset: 3, path: "validated/vision/classification/shufflenet/model/shufflenet-3.onnx", sizeLabel: "5.3 MB", licence: "BSD-3-Clause", readme: "vision/classification/shufflenet/README.md", readmeCommit: "f5877d4c8e8e2ec175fe3c1e622199eb71dfcfa7" },
  { name: "shufflenet-6", title: "ShuffleNet-v1", task: "image-classification", opset: 6, path: "validated/vision/classification/shufflenet/model/shufflenet-6.onnx", sizeLabel: "5.3 MB", licence: "BSD-3-Clause", readme: "vision/classification/shufflenet/README.md", readmeCommit: "f5877d4c8e8e2ec175fe3c1e622199eb71dfcfa7" },
  { name: "shufflenet-7", title: "ShuffleNet-v1", task: "image-classification", opset: 7, path: "validated/vision/classification/shufflenet/model/shufflenet-7.onnx", sizeLabel: "5.3 MB", size: 5723770, sha256: "359609ab27d27d44091e05f9a5127d9ce0c155ed69d0716f41e6779998bc4764", lfsCommit: "4c46cd00fbdb7cd30b6c1c17ab54f2e1f4f7b177", licence: "BSD-3-Clause", readme: "vision/classification/shufflenet/README.md", readmeCommit: "f5877d4c8e8e2ec175fe3c1e622199eb71dfcfa7" },
  { name: "shufflenet-8", title: "ShuffleNet-v1", task: "image-classification", opset: 8, path: "validated/vision/classification/shufflenet/model/shufflenet-8.onnx", sizeLabel: "5.3 MB", licence: "BSD-3-Clause", readme: "vision/classification/shufflenet/README.md", readmeCommit: "f5877d4c8e8e2ec175fe3c1e622199eb71dfcfa7" },
  { name: "shufflenet-9", title: "ShuffleNet-v1", task: "image-classification", opset: 9, path: "validated/vision/classification/shufflenet/model/shufflenet-9.onnx", sizeLabel: "5.3 MB", licence: "BSD-3-Clause", readme: "vision/classification/shufflenet/README.md", readmeCommit: "f5877d4c8e8e2ec175fe3c1e622199eb71dfcfa7" },
  { name: "shufflenet-v2-10", title: "ShuffleNet-v2", task: "image-classification", opset: 10, path: "validated/vision/classification/shufflenet/model/shufflenet-v2-10.onnx", sizeLabel: "9.2MB", metrics: { top1Error: 30.64, top5Error: 11.68 }, licence: "BSD-3-Clause", readme: "vision/classification/shufflenet/README.md", readmeCommit: "f5877d4c8e8e2ec175fe3c1e622199eb71dfcfa7" },
  { name: "shufflenet-v2-12", title: "ShuffleNet-v2-fp32", task: "image-classification", opset: 12, path: "validated/vision/classification/shufflenet/model/shufflenet-v2-12.onnx", sizeLabel: "8.79MB", size: 9218556, sha256: "ea69821b4dd374ae2f33f9710dd1229ac263d0ee5b5a46ca3521f6483e1ba035", lfsCommit: "4c46cd00fbdb7cd30b6c1c17ab54f2e1f4f7b177", metrics: { top1Error: 33.65, top5Error: 13.43 }, licence: "BSD-3-Clause", readme: "vision/classification/shufflenet/README.md", readmeCommit: "f5877d4c8e8e2ec175fe3c1e622199eb71dfcfa7" },
  { name: "shufflenet-v2-12-int8", title: "ShuffleNet-v2-int8", task: "image-classification", opset: 12, path: "validated/vision/classification/shufflenet/model/shufflenet-v2-12-int8.onnx", sizeLabel: "2.28MB", metrics: { top1Error: 33.85, top5Error: 13.66 }, licence: "BSD-3-Clause", readme: "vision/classification/shufflenet/README.md", readmeCommit: "f5877d4c8e8e2ec175fe3c1e622199eb71dfcfa7" },
  { name: "efficientnet-lite4-11", title: "EfficientNet-Lite4", task: "image-classification", opset: 11, path: "validated/vision/classification/efficientnet-lite4/model/efficientnet-lite4-11.onnx", sizeLabel: "51.9 MB", licence: "MIT", readme: "vision/classification/efficientnet-lite4/README.md", readmeCommit: "ebae82f1158908215c0f1bbacd40882eadd84db9" },
  { name: "mnist-1", title: "MNIST", task: "image-classification", opset: 1, path: "validated/vision/classification/mnist/model/mnist-1.onnx", sizeLabel: "27 kB", licence: "MIT", readme: "vision/classification/mnist/README.md", readmeCommit: "f3baf694211f4527545e63dc61f1f636127ad06f" },
  { name: "mnist-7", title: "MNIST", task: "image-classification", opset: 7, path: "validated/vision/classification/mnist/model/mnist-7.onnx", sizeLabel: "26 kB", licence: "MIT", readme: "vision/classification/mnist/README.md", readmeCommit: "f3baf694211f4527545e63dc61f1f636127ad06f" },
  { name: "mnist-8", title: "MNIST", task: "image-classification", opset: 8, path: "validated/vision/classification/mnist/model/mnist-8.onnx", sizeLabel: "26 kB", size: 26454, sha256: "2f06e72de813a8635c9bc0397ac447a601bdbfa7df4bebc278723b958831c9bf", lfsCommit: "2a67a85e670e61bf9819e9df6dae3771974552ff", licence: "MIT", readme: "vision/classification/mnist/README.md", readmeCommit: "f3baf694211f4527545e63dc61f1f636127ad06f" },
  { name: "ssd-10", title: "SSD", task: "object-detection", opset: 10, path: "validated/vision/object_detection_segmentation/ssd/model/ssd-10.onnx", sizeLabel: "80.4 MB", metrics: { mAP: 0.195 }, licence: "Apache 2.0", readme: "vision/object_detection_segmentation/ssd/README.md", readmeCommit: "91e76493d61094d9979130d73734963ff1724134" },
  { name: "tinyyolov2-7", title: "Tiny YOLOv2", task: "object-detection", opset: 7, path: "validated/vision/object_detection_segmentation/tiny-yolov2/model/tinyyolov2-7.onnx", sizeLabel: "62 MB", licence: "MIT", readme: "vision/object_detection_segmentation/tiny-yolov2/README.md", readmeCommit: "91e76493d61094d9979130d73734963ff1724134" },
  { name: "tinyyolov2-8", title: "Tiny YOLOv2", task: "object-detection", opset: 8, path: "validated/vision/object_detection_segmentation/tiny-yolov2/model/tinyyolov2-8.onnx", sizeLabel: "62 MB", licence: "MIT", readme: "vision/object_detection_segmentation/tiny-yolov2/README.md", readmeCommit: "91e76493d61094d9979130d73734963ff1724134" },
  { name: "yolov3-10", title: "YOLOv3", task: "object-detection", opset: 10, path: "validated/vision/object_detection_segmentation/yolov3/model/yolov3-10.onnx", sizeLabel: "237 MB", metrics: { mAP: 0.553 }, licence: "MIT", readme: "validated/vision/object_detection_segmentation/yolov3/README.md", readmeCommit: "351c595ac184bd774010f26add70ffe14ce6419a" },
  { name: "yolov3-12", title: "YOLOv3-12", task: "object-detection", opset: 12, path: "validated/vision/object_detection_segmentation/yolov3/model/yolov3-12.onnx", sizeLabel: "237 MB", metrics: { mAP: 0.2874 }, licence: "MIT", readme: "validated/vision/object_detection_segmentation/yolov3/README.md", readmeCommit: "351c595ac184bd774010f26add70ffe14ce6419a" },
  { name: "yolov3-12-int8", title: "YOLOv3-12-int8", task: "object-detection", opset: 12, path: "validated/vision/object_detection_segmentation/yolov3/model/yolov3-12-int8.onnx", sizeLabel: "60 MB", metrics: { mAP: 0.2693 }, licence: "MIT", readme: "validated/vision/object_detection_segmentation/yolov3/README.md", readmeCommit: "351c595ac184bd774010f26add70ffe14ce6419a" },
  { name: "yolov4", title: "YOLOv4", task: "object-detection", opset: 11, path: "validated/vision/object_detection_segmentation/yolov4/model/yolov4.onnx", sizeLabel: "251 MB", size: 257470589, sha256: "1881fe9c506c970d7866cb4bfc33bda791ce46951a3c39c45ace2ff2b9daf369", lfsCommit: "2a67a85e670e61bf9819e9df6dae3771974552ff", metrics: { mAP50: 0.5733 }, licence: "MIT", readme: "vision/object_detection_segmentation/yolov4/README.md", readmeCommit: "7fd1d75c657a73d61648f05300d22d9e4a36e23e" },
  { name: "bertsquad-8", title: "BERT-Squad", task: "question-answering", opset: 8, path: "validated/text/machine_comprehension/bert-squad/model/bertsquad-8.onnx", sizeLabel: "393 MB", licence: "Apache 2.0", readme: "text/machine_comprehension/bert-squad/README.md", readmeCommit: "e3bcf1a37c0ca716ff55371ce89699043cc445a8" },
  { name: "bertsquad-10", title: "BERT-Squad", task: "question-answering", opset: 10, path: "validated/text/machine_comprehension/bert-squad/model/bertsquad-10.onnx", sizeLabel: "393 MB", licence: "Apache 2.0", readme: "text/machine_comprehension/bert-squad/README.md", readmeCommit: "e3bcf1a37c0ca716ff55371ce89699043cc445a8" },
  { name: "bertsquad-12", title: "BERT-Squad", task: "question-answering", path: "validated/text/machine_comprehension/bert-squad/model/bertsquad-12.onnx", size: 435852736, sha256: "5f0d96a9e6b8a4a2e59f9636f8bbad09ee8a0c58c8212027cc17c5fcc9659e55", lfsCommit: "4c46cd00fbdb7cd30b6c1c17ab54f2e1f4f7b177", licence: "Apache 2.0" },
  { name: "gpt2-10", title: "GPT-2", task: "text-generation", opset: 10, path: "validated/text/machine_comprehension/gpt-2/model/gpt2-10.onnx", sizeLabel: "522.81 MB", readme: "text/machine_comprehension/gpt-2/README.md" },
  { name: "gpt2-lm-head-10", title: "GPT-2-LM-HEAD", task: "text-generation", opset: 10, path: "validated/text/machine_comprehension/gpt-2/model/gpt2-lm-head-10.onnx", sizeLabel: "664.87 MB", readme: "text/machine_comprehension/gpt-2/README.md" },
  { name: "caffenet-3", title: "CaffeNet", task: "image-classification", opset: 3, path: "validated/vision/classification/caffenet/model/caffenet-3.onnx", sizeLabel: "238 MB", licence: "BSD-3-Clause", readme: "vision/classification/caffenet/README.md", readmeCommit: "72f894224c599d74558adbf9307ecabdf913e503" },
  { name: "caffenet-6", title: "CaffeNet", task: "image-classification", opset: 6, path: "validated/vision/classification/caffenet/model/caffenet-6.onnx", sizeLabel: "238 MB", size: 243863639, sha256: "15e568474e1c2af94cc34b812628707fee0130f3a3c8b3329cbc5e4ba9248682", lfsCommit: "2a67a85e670e61bf9819e9df6dae3771974552ff", licence: "BSD-3-Clause", readme: "vision/classification/caffenet/README.md", readmeCommit: "72f894224c599d74558adbf9307ecabdf913e503" },
  { name: "caffenet-7", title: "CaffeNet", task: "image-classification", opset: 7, path: "validated/vision/classification/caffenet/model/caffenet-7.onnx", sizeLabel: "238 MB", licence: "BSD-3-Clause", readme: "vision/classification/caffenet/README.md", readmeCommit: "72f894224c599d74558adbf9307ecabdf913e503" },
  { name: "caffenet-8", title: "CaffeNet", task: "image-classification", opset: 8, path: "validated/vision/classification/caffenet/model/caffenet-8.onnx", sizeLabel: "238 MB", licence: "BSD-3-Clause", readme: "vision/classification/caffenet/README.md", readmeCommit: "72f894224c599d74558adbf9307ecabdf913e503" },
  { name: "caffenet-9", title: "CaffeNet", task: "image-classification", opset: 9, path: "validated/vision/classification/caffenet/model/caffenet-9.onnx", sizeLabel: "238 MB", size: 243863553, sha256: "802138332cf3e423c82a9a80c76e4f9227dd4effb3aba55413601fa4345cfd36", lfsCommit: "4c46cd00fbdb7cd30b6c1c17ab54f2e1f4f7b177", licence: "BSD-3-Clause", readme: "vision/classification/caffenet/README.md", readmeCommit: "72f894224c599d74558adbf9307ecabdf913e503" },
  { name: "caffenet-12", title: "CaffeNet", task: "image-classification", opset: 12, path: "validated/vision/classification/caffenet/model/caffenet-12.onnx", sizeLabel: "233 MB", metrics: { top1: 56.27, top5: 79.52 }, licence: "BSD-3-Clause", readme: "vision/classification/caffenet/README.md", readmeCommit: "72f894224c599d74558adbf9307ecabdf913e503" },
  { name: "caffenet-12-int8", title: "CaffeNet-int8", task: "image-classification", opset: 12, path: "validated/vision/classification/caffenet/model/caffenet-12-int8.onnx", sizeLabel: "58 MB", size: 60984071, sha256: "ee44f74d2582aa4ca7131929cd28b2a07f5f39f951d8d4f997fffcbed42aa61d", lfsCommit: "4c46cd00fbdb7cd30b6c1c17ab54f2e1f4f7b177", metrics: { top1: 56.22, top5: 79.52 }, licence: "BSD-3-Clause", readme: "vision/classification/caffenet/README.md", readmeCommit: "72f894224c599d74558adbf9307ecabdf913e503" },
];

export const ONNX_ZOO_CATALOG: readonly OnnxZooEntry[] = ROWS.map((row) => ({
  ...row,
  url: ONNX_ZOO_HF_RESOLVE_BASE + row.path,
  fileName: row.path.slice(row.path.lastIndexOf('/') + 1),
}));

/** `onnx/<fileName>`: the library id an ONNX Model Zoo file stages under. */
export function libraryEntryIdFor(entry: OnnxZooEntry): string {
  return entryId('onnx', entry.fileName);
}

/** The GitHub LFS media URL of the same path: for reference only, it no longer serves the bytes (see above). */
export function githubLfsMediaUrl(entry: OnnxZooEntry): string {
  return `https://media.githubusercontent.com/media/${ONNX_ZOO_GITHUB_REPO}/main/${entry.path}`;
}

const byName = new Map<string, OnnxZooEntry>();
for (const e of ONNX_ZOO_CATALOG) {
  byName.set(e.name, e);
  byName.set(e.fileName, e);
  byName.set(e.path, e);
}

/**
 * The entry for a catalog name (`resnet50-v1-12`), a file name (`resnet50-v1-12.onnx`) or a repository path
 * (`validated/vision/…/resnet50-v1-12.onnx`), with or without an `onnx-zoo:` prefix; undefined when there is none.
 */
export function findOnnxZooModel(name: string): OnnxZooEntry | undefined {
  return byName.get(name.startsWith('onnx-zoo:') ? name.slice('onnx-zoo:'.length) : name);
}

export interface ResolvedOnnxZooModel {
  catalogName: string;
  url: string;
  fileName: string;
  /** Expected sha256 and size, when the LFS pointer was read. */
  sha256?: string;
  size?: number;
  libraryId: string;
  licence?: string;
  source: EntrySource;
  entry: OnnxZooEntry;
}

/** Everything a download needs for one name; throws OmnihubError('usage') for a name the catalog lacks. */
export function resolveOnnxZooModel(name: string): ResolvedOnnxZooModel {
  const entry = findOnnxZooModel(name);
  if (!entry) throw new OmnihubError('usage', `The ONNX Model Zoo catalog has no model named ${JSON.stringify(name)}.`);
  const resolved: ResolvedOnnxZooModel = {
    catalogName: entry.name,
    url: entry.url,
    fileName: entry.fileName,
    libraryId: libraryEntryIdFor(entry),
    source: {
      kind: 'onnx-zoo',
      url: entry.url,
      repo: ONNX_ZOO_HF_REPO,
      revision: ONNX_ZOO_HF_REVISION,
      path: entry.path,
      catalogName: entry.name,
    },
    entry,
  };
  if (entry.sha256 !== undefined) resolved.sha256 = entry.sha256;
  if (entry.size !== undefined) resolved.size = entry.size;
  if (entry.licence !== undefined) resolved.licence = entry.licence;
  return resolved;
}
