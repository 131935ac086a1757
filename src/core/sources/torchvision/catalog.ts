/**
 * Catalog of torchvision's pretrained weight files: one row per member of every `WeightsEnum` in
 * `torchvision.models` (classification, quantized classification, detection, segmentation, video, optical flow).
 *
 * Source: torchvision 0.29.1, `torchvision/models/**.py` as shipped in
 * torchvision-0.29.1-cp311-cp311-manylinux_2_28_x86_64.whl (the pytorch/vision release of that version). The rows
 * below were extracted mechanically from those files with Python's `ast` (not imported, not executed): for each
 * `class X(WeightsEnum)`, every `MEMBER = Weights(url=..., meta={...})` gives `url` and, from `meta` (with
 * `**_COMMON_META`-style spreads resolved), `num_params`, `_metrics`, `_ops` (GFLOPS), `_file_size` (MB) and
 * `license`; every `DEFAULT = MEMBER` gives TORCHVISION_DEFAULT_MEMBERS; every `@register_model()` builder gives
 * TORCHVISION_BUILDERS from the first enum in its `weights: Optional[...]` annotation (quantized builders are
 * registered as `quantized_<name>`). Nothing was typed by hand. Spot-checked against public copies of
 * pytorch/vision's enums (resnet18-f37072fd.pth, vit_h_14_swag-80465313.pth,
 * fasterrcnn_resnet50_fpn_coco-258fb6c6.pth: same URLs). VGG16_Weights.IMAGENET1K_FEATURES has no `metrics`
 * because torchvision declares them as float("nan").
 *
 * Hash check: every torchvision builder loads with `weights.get_state_dict(progress=progress, check_hash=True)`,
 * i.e. torch.hub.load_state_dict_from_url(url, check_hash=True), which (torch/hub.py, read in torch 2.13.0 —
 * git_version cf30153c4c131c8164ee7798e5022d810682e2cb — and in pytorch/pytorch torch/hub.py @
 * 32e63a88f743842d8caa0277ef0064ed55c0a493) does
 *     HASH_REGEX = re.compile(r"-([a-f0-9]*)\.")      # "matches bfd8deac from resnet18-bfd8deac.pth"
 *     r = HASH_REGEX.search(filename); hash_prefix = r.group(1) if r else None
 * and download_url_to_file then fails unless `sha256(file).hexdigest()[:len(hash_prefix)] == hash_prefix`.
 * So `hashPrefix` is the leading hex of the file's sha256 (8+ digits here), taken from the file name with that
 * regex (torchvisionHashPrefix below). Four quantized files (`resnet18_fbgemm_16fa66dd.pth`, …) have no `-<hex>.`
 * in their names: torch checks nothing for them and `hashPrefix` is null (the trailing hex after `_` is not
 * checked by torch, so it is not recorded as a hash).
 *
 * Extraction script: scripts/catalogs/torchvision_extract.py.
 *
 * Names: the CLI's `torchvision:resnet18` means builder `resnet18` with `ResNet18_Weights.DEFAULT`;
 * `torchvision:ResNet18_Weights.IMAGENET1K_V1` names a member. Library id: `pytorch/<fileName>`.
 */
import { OmnihubError } from '../../errors.js';
import { entryId, type EntrySource } from '../../library/types.js';

export type TorchvisionTask =
  | 'classification'
  | 'quantized-classification'
  | 'detection'
  | 'segmentation'
  | 'video'
  | 'optical-flow';

export interface TorchvisionWeightsEntry {
  /** `<Enum>.<MEMBER>`, e.g. `ResNet18_Weights.IMAGENET1K_V1`: the catalog name. */
  weights: string;
  /** The registered builder whose `weights` argument takes this enum (`resnet18`, `quantized_resnet18`, …). */
  builder: string;
  task: TorchvisionTask;
  /** `Weights.url`. */
  url: string;
  /** Last segment of the URL: the name torch.hub caches the file under (`<hub>/checkpoints/<fileName>`). */
  fileName: string;
  /** Leading hex digits of the file's sha256 as torch.hub reads them from the file name; null when torch checks none. */
  hashPrefix: string | null;
  /** meta["num_params"]. */
  numParams: number;
  /** meta["_metrics"]: dataset -> metric -> value (ImageNet-1K acc@1/acc@5, COCO box_map, …). */
  metrics?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** meta["_ops"] (GFLOPS). */
  gflops?: number;
  /** meta["_file_size"] (MB, as torchvision states it). */
  fileSizeMB?: number;
  /** meta["license"], where the enum states one (the SWAG weights). */
  licence?: string;
  /** File in the torchvision wheel that defines the enum. */
  sourceFile: string;
}

export const TORCHVISION_CATALOG: readonly TorchvisionWeightsEntry[] = [
  { weights: "AlexNet_Weights.IMAGENET1K_V1", builder: "alexnet", task: "classification", url: "https://download.pytorch.org/models/alexnet-owt-7be5be79.pth", fileName: "alexnet-owt-7be5be79.pth", hashPrefix: "7be5be79", numParams: 61100840, metrics: {"ImageNet-1K": {"acc@1": 56.522, "acc@5": 79.066}}, gflops: 0.714, fileSizeMB: 233.087, sourceFile: "torchvision/models/alexnet.py" },
  { weights: "ConvNeXt_Tiny_Weights.IMAGENET1K_V1", builder: "convnext_tiny", task: "classification", url: "https://download.pytorch.org/models/convnext_tiny-983f1562.pth", fileName: "convnext_tiny-983f1562.pth", hashPrefix: "983f1562", numParams: 28589128, metrics: {"ImageNet-1K": {"acc@1": 82.52, "acc@5": 96.146}}, gflops: 4.456, fileSizeMB: 109.119, sourceFile: "torchvision/models/convnext.py" },
  { weights: "ConvNeXt_Small_Weights.IMAGENET1K_V1", builder: "convnext_small", task: "classification", url: "https://download.pytorch.org/models/convnext_small-0c510722.pth", fileName: "convnext_small-0c510722.pth", hashPrefix: "0c510722", numParams: 50223688, metrics: {"ImageNet-1K": {"acc@1": 83.616, "acc@5": 96.65}}, gflops: 8.684, fileSizeMB: 191.703, sourceFile: "torchvision/models/convnext.py" },
  { weights: "ConvNeXt_Base_Weights.IMAGENET1K_V1", builder: "convnext_base", task: "classification", url: "https://download.pytorch.org/models/convnext_base-6075fbad.pth", fileName: "convnext_base-6075fbad.pth", hashPrefix: "6075fbad", numParams: 88591464, metrics: {"ImageNet-1K": {"acc@1": 84.062, "acc@5": 96.87}}, gflops: 15.355, fileSizeMB: 338.064, sourceFile: "torchvision/models/convnext.py" },
  { weights: "ConvNeXt_Large_Weights.IMAGENET1K_V1", builder: "convnext_large", task: "classification", url: "https://download.pytorch.org/models/convnext_large-ea097f82.pth", fileName: "convnext_large-ea097f82.pth", hashPrefix: "ea097f82", numParams: 197767336, metrics: {"ImageNet-1K": {"acc@1": 84.414, "acc@5": 96.976}}, gflops: 34.361, fileSizeMB: 754.537, sourceFile: "torchvision/models/convnext.py" },
  { weights: "DenseNet121_Weights.IMAGENET1K_V1", builder: "densenet121", task: "classification", url: "https://download.pytorch.org/models/densenet121-a639ec97.pth", fileName: "densenet121-a639ec97.pth", hashPrefix: "a639ec97", numParams: 7978856, metrics: {"ImageNet-1K": {"acc@1": 74.434, "acc@5": 91.972}}, gflops: 2.834, fileSizeMB: 30.845, sourceFile: "torchvision/models/densenet.py" },
  { weights: "DenseNet161_Weights.IMAGENET1K_V1", builder: "densenet161", task: "classification", url: "https://download.pytorch.org/models/densenet161-8d451a50.pth", fileName: "densenet161-8d451a50.pth", hashPrefix: "8d451a50", numParams: 28681000, metrics: {"ImageNet-1K": {"acc@1": 77.138, "acc@5": 93.56}}, gflops: 7.728, fileSizeMB: 110.369, sourceFile: "torchvision/models/densenet.py" },
  { weights: "DenseNet169_Weights.IMAGENET1K_V1", builder: "densenet169", task: "classification", url: "https://download.pytorch.org/models/densenet169-b2777c0a.pth", fileName: "densenet169-b2777c0a.pth", hashPrefix: "b2777c0a", numParams: 14149480, metrics: {"ImageNet-1K": {"acc@1": 75.6, "acc@5": 92.806}}, gflops: 3.36, fileSizeMB: 54.708, sourceFile: "torchvision/models/densenet.py" },
  { weights: "DenseNet201_Weights.IMAGENET1K_V1", builder: "densenet201", task: "classification", url: "https://download.pytorch.org/models/densenet201-c1103571.pth", fileName: "densenet201-c1103571.pth", hashPrefix: "c1103571", numParams: 20013928, metrics: {"ImageNet-1K": {"acc@1": 76.896, "acc@5": 93.37}}, gflops: 4.291, fileSizeMB: 77.373, sourceFile: "torchvision/models/densenet.py" },
  { weights: "EfficientNet_B0_Weights.IMAGENET1K_V1", builder: "efficientnet_b0", task: "classification", url: "https://download.pytorch.org/models/efficientnet_b0_rwightman-7f5810bc.pth", fileName: "efficientnet_b0_rwightman-7f5810bc.pth", hashPrefix: "7f5810bc", numParams: 5288548, metrics: {"ImageNet-1K": {"acc@1": 77.692, "acc@5": 93.532}}, gflops: 0.386, fileSizeMB: 20.451, sourceFile: "torchvision/models/efficientnet.py" },
  { weights: "EfficientNet_B1_Weights.IMAGENET1K_V1", builder: "efficientnet_b1", task: "classification", url: "https://download.pytorch.org/models/efficientnet_b1_rwightman-bac287d4.pth", fileName: "efficientnet_b1_rwightman-bac287d4.pth", hashPrefix: "bac287d4", numParams: 7794184, metrics: {"ImageNet-1K": {"acc@1": 78.642, "acc@5": 94.186}}, gflops: 0.687, fileSizeMB: 30.134, sourceFile: "torchvision/models/efficientnet.py" },
  { weights: "EfficientNet_B1_Weights.IMAGENET1K_V2", builder: "efficientnet_b1", task: "classification", url: "https://download.pytorch.org/models/efficientnet_b1-c27df63c.pth", fileName: "efficientnet_b1-c27df63c.pth", hashPrefix: "c27df63c", numParams: 7794184, metrics: {"ImageNet-1K": {"acc@1": 79.838, "acc@5": 94.934}}, gflops: 0.687, fileSizeMB: 30.136, sourceFile: "torchvision/models/efficientnet.py" },
  { weights: "EfficientNet_B2_Weights.IMAGENET1K_V1", builder: "efficientnet_b2", task: "classification", url: "https://download.pytorch.org/models/efficientnet_b2_rwightman-c35c1473.pth", fileName: "efficientnet_b2_rwightman-c35c1473.pth", hashPrefix: "c35c1473", numParams: 9109994, metrics: {"ImageNet-1K": {"acc@1": 80.608, "acc@5": 95.31}}, gflops: 1.088, fileSizeMB: 35.174, sourceFile: "torchvision/models/efficientnet.py" },
  { weights: "EfficientNet_B3_Weights.IMAGENET1K_V1", builder: "efficientnet_b3", task: "classification", url: "https://download.pytorch.org/models/efficientnet_b3_rwightman-b3899882.pth", fileName: "efficientnet_b3_rwightman-b3899882.pth", hashPrefix: "b3899882", numParams: 12233232, metrics: {"ImageNet-1K": {"acc@1": 82.008, "acc@5": 96.054}}, gflops: 1.827, fileSizeMB: 47.184, sourceFile: "torchvision/models/efficientnet.py" },
  { weights: "EfficientNet_B4_Weights.IMAGENET1K_V1", builder: "efficientnet_b4", task: "classification", url: "https://download.pytorch.org/models/efficientnet_b4_rwightman-23ab8bcd.pth", fileName: "efficientnet_b4_rwightman-23ab8bcd.pth", hashPrefix: "23ab8bcd", numParams: 19341616, metrics: {"ImageNet-1K": {"acc@1": 83.384, "acc@5": 96.594}}, gflops: 4.394, fileSizeMB: 74.489, sourceFile: "torchvision/models/efficientnet.py" },
  { weights: "EfficientNet_B5_Weights.IMAGENET1K_V1", builder: "efficientnet_b5", task: "classification", url: "https://download.pytorch.org/models/efficientnet_b5_lukemelas-1a07897c.pth", fileName: "efficientnet_b5_lukemelas-1a07897c.pth", hashPrefix: "1a07897c", numParams: 30389784, metrics: {"ImageNet-1K": {"acc@1": 83.444, "acc@5": 96.628}}, gflops: 10.266, fileSizeMB: 116.864, sourceFile: "torchvision/models/efficientnet.py" },
  { weights: "EfficientNet_B6_Weights.IMAGENET1K_V1", builder: "efficientnet_b6", task: "classification", url: "https://download.pytorch.org/models/efficientnet_b6_lukemelas-24a108a5.pth", fileName: "efficientnet_b6_lukemelas-24a108a5.pth", hashPrefix: "24a108a5", numParams: 43040704, metrics: {"ImageNet-1K": {"acc@1": 84.008, "acc@5": 96.916}}, gflops: 19.068, fileSizeMB: 165.362, sourceFile: "torchvision/models/efficientnet.py" },
  { weights: "EfficientNet_B7_Weights.IMAGENET1K_V1", builder: "efficientnet_b7", task: "classification", url: "https://download.pytorch.org/models/efficientnet_b7_lukemelas-c5b4e57e.pth", fileName: "efficientnet_b7_lukemelas-c5b4e57e.pth", hashPrefix: "c5b4e57e", numParams: 66347960, metrics: {"ImageNet-1K": {"acc@1": 84.122, "acc@5": 96.908}}, gflops: 37.746, fileSizeMB: 254.675, sourceFile: "torchvision/models/efficientnet.py" },
  { weights: "EfficientNet_V2_S_Weights.IMAGENET1K_V1", builder: "efficientnet_v2_s", task: "classification", url: "https://download.pytorch.org/models/efficientnet_v2_s-dd5fe13b.pth", fileName: "efficientnet_v2_s-dd5fe13b.pth", hashPrefix: "dd5fe13b", numParams: 21458488, metrics: {"ImageNet-1K": {"acc@1": 84.228, "acc@5": 96.878}}, gflops: 8.366, fileSizeMB: 82.704, sourceFile: "torchvision/models/efficientnet.py" },
  { weights: "EfficientNet_V2_M_Weights.IMAGENET1K_V1", builder: "efficientnet_v2_m", task: "classification", url: "https://download.pytorch.org/models/efficientnet_v2_m-dc08266a.pth", fileName: "efficientnet_v2_m-dc08266a.pth", hashPrefix: "dc08266a", numParams: 54139356, metrics: {"ImageNet-1K": {"acc@1": 85.112, "acc@5": 97.156}}, gflops: 24.582, fileSizeMB: 208.01, sourceFile: "torchvision/models/efficientnet.py" },
  { weights: "EfficientNet_V2_L_Weights.IMAGENET1K_V1", builder: "efficientnet_v2_l", task: "classification", url: "https://download.pytorch.org/models/efficientnet_v2_l-59c71312.pth", fileName: "efficientnet_v2_l-59c71312.pth", hashPrefix: "59c71312", numParams: 118515272, metrics: {"ImageNet-1K": {"acc@1": 85.808, "acc@5": 97.788}}, gflops: 56.08, fileSizeMB: 454.573, sourceFile: "torchvision/models/efficientnet.py" },
  { weights: "GoogLeNet_Weights.IMAGENET1K_V1", builder: "googlenet", task: "classification", url: "https://download.pytorch.org/models/googlenet-1378be20.pth", fileName: "googlenet-1378be20.pth", hashPrefix: "1378be20", numParams: 6624904, metrics: {"ImageNet-1K": {"acc@1": 69.778, "acc@5": 89.53}}, gflops: 1.498, fileSizeMB: 49.731, sourceFile: "torchvision/models/googlenet.py" },
  { weights: "Inception_V3_Weights.IMAGENET1K_V1", builder: "inception_v3", task: "classification", url: "https://download.pytorch.org/models/inception_v3_google-0cc3c7bd.pth", fileName: "inception_v3_google-0cc3c7bd.pth", hashPrefix: "0cc3c7bd", numParams: 27161264, metrics: {"ImageNet-1K": {"acc@1": 77.294, "acc@5": 93.45}}, gflops: 5.713, fileSizeMB: 103.903, sourceFile: "torchvision/models/inception.py" },
  { weights: "MaxVit_T_Weights.IMAGENET1K_V1", builder: "maxvit_t", task: "classification", url: "https://download.pytorch.org/models/maxvit_t-bc5ab103.pth", fileName: "maxvit_t-bc5ab103.pth", hashPrefix: "bc5ab103", numParams: 30919624, metrics: {"ImageNet-1K": {"acc@1": 83.7, "acc@5": 96.722}}, gflops: 5.558, fileSizeMB: 118.769, sourceFile: "torchvision/models/maxvit.py" },
  { weights: "MNASNet0_5_Weights.IMAGENET1K_V1", builder: "mnasnet0_5", task: "classification", url: "https://download.pytorch.org/models/mnasnet0.5_top1_67.823-3ffadce67e.pth", fileName: "mnasnet0.5_top1_67.823-3ffadce67e.pth", hashPrefix: "3ffadce67e", numParams: 2218512, metrics: {"ImageNet-1K": {"acc@1": 67.734, "acc@5": 87.49}}, gflops: 0.104, fileSizeMB: 8.591, sourceFile: "torchvision/models/mnasnet.py" },
  { weights: "MNASNet0_75_Weights.IMAGENET1K_V1", builder: "mnasnet0_75", task: "classification", url: "https://download.pytorch.org/models/mnasnet0_75-7090bc5f.pth", fileName: "mnasnet0_75-7090bc5f.pth", hashPrefix: "7090bc5f", numParams: 3170208, metrics: {"ImageNet-1K": {"acc@1": 71.18, "acc@5": 90.496}}, gflops: 0.215, fileSizeMB: 12.303, sourceFile: "torchvision/models/mnasnet.py" },
  { weights: "MNASNet1_0_Weights.IMAGENET1K_V1", builder: "mnasnet1_0", task: "classification", url: "https://download.pytorch.org/models/mnasnet1.0_top1_73.512-f206786ef8.pth", fileName: "mnasnet1.0_top1_73.512-f206786ef8.pth", hashPrefix: "f206786ef8", numParams: 4383312, metrics: {"ImageNet-1K": {"acc@1": 73.456, "acc@5": 91.51}}, gflops: 0.314, fileSizeMB: 16.915, sourceFile: "torchvision/models/mnasnet.py" },
  { weights: "MNASNet1_3_Weights.IMAGENET1K_V1", builder: "mnasnet1_3", task: "classification", url: "https://download.pytorch.org/models/mnasnet1_3-a4c69d6f.pth", fileName: "mnasnet1_3-a4c69d6f.pth", hashPrefix: "a4c69d6f", numParams: 6282256, metrics: {"ImageNet-1K": {"acc@1": 76.506, "acc@5": 93.522}}, gflops: 0.526, fileSizeMB: 24.246, sourceFile: "torchvision/models/mnasnet.py" },
  { weights: "MobileNet_V2_Weights.IMAGENET1K_V1", builder: "mobilenet_v2", task: "classification", url: "https://download.pytorch.org/models/mobilenet_v2-b0353104.pth", fileName: "mobilenet_v2-b0353104.pth", hashPrefix: "b0353104", numParams: 3504872, metrics: {"ImageNet-1K": {"acc@1": 71.878, "acc@5": 90.286}}, gflops: 0.301, fileSizeMB: 13.555, sourceFile: "torchvision/models/mobilenetv2.py" },
  { weights: "MobileNet_V2_Weights.IMAGENET1K_V2", builder: "mobilenet_v2", task: "classification", url: "https://download.pytorch.org/models/mobilenet_v2-7ebf99e0.pth", fileName: "mobilenet_v2-7ebf99e0.pth", hashPrefix: "7ebf99e0", numParams: 3504872, metrics: {"ImageNet-1K": {"acc@1": 72.154, "acc@5": 90.822}}, gflops: 0.301, fileSizeMB: 13.598, sourceFile: "torchvision/models/mobilenetv2.py" },
  { weights: "MobileNet_V3_Large_Weights.IMAGENET1K_V1", builder: "mobilenet_v3_large", task: "classification", url: "https://download.pytorch.org/models/mobilenet_v3_large-8738ca79.pth", fileName: "mobilenet_v3_large-8738ca79.pth", hashPrefix: "8738ca79", numParams: 5483032, metrics: {"ImageNet-1K": {"acc@1": 74.042, "acc@5": 91.34}}, gflops: 0.217, fileSizeMB: 21.114, sourceFile: "torchvision/models/mobilenetv3.py" },
  { weights: "MobileNet_V3_Large_Weights.IMAGENET1K_V2", builder: "mobilenet_v3_large", task: "classification", url: "https://download.pytorch.org/models/mobilenet_v3_large-5c1a4163.pth", fileName: "mobilenet_v3_large-5c1a4163.pth", hashPrefix: "5c1a4163", numParams: 5483032, metrics: {"ImageNet-1K": {"acc@1": 75.274, "acc@5": 92.566}}, gflops: 0.217, fileSizeMB: 21.107, sourceFile: "torchvision/models/mobilenetv3.py" },
  { weights: "MobileNet_V3_Small_Weights.IMAGENET1K_V1", builder: "mobilenet_v3_small", task: "classification", url: "https://download.pytorch.org/models/mobilenet_v3_small-047dcff4.pth", fileName: "mobilenet_v3_small-047dcff4.pth", hashPrefix: "047dcff4", numParams: 2542856, metrics: {"ImageNet-1K": {"acc@1": 67.668, "acc@5": 87.402}}, gflops: 0.057, fileSizeMB: 9.829, sourceFile: "torchvision/models/mobilenetv3.py" },
  { weights: "RegNet_Y_400MF_Weights.IMAGENET1K_V1", builder: "regnet_y_400mf", task: "classification", url: "https://download.pytorch.org/models/regnet_y_400mf-c65dace8.pth", fileName: "regnet_y_400mf-c65dace8.pth", hashPrefix: "c65dace8", numParams: 4344144, metrics: {"ImageNet-1K": {"acc@1": 74.046, "acc@5": 91.716}}, gflops: 0.402, fileSizeMB: 16.806, sourceFile: "torchvision/models/regnet.py" },
  { weights: "RegNet_Y_400MF_Weights.IMAGENET1K_V2", builder: "regnet_y_400mf", task: "classification", url: "https://download.pytorch.org/models/regnet_y_400mf-e6988f5f.pth", fileName: "regnet_y_400mf-e6988f5f.pth", hashPrefix: "e6988f5f", numParams: 4344144, metrics: {"ImageNet-1K": {"acc@1": 75.804, "acc@5": 92.742}}, gflops: 0.402, fileSizeMB: 16.806, sourceFile: "torchvision/models/regnet.py" },
  { weights: "RegNet_Y_800MF_Weights.IMAGENET1K_V1", builder: "regnet_y_800mf", task: "classification", url: "https://download.pytorch.org/models/regnet_y_800mf-1b27b58c.pth", fileName: "regnet_y_800mf-1b27b58c.pth", hashPrefix: "1b27b58c", numParams: 6432512, metrics: {"ImageNet-1K": {"acc@1": 76.42, "acc@5": 93.136}}, gflops: 0.834, fileSizeMB: 24.774, sourceFile: "torchvision/models/regnet.py" },
  { weights: "RegNet_Y_800MF_Weights.IMAGENET1K_V2", builder: "regnet_y_800mf", task: "classification", url: "https://download.pytorch.org/models/regnet_y_800mf-58fc7688.pth", fileName: "regnet_y_800mf-58fc7688.pth", hashPrefix: "58fc7688", numParams: 6432512, metrics: {"ImageNet-1K": {"acc@1": 78.828, "acc@5": 94.502}}, gflops: 0.834, fileSizeMB: 24.774, sourceFile: "torchvision/models/regnet.py" },
  { weights: "RegNet_Y_1_6GF_Weights.IMAGENET1K_V1", builder: "regnet_y_1_6gf", task: "classification", url: "https://download.pytorch.org/models/regnet_y_1_6gf-b11a554e.pth", fileName: "regnet_y_1_6gf-b11a554e.pth", hashPrefix: "b11a554e", numParams: 11202430, metrics: {"ImageNet-1K": {"acc@1": 77.95, "acc@5": 93.966}}, gflops: 1.612, fileSizeMB: 43.152, sourceFile: "torchvision/models/regnet.py" },
  { weights: "RegNet_Y_1_6GF_Weights.IMAGENET1K_V2", builder: "regnet_y_1_6gf", task: "classification", url: "https://download.pytorch.org/models/regnet_y_1_6gf-0d7bc02a.pth", fileName: "regnet_y_1_6gf-0d7bc02a.pth", hashPrefix: "0d7bc02a", numParams: 11202430, metrics: {"ImageNet-1K": {"acc@1": 80.876, "acc@5": 95.444}}, gflops: 1.612, fileSizeMB: 43.152, sourceFile: "torchvision/models/regnet.py" },
  { weights: "RegNet_Y_3_2GF_Weights.IMAGENET1K_V1", builder: "regnet_y_3_2gf", task: "classification", url: "https://download.pytorch.org/models/regnet_y_3_2gf-b5a9779c.pth", fileName: "regnet_y_3_2gf-b5a9779c.pth", hashPrefix: "b5a9779c", numParams: 19436338, metrics: {"ImageNet-1K": {"acc@1": 78.948, "acc@5": 94.576}}, gflops: 3.176, fileSizeMB: 74.567, sourceFile: "torchvision/models/regnet.py" },
  { weights: "RegNet_Y_3_2GF_Weights.IMAGENET1K_V2", builder: "regnet_y_3_2gf", task: "classification", url: "https://download.pytorch.org/models/regnet_y_3_2gf-9180c971.pth", fileName: "regnet_y_3_2gf-9180c971.pth", hashPrefix: "9180c971", numParams: 19436338, metrics: {"ImageNet-1K": {"acc@1": 81.982, "acc@5": 95.972}}, gflops: 3.176, fileSizeMB: 74.567, sourceFile: "torchvision/models/regnet.py" },
  { weights: "RegNet_Y_8GF_Weights.IMAGENET1K_V1", builder: "regnet_y_8gf", task: "classification", url: "https://download.pytorch.org/models/regnet_y_8gf-d0d0e4a8.pth", fileName: "regnet_y_8gf-d0d0e4a8.pth", hashPrefix: "d0d0e4a8", numParams: 39381472, metrics: {"ImageNet-1K": {"acc@1": 80.032, "acc@5": 95.048}}, gflops: 8.473, fileSizeMB: 150.701, sourceFile: "torchvision/models/regnet.py" },
  { weights: "RegNet_Y_8GF_Weights.IMAGENET1K_V2", builder: "regnet_y_8gf", task: "classification", url: "https://download.pytorch.org/models/regnet_y_8gf-dc2b1b54.pth", fileName: "regnet_y_8gf-dc2b1b54.pth", hashPrefix: "dc2b1b54", numParams: 39381472, metrics: {"ImageNet-1K": {"acc@1": 82.828, "acc@5": 96.33}}, gflops: 8.473, fileSizeMB: 150.701, sourceFile: "torchvision/models/regnet.py" },
  { weights: "RegNet_Y_16GF_Weights.IMAGENET1K_V1", builder: "regnet_y_16gf", task: "classification", url: "https://download.pytorch.org/models/regnet_y_16gf-9e6ed7dd.pth", fileName: "regnet_y_16gf-9e6ed7dd.pth", hashPrefix: "9e6ed7dd", numParams: 83590140, metrics: {"ImageNet-1K": {"acc@1": 80.424, "acc@5": 95.24}}, gflops: 15.912, fileSizeMB: 319.49, sourceFile: "torchvision/models/regnet.py" },
  { weights: "RegNet_Y_16GF_Weights.IMAGENET1K_V2", builder: "regnet_y_16gf", task: "classification", url: "https://download.pytorch.org/models/regnet_y_16gf-3e4a00f9.pth", fileName: "regnet_y_16gf-3e4a00f9.pth", hashPrefix: "3e4a00f9", numParams: 83590140, metrics: {"ImageNet-1K": {"acc@1": 82.886, "acc@5": 96.328}}, gflops: 15.912, fileSizeMB: 319.49, sourceFile: "torchvision/models/regnet.py" },
  { weights: "RegNet_Y_16GF_Weights.IMAGENET1K_SWAG_E2E_V1", builder: "regnet_y_16gf", task: "classification", url: "https://download.pytorch.org/models/regnet_y_16gf_swag-43afe44d.pth", fileName: "regnet_y_16gf_swag-43afe44d.pth", hashPrefix: "43afe44d", numParams: 83590140, metrics: {"ImageNet-1K": {"acc@1": 86.012, "acc@5": 98.054}}, gflops: 46.735, fileSizeMB: 319.49, licence: "https://github.com/facebookresearch/SWAG/blob/main/LICENSE", sourceFile: "torchvision/models/regnet.py" },
  { weights: "RegNet_Y_16GF_Weights.IMAGENET1K_SWAG_LINEAR_V1", builder: "regnet_y_16gf", task: "classification", url: "https://download.pytorch.org/models/regnet_y_16gf_lc_swag-f3ec0043.pth", fileName: "regnet_y_16gf_lc_swag-f3ec0043.pth", hashPrefix: "f3ec0043", numParams: 83590140, metrics: {"ImageNet-1K": {"acc@1": 83.976, "acc@5": 97.244}}, gflops: 15.912, fileSizeMB: 319.49, licence: "https://github.com/facebookresearch/SWAG/blob/main/LICENSE", sourceFile: "torchvision/models/regnet.py" },
  { weights: "RegNet_Y_32GF_Weights.IMAGENET1K_V1", builder: "regnet_y_32gf", task: "classification", url: "https://download.pytorch.org/models/regnet_y_32gf-4dee3f7a.pth", fileName: "regnet_y_32gf-4dee3f7a.pth", hashPrefix: "4dee3f7a", numParams: 145046770, metrics: {"ImageNet-1K": {"acc@1": 80.878, "acc@5": 95.34}}, gflops: 32.28, fileSizeMB: 554.076, sourceFile: "torchvision/models/regnet.py" },
  { weights: "RegNet_Y_32GF_Weights.IMAGENET1K_V2", builder: "regnet_y_32gf", task: "classification", url: "https://download.pytorch.org/models/regnet_y_32gf-8db6d4b5.pth", fileName: "regnet_y_32gf-8db6d4b5.pth", hashPrefix: "8db6d4b5", numParams: 145046770, metrics: {"ImageNet-1K": {"acc@1": 83.368, "acc@5": 96.498}}, gflops: 32.28, fileSizeMB: 554.076, sourceFile: "torchvision/models/regnet.py" },
  { weights: "RegNet_Y_32GF_Weights.IMAGENET1K_SWAG_E2E_V1", builder: "regnet_y_32gf", task: "classification", url: "https://download.pytorch.org/models/regnet_y_32gf_swag-04fdfa75.pth", fileName: "regnet_y_32gf_swag-04fdfa75.pth", hashPrefix: "04fdfa75", numParams: 145046770, metrics: {"ImageNet-1K": {"acc@1": 86.838, "acc@5": 98.362}}, gflops: 94.826, fileSizeMB: 554.076, licence: "https://github.com/facebookresearch/SWAG/blob/main/LICENSE", sourceFile: "torchvision/models/regnet.py" },
  { weights: "RegNet_Y_32GF_Weights.IMAGENET1K_SWAG_LINEAR_V1", builder: "regnet_y_32gf", task: "classification", url: "https://download.pytorch.org/models/regnet_y_32gf_lc_swag-e1583746.pth", fileName: "regnet_y_32gf_lc_swag-e1583746.pth", hashPrefix: "e1583746", numParams: 145046770, metrics: {"ImageNet-1K": {"acc@1": 84.622, "acc@5": 97.48}}, gflops: 32.28, fileSizeMB: 554.076, licence: "https://github.com/facebookresearch/SWAG/blob/main/LICENSE", sourceFile: "torchvision/models/regnet.py" },
  { weights: "RegNet_Y_128GF_Weights.IMAGENET1K_SWAG_E2E_V1", builder: "regnet_y_128gf", task: "classification", url: "https://download.pytorch.org/models/regnet_y_128gf_swag-c8ce3e52.pth", fileName: "regnet_y_128gf_swag-c8ce3e52.pth", hashPrefix: "c8ce3e52", numParams: 644812894, metrics: {"ImageNet-1K": {"acc@1": 88.228, "acc@5": 98.682}}, gflops: 374.57, fileSizeMB: 2461.564, licence: "https://github.com/facebookresearch/SWAG/blob/main/LICENSE", sourceFile: "torchvision/models/regnet.py" },
  { weights: "RegNet_Y_128GF_Weights.IMAGENET1K_SWAG_LINEAR_V1", builder: "regnet_y_128gf", task: "classification", url: "https://download.pytorch.org/models/regnet_y_128gf_lc_swag-cbe8ce12.pth", fileName: "regnet_y_128gf_lc_swag-cbe8ce12.pth", hashPrefix: "cbe8ce12", numParams: 644812894, metrics: {"ImageNet-1K": {"acc@1": 86.068, "acc@5": 97.844}}, gflops: 127.518, fileSizeMB: 2461.564, licence: "https://github.com/facebookresearch/SWAG/blob/main/LICENSE", sourceFile: "torchvision/models/regnet.py" },
  { weights: "RegNet_X_400MF_Weights.IMAGENET1K_V1", builder: "regnet_x_400mf", task: "classification", url: "https://download.pytorch.org/models/regnet_x_400mf-adf1edd5.pth", fileName: "regnet_x_400mf-adf1edd5.pth", hashPrefix: "adf1edd5", numParams: 5495976, metrics: {"ImageNet-1K": {"acc@1": 72.834, "acc@5": 90.95}}, gflops: 0.414, fileSizeMB: 21.258, sourceFile: "torchvision/models/regnet.py" },
  { weights: "RegNet_X_400MF_Weights.IMAGENET1K_V2", builder: "regnet_x_400mf", task: "classification", url: "https://download.pytorch.org/models/regnet_x_400mf-62229a5f.pth", fileName: "regnet_x_400mf-62229a5f.pth", hashPrefix: "62229a5f", numParams: 5495976, metrics: {"ImageNet-1K": {"acc@1": 74.864, "acc@5": 92.322}}, gflops: 0.414, fileSizeMB: 21.257, sourceFile: "torchvision/models/regnet.py" },
  { weights: "RegNet_X_800MF_Weights.IMAGENET1K_V1", builder: "regnet_x_800mf", task: "classification", url: "https://download.pytorch.org/models/regnet_x_800mf-ad17e45c.pth", fileName: "regnet_x_800mf-ad17e45c.pth", hashPrefix: "ad17e45c", numParams: 7259656, metrics: {"ImageNet-1K": {"acc@1": 75.212, "acc@5": 92.348}}, gflops: 0.8, fileSizeMB: 27.945, sourceFile: "torchvision/models/regnet.py" },
  { weights: "RegNet_X_800MF_Weights.IMAGENET1K_V2", builder: "regnet_x_800mf", task: "classification", url: "https://download.pytorch.org/models/regnet_x_800mf-94a99ebd.pth", fileName: "regnet_x_800mf-94a99ebd.pth", hashPrefix: "94a99ebd", numParams: 7259656, metrics: {"ImageNet-1K": {"acc@1": 77.522, "acc@5": 93.826}}, gflops: 0.8, fileSizeMB: 27.945, sourceFile: "torchvision/models/regnet.py" },
  { weights: "RegNet_X_1_6GF_Weights.IMAGENET1K_V1", builder: "regnet_x_1_6gf", task: "classification", url: "https://download.pytorch.org/models/regnet_x_1_6gf-e3633e7f.pth", fileName: "regnet_x_1_6gf-e3633e7f.pth", hashPrefix: "e3633e7f", numParams: 9190136, metrics: {"ImageNet-1K": {"acc@1": 77.04, "acc@5": 93.44}}, gflops: 1.603, fileSizeMB: 35.339, sourceFile: "torchvision/models/regnet.py" },
  { weights: "RegNet_X_1_6GF_Weights.IMAGENET1K_V2", builder: "regnet_x_1_6gf", task: "classification", url: "https://download.pytorch.org/models/regnet_x_1_6gf-a12f2b72.pth", fileName: "regnet_x_1_6gf-a12f2b72.pth", hashPrefix: "a12f2b72", numParams: 9190136, metrics: {"ImageNet-1K": {"acc@1": 79.668, "acc@5": 94.922}}, gflops: 1.603, fileSizeMB: 35.339, sourceFile: "torchvision/models/regnet.py" },
  { weights: "RegNet_X_3_2GF_Weights.IMAGENET1K_V1", builder: "regnet_x_3_2gf", task: "classification", url: "https://download.pytorch.org/models/regnet_x_3_2gf-f342aeae.pth", fileName: "regnet_x_3_2gf-f342aeae.pth", hashPrefix: "f342aeae", numParams: 15296552, metrics: {"ImageNet-1K": {"acc@1": 78.364, "acc@5": 93.992}}, gflops: 3.177, fileSizeMB: 58.756, sourceFile: "torchvision/models/regnet.py" },
  { weights: "RegNet_X_3_2GF_Weights.IMAGENET1K_V2", builder: "regnet_x_3_2gf", task: "classification", url: "https://download.pytorch.org/models/regnet_x_3_2gf-7071aa85.pth", fileName: "regnet_x_3_2gf-7071aa85.pth", hashPrefix: "7071aa85", numParams: 15296552, metrics: {"ImageNet-1K": {"acc@1": 81.196, "acc@5": 95.43}}, gflops: 3.177, fileSizeMB: 58.756, sourceFile: "torchvision/models/regnet.py" },
  { weights: "RegNet_X_8GF_Weights.IMAGENET1K_V1", builder: "regnet_x_8gf", task: "classification", url: "https://download.pytorch.org/models/regnet_x_8gf-03ceed89.pth", fileName: "regnet_x_8gf-03ceed89.pth", hashPrefix: "03ceed89", numParams: 39572648, metrics: {"ImageNet-1K": {"acc@1": 79.344, "acc@5": 94.686}}, gflops: 7.995, fileSizeMB: 151.456, sourceFile: "torchvision/models/regnet.py" },
  { weights: "RegNet_X_8GF_Weights.IMAGENET1K_V2", builder: "regnet_x_8gf", task: "classification", url: "https://download.pytorch.org/models/regnet_x_8gf-2b70d774.pth", fileName: "regnet_x_8gf-2b70d774.pth", hashPrefix: "2b70d774", numParams: 39572648, metrics: {"ImageNet-1K": {"acc@1": 81.682, "acc@5": 95.678}}, gflops: 7.995, fileSizeMB: 151.456, sourceFile: "torchvision/models/regnet.py" },
  { weights: "RegNet_X_16GF_Weights.IMAGENET1K_V1", builder: "regnet_x_16gf", task: "classification", url: "https://download.pytorch.org/models/regnet_x_16gf-2007eb11.pth", fileName: "regnet_x_16gf-2007eb11.pth", hashPrefix: "2007eb11", numParams: 54278536, metrics: {"ImageNet-1K": {"acc@1": 80.058, "acc@5": 94.944}}, gflops: 15.941, fileSizeMB: 207.627, sourceFile: "torchvision/models/regnet.py" },
  { weights: "RegNet_X_16GF_Weights.IMAGENET1K_V2", builder: "regnet_x_16gf", task: "classification", url: "https://download.pytorch.org/models/regnet_x_16gf-ba3796d7.pth", fileName: "regnet_x_16gf-ba3796d7.pth", hashPrefix: "ba3796d7", numParams: 54278536, metrics: {"ImageNet-1K": {"acc@1": 82.716, "acc@5": 96.196}}, gflops: 15.941, fileSizeMB: 207.627, sourceFile: "torchvision/models/regnet.py" },
  { weights: "RegNet_X_32GF_Weights.IMAGENET1K_V1", builder: "regnet_x_32gf", task: "classification", url: "https://download.pytorch.org/models/regnet_x_32gf-9d47f8d0.pth", fileName: "regnet_x_32gf-9d47f8d0.pth", hashPrefix: "9d47f8d0", numParams: 107811560, metrics: {"ImageNet-1K": {"acc@1": 80.622, "acc@5": 95.248}}, gflops: 31.736, fileSizeMB: 412.039, sourceFile: "torchvision/models/regnet.py" },
  { weights: "RegNet_X_32GF_Weights.IMAGENET1K_V2", builder: "regnet_x_32gf", task: "classification", url: "https://download.pytorch.org/models/regnet_x_32gf-6eb8fdc6.pth", fileName: "regnet_x_32gf-6eb8fdc6.pth", hashPrefix: "6eb8fdc6", numParams: 107811560, metrics: {"ImageNet-1K": {"acc@1": 83.014, "acc@5": 96.288}}, gflops: 31.736, fileSizeMB: 412.039, sourceFile: "torchvision/models/regnet.py" },
  { weights: "ResNet18_Weights.IMAGENET1K_V1", builder: "resnet18", task: "classification", url: "https://download.pytorch.org/models/resnet18-f37072fd.pth", fileName: "resnet18-f37072fd.pth", hashPrefix: "f37072fd", numParams: 11689512, metrics: {"ImageNet-1K": {"acc@1": 69.758, "acc@5": 89.078}}, gflops: 1.814, fileSizeMB: 44.661, sourceFile: "torchvision/models/resnet.py" },
  { weights: "ResNet34_Weights.IMAGENET1K_V1", builder: "resnet34", task: "classification", url: "https://download.pytorch.org/models/resnet34-b627a593.pth", fileName: "resnet34-b627a593.pth", hashPrefix: "b627a593", numParams: 21797672, metrics: {"ImageNet-1K": {"acc@1": 73.314, "acc@5": 91.42}}, gflops: 3.664, fileSizeMB: 83.275, sourceFile: "torchvision/models/resnet.py" },
  { weights: "ResNet50_Weights.IMAGENET1K_V1", builder: "resnet50", task: "classification", url: "https://download.pytorch.org/models/resnet50-0676ba61.pth", fileName: "resnet50-0676ba61.pth", hashPrefix: "0676ba61", numParams: 25557032, metrics: {"ImageNet-1K": {"acc@1": 76.13, "acc@5": 92.862}}, gflops: 4.089, fileSizeMB: 97.781, sourceFile: "torchvision/models/resnet.py" },
  { weights: "ResNet50_Weights.IMAGENET1K_V2", builder: "resnet50", task: "classification", url: "https://download.pytorch.org/models/resnet50-11ad3fa6.pth", fileName: "resnet50-11ad3fa6.pth", hashPrefix: "11ad3fa6", numParams: 25557032, metrics: {"ImageNet-1K": {"acc@1": 80.858, "acc@5": 95.434}}, gflops: 4.089, fileSizeMB: 97.79, sourceFile: "torchvision/models/resnet.py" },
  { weights: "ResNet101_Weights.IMAGENET1K_V1", builder: "resnet101", task: "classification", url: "https://download.pytorch.org/models/resnet101-63fe2227.pth", fileName: "resnet101-63fe2227.pth", hashPrefix: "63fe2227", numParams: 44549160, metrics: {"ImageNet-1K": {"acc@1": 77.374, "acc@5": 93.546}}, gflops: 7.801, fileSizeMB: 170.511, sourceFile: "torchvision/models/resnet.py" },
  { weights: "ResNet101_Weights.IMAGENET1K_V2", builder: "resnet101", task: "classification", url: "https://download.pytorch.org/models/resnet101-cd907fc2.pth", fileName: "resnet101-cd907fc2.pth", hashPrefix: "cd907fc2", numParams: 44549160, metrics: {"ImageNet-1K": {"acc@1": 81.886, "acc@5": 95.78}}, gflops: 7.801, fileSizeMB: 170.53, sourceFile: "torchvision/models/resnet.py" },
  { weights: "ResNet152_Weights.IMAGENET1K_V1", builder: "resnet152", task: "classification", url: "https://download.pytorch.org/models/resnet152-394f9c45.pth", fileName: "resnet152-394f9c45.pth", hashPrefix: "394f9c45", numParams: 60192808, metrics: {"ImageNet-1K": {"acc@1": 78.312, "acc@5": 94.046}}, gflops: 11.514, fileSizeMB: 230.434, sourceFile: "torchvision/models/resnet.py" },
  { weights: "ResNet152_Weights.IMAGENET1K_V2", builder: "resnet152", task: "classification", url: "https://download.pytorch.org/models/resnet152-f82ba261.pth", fileName: "resnet152-f82ba261.pth", hashPrefix: "f82ba261", numParams: 60192808, metrics: {"ImageNet-1K": {"acc@1": 82.284, "acc@5": 96.002}}, gflops: 11.514, fileSizeMB: 230.474, sourceFile: "torchvision/models/resnet.py" },
  { weights: "ResNeXt50_32X4D_Weights.IMAGENET1K_V1", builder: "resnext50_32x4d", task: "classification", url: "https://download.pytorch.org/models/resnext50_32x4d-7cdf4587.pth", fileName: "resnext50_32x4d-7cdf4587.pth", hashPrefix: "7cdf4587", numParams: 25028904, metrics: {"ImageNet-1K": {"acc@1": 77.618, "acc@5": 93.698}}, gflops: 4.23, fileSizeMB: 95.789, sourceFile: "torchvision/models/resnet.py" },
  { weights: "ResNeXt50_32X4D_Weights.IMAGENET1K_V2", builder: "resnext50_32x4d", task: "classification", url: "https://download.pytorch.org/models/resnext50_32x4d-1a0047aa.pth", fileName: "resnext50_32x4d-1a0047aa.pth", hashPrefix: "1a0047aa", numParams: 25028904, metrics: {"ImageNet-1K": {"acc@1": 81.198, "acc@5": 95.34}}, gflops: 4.23, fileSizeMB: 95.833, sourceFile: "torchvision/models/resnet.py" },
  { weights: "ResNeXt101_32X8D_Weights.IMAGENET1K_V1", builder: "resnext101_32x8d", task: "classification", url: "https://download.pytorch.org/models/resnext101_32x8d-8ba56ff5.pth", fileName: "resnext101_32x8d-8ba56ff5.pth", hashPrefix: "8ba56ff5", numParams: 88791336, metrics: {"ImageNet-1K": {"acc@1": 79.312, "acc@5": 94.526}}, gflops: 16.414, fileSizeMB: 339.586, sourceFile: "torchvision/models/resnet.py" },
  { weights: "ResNeXt101_32X8D_Weights.IMAGENET1K_V2", builder: "resnext101_32x8d", task: "classification", url: "https://download.pytorch.org/models/resnext101_32x8d-110c445d.pth", fileName: "resnext101_32x8d-110c445d.pth", hashPrefix: "110c445d", numParams: 88791336, metrics: {"ImageNet-1K": {"acc@1": 82.834, "acc@5": 96.228}}, gflops: 16.414, fileSizeMB: 339.673, sourceFile: "torchvision/models/resnet.py" },
  { weights: "ResNeXt101_64X4D_Weights.IMAGENET1K_V1", builder: "resnext101_64x4d", task: "classification", url: "https://download.pytorch.org/models/resnext101_64x4d-173b62eb.pth", fileName: "resnext101_64x4d-173b62eb.pth", hashPrefix: "173b62eb", numParams: 83455272, metrics: {"ImageNet-1K": {"acc@1": 83.246, "acc@5": 96.454}}, gflops: 15.46, fileSizeMB: 319.318, sourceFile: "torchvision/models/resnet.py" },
  { weights: "Wide_ResNet50_2_Weights.IMAGENET1K_V1", builder: "wide_resnet50_2", task: "classification", url: "https://download.pytorch.org/models/wide_resnet50_2-95faca4d.pth", fileName: "wide_resnet50_2-95faca4d.pth", hashPrefix: "95faca4d", numParams: 68883240, metrics: {"ImageNet-1K": {"acc@1": 78.468, "acc@5": 94.086}}, gflops: 11.398, fileSizeMB: 131.82, sourceFile: "torchvision/models/resnet.py" },
  { weights: "Wide_ResNet50_2_Weights.IMAGENET1K_V2", builder: "wide_resnet50_2", task: "classification", url: "https://download.pytorch.org/models/wide_resnet50_2-9ba9bcbe.pth", fileName: "wide_resnet50_2-9ba9bcbe.pth", hashPrefix: "9ba9bcbe", numParams: 68883240, metrics: {"ImageNet-1K": {"acc@1": 81.602, "acc@5": 95.758}}, gflops: 11.398, fileSizeMB: 263.124, sourceFile: "torchvision/models/resnet.py" },
  { weights: "Wide_ResNet101_2_Weights.IMAGENET1K_V1", builder: "wide_resnet101_2", task: "classification", url: "https://download.pytorch.org/models/wide_resnet101_2-32ee1156.pth", fileName: "wide_resnet101_2-32ee1156.pth", hashPrefix: "32ee1156", numParams: 126886696, metrics: {"ImageNet-1K": {"acc@1": 78.848, "acc@5": 94.284}}, gflops: 22.753, fileSizeMB: 242.896, sourceFile: "torchvision/models/resnet.py" },
  { weights: "Wide_ResNet101_2_Weights.IMAGENET1K_V2", builder: "wide_resnet101_2", task: "classification", url: "https://download.pytorch.org/models/wide_resnet101_2-d733dc28.pth", fileName: "wide_resnet101_2-d733dc28.pth", hashPrefix: "d733dc28", numParams: 126886696, metrics: {"ImageNet-1K": {"acc@1": 82.51, "acc@5": 96.02}}, gflops: 22.753, fileSizeMB: 484.747, sourceFile: "torchvision/models/resnet.py" },
  { weights: "ShuffleNet_V2_X0_5_Weights.IMAGENET1K_V1", builder: "shufflenet_v2_x0_5", task: "classification", url: "https://download.pytorch.org/models/shufflenetv2_x0.5-f707e7126e.pth", fileName: "shufflenetv2_x0.5-f707e7126e.pth", hashPrefix: "f707e7126e", numParams: 1366792, metrics: {"ImageNet-1K": {"acc@1": 60.552, "acc@5": 81.746}}, gflops: 0.04, fileSizeMB: 5.282, sourceFile: "torchvision/models/shufflenetv2.py" },
  { weights: "ShuffleNet_V2_X1_0_Weights.IMAGENET1K_V1", builder: "shufflenet_v2_x1_0", task: "classification", url: "https://download.pytorch.org/models/shufflenetv2_x1-5666bf0f80.pth", fileName: "shufflenetv2_x1-5666bf0f80.pth", hashPrefix: "5666bf0f80", numParams: 2278604, metrics: {"ImageNet-1K": {"acc@1": 69.362, "acc@5": 88.316}}, gflops: 0.145, fileSizeMB: 8.791, sourceFile: "torchvision/models/shufflenetv2.py" },
  { weights: "ShuffleNet_V2_X1_5_Weights.IMAGENET1K_V1", builder: "shufflenet_v2_x1_5", task: "classification", url: "https://download.pytorch.org/models/shufflenetv2_x1_5-3c479a10.pth", fileName: "shufflenetv2_x1_5-3c479a10.pth", hashPrefix: "3c479a10", numParams: 3503624, metrics: {"ImageNet-1K": {"acc@1": 72.996, "acc@5": 91.086}}, gflops: 0.296, fileSizeMB: 13.557, sourceFile: "torchvision/models/shufflenetv2.py" },
  { weights: "ShuffleNet_V2_X2_0_Weights.IMAGENET1K_V1", builder: "shufflenet_v2_x2_0", task: "classification", url: "https://download.pytorch.org/models/shufflenetv2_x2_0-8be3c8ee.pth", fileName: "shufflenetv2_x2_0-8be3c8ee.pth", hashPrefix: "8be3c8ee", numParams: 7393996, metrics: {"ImageNet-1K": {"acc@1": 76.23, "acc@5": 93.006}}, gflops: 0.583, fileSizeMB: 28.433, sourceFile: "torchvision/models/shufflenetv2.py" },
  { weights: "SqueezeNet1_0_Weights.IMAGENET1K_V1", builder: "squeezenet1_0", task: "classification", url: "https://download.pytorch.org/models/squeezenet1_0-b66bff10.pth", fileName: "squeezenet1_0-b66bff10.pth", hashPrefix: "b66bff10", numParams: 1248424, metrics: {"ImageNet-1K": {"acc@1": 58.092, "acc@5": 80.42}}, gflops: 0.819, fileSizeMB: 4.778, sourceFile: "torchvision/models/squeezenet.py" },
  { weights: "SqueezeNet1_1_Weights.IMAGENET1K_V1", builder: "squeezenet1_1", task: "classification", url: "https://download.pytorch.org/models/squeezenet1_1-b8a52dc0.pth", fileName: "squeezenet1_1-b8a52dc0.pth", hashPrefix: "b8a52dc0", numParams: 1235496, metrics: {"ImageNet-1K": {"acc@1": 58.178, "acc@5": 80.624}}, gflops: 0.349, fileSizeMB: 4.729, sourceFile: "torchvision/models/squeezenet.py" },
  { weights: "Swin_T_Weights.IMAGENET1K_V1", builder: "swin_t", task: "classification", url: "https://download.pytorch.org/models/swin_t-704ceda3.pth", fileName: "swin_t-704ceda3.pth", hashPrefix: "704ceda3", numParams: 28288354, metrics: {"ImageNet-1K": {"acc@1": 81.474, "acc@5": 95.776}}, gflops: 4.491, fileSizeMB: 108.19, sourceFile: "torchvision/models/swin_transformer.py" },
  { weights: "Swin_S_Weights.IMAGENET1K_V1", builder: "swin_s", task: "classification", url: "https://download.pytorch.org/models/swin_s-5e29d889.pth", fileName: "swin_s-5e29d889.pth", hashPrefix: "5e29d889", numParams: 49606258, metrics: {"ImageNet-1K": {"acc@1": 83.196, "acc@5": 96.36}}, gflops: 8.741, fileSizeMB: 189.786, sourceFile: "torchvision/models/swin_transformer.py" },
  { weights: "Swin_B_Weights.IMAGENET1K_V1", builder: "swin_b", task: "classification", url: "https://download.pytorch.org/models/swin_b-68c6b09e.pth", fileName: "swin_b-68c6b09e.pth", hashPrefix: "68c6b09e", numParams: 87768224, metrics: {"ImageNet-1K": {"acc@1": 83.582, "acc@5": 96.64}}, gflops: 15.431, fileSizeMB: 335.364, sourceFile: "torchvision/models/swin_transformer.py" },
  { weights: "Swin_V2_T_Weights.IMAGENET1K_V1", builder: "swin_v2_t", task: "classification", url: "https://download.pytorch.org/models/swin_v2_t-b137f0e2.pth", fileName: "swin_v2_t-b137f0e2.pth", hashPrefix: "b137f0e2", numParams: 28351570, metrics: {"ImageNet-1K": {"acc@1": 82.072, "acc@5": 96.132}}, gflops: 5.94, fileSizeMB: 108.626, sourceFile: "torchvision/models/swin_transformer.py" },
  { weights: "Swin_V2_S_Weights.IMAGENET1K_V1", builder: "swin_v2_s", task: "classification", url: "https://download.pytorch.org/models/swin_v2_s-637d8ceb.pth", fileName: "swin_v2_s-637d8ceb.pth", hashPrefix: "637d8ceb", numParams: 49737442, metrics: {"ImageNet-1K": {"acc@1": 83.712, "acc@5": 96.816}}, gflops: 11.546, fileSizeMB: 190.675, sourceFile: "torchvision/models/swin_transformer.py" },
  { weights: "Swin_V2_B_Weights.IMAGENET1K_V1", builder: "swin_v2_b", task: "classification", url: "https://download.pytorch.org/models/swin_v2_b-781e5279.pth", fileName: "swin_v2_b-781e5279.pth", hashPrefix: "781e5279", numParams: 87930848, metrics: {"ImageNet-1K": {"acc@1": 84.112, "acc@5": 96.864}}, gflops: 20.325, fileSizeMB: 336.372, sourceFile: "torchvision/models/swin_transformer.py" },
  { weights: "VGG11_Weights.IMAGENET1K_V1", builder: "vgg11", task: "classification", url: "https://download.pytorch.org/models/vgg11-8a719046.pth", fileName: "vgg11-8a719046.pth", hashPrefix: "8a719046", numParams: 132863336, metrics: {"ImageNet-1K": {"acc@1": 69.02, "acc@5": 88.628}}, gflops: 7.609, fileSizeMB: 506.84, sourceFile: "torchvision/models/vgg.py" },
  { weights: "VGG11_BN_Weights.IMAGENET1K_V1", builder: "vgg11_bn", task: "classification", url: "https://download.pytorch.org/models/vgg11_bn-6002323d.pth", fileName: "vgg11_bn-6002323d.pth", hashPrefix: "6002323d", numParams: 132868840, metrics: {"ImageNet-1K": {"acc@1": 70.37, "acc@5": 89.81}}, gflops: 7.609, fileSizeMB: 506.881, sourceFile: "torchvision/models/vgg.py" },
  { weights: "VGG13_Weights.IMAGENET1K_V1", builder: "vgg13", task: "classification", url: "https://download.pytorch.org/models/vgg13-19584684.pth", fileName: "vgg13-19584684.pth", hashPrefix: "19584684", numParams: 133047848, metrics: {"ImageNet-1K": {"acc@1": 69.928, "acc@5": 89.246}}, gflops: 11.308, fileSizeMB: 507.545, sourceFile: "torchvision/models/vgg.py" },
  { weights: "VGG13_BN_Weights.IMAGENET1K_V1", builder: "vgg13_bn", task: "classification", url: "https://download.pytorch.org/models/vgg13_bn-abd245e5.pth", fileName: "vgg13_bn-abd245e5.pth", hashPrefix: "abd245e5", numParams: 133053736, metrics: {"ImageNet-1K": {"acc@1": 71.586, "acc@5": 90.374}}, gflops: 11.308, fileSizeMB: 507.59, sourceFile: "torchvision/models/vgg.py" },
  { weights: "VGG16_Weights.IMAGENET1K_V1", builder: "vgg16", task: "classification", url: "https://download.pytorch.org/models/vgg16-397923af.pth", fileName: "vgg16-397923af.pth", hashPrefix: "397923af", numParams: 138357544, metrics: {"ImageNet-1K": {"acc@1": 71.592, "acc@5": 90.382}}, gflops: 15.47, fileSizeMB: 527.796, sourceFile: "torchvision/models/vgg.py" },
  { weights: "VGG16_Weights.IMAGENET1K_FEATURES", builder: "vgg16", task: "classification", url: "https://download.pytorch.org/models/vgg16_features-amdegroot-88682ab5.pth", fileName: "vgg16_features-amdegroot-88682ab5.pth", hashPrefix: "88682ab5", numParams: 138357544, gflops: 15.47, fileSizeMB: 527.802, sourceFile: "torchvision/models/vgg.py" },
  { weights: "VGG16_BN_Weights.IMAGENET1K_V1", builder: "vgg16_bn", task: "classification", url: "https://download.pytorch.org/models/vgg16_bn-6c64b313.pth", fileName: "vgg16_bn-6c64b313.pth", hashPrefix: "6c64b313", numParams: 138365992, metrics: {"ImageNet-1K": {"acc@1": 73.36, "acc@5": 91.516}}, gflops: 15.47, fileSizeMB: 527.866, sourceFile: "torchvision/models/vgg.py" },
  { weights: "VGG19_Weights.IMAGENET1K_V1", builder: "vgg19", task: "classification", url: "https://download.pytorch.org/models/vgg19-dcbb9e9d.pth", fileName: "vgg19-dcbb9e9d.pth", hashPrefix: "dcbb9e9d", numParams: 143667240, metrics: {"ImageNet-1K": {"acc@1": 72.376, "acc@5": 90.876}}, gflops: 19.632, fileSizeMB: 548.051, sourceFile: "torchvision/models/vgg.py" },
  { weights: "VGG19_BN_Weights.IMAGENET1K_V1", builder: "vgg19_bn", task: "classification", url: "https://download.pytorch.org/models/vgg19_bn-c79401a0.pth", fileName: "vgg19_bn-c79401a0.pth", hashPrefix: "c79401a0", numParams: 143678248, metrics: {"ImageNet-1K": {"acc@1": 74.218, "acc@5": 91.842}}, gflops: 19.632, fileSizeMB: 548.143, sourceFile: "torchvision/models/vgg.py" },
  { weights: "ViT_B_16_Weights.IMAGENET1K_V1", builder: "vit_b_16", task: "classification", url: "https://download.pytorch.org/models/vit_b_16-c867db91.pth", fileName: "vit_b_16-c867db91.pth", hashPrefix: "c867db91", numParams: 86567656, metrics: {"ImageNet-1K": {"acc@1": 81.072, "acc@5": 95.318}}, gflops: 17.564, fileSizeMB: 330.285, sourceFile: "torchvision/models/vision_transformer.py" },
  { weights: "ViT_B_16_Weights.IMAGENET1K_SWAG_E2E_V1", builder: "vit_b_16", task: "classification", url: "https://download.pytorch.org/models/vit_b_16_swag-9ac1b537.pth", fileName: "vit_b_16_swag-9ac1b537.pth", hashPrefix: "9ac1b537", numParams: 86859496, metrics: {"ImageNet-1K": {"acc@1": 85.304, "acc@5": 97.65}}, gflops: 55.484, fileSizeMB: 331.398, licence: "https://github.com/facebookresearch/SWAG/blob/main/LICENSE", sourceFile: "torchvision/models/vision_transformer.py" },
  { weights: "ViT_B_16_Weights.IMAGENET1K_SWAG_LINEAR_V1", builder: "vit_b_16", task: "classification", url: "https://download.pytorch.org/models/vit_b_16_lc_swag-4e70ced5.pth", fileName: "vit_b_16_lc_swag-4e70ced5.pth", hashPrefix: "4e70ced5", numParams: 86567656, metrics: {"ImageNet-1K": {"acc@1": 81.886, "acc@5": 96.18}}, gflops: 17.564, fileSizeMB: 330.285, licence: "https://github.com/facebookresearch/SWAG/blob/main/LICENSE", sourceFile: "torchvision/models/vision_transformer.py" },
  { weights: "ViT_B_32_Weights.IMAGENET1K_V1", builder: "vit_b_32", task: "classification", url: "https://download.pytorch.org/models/vit_b_32-d86f8d99.pth", fileName: "vit_b_32-d86f8d99.pth", hashPrefix: "d86f8d99", numParams: 88224232, metrics: {"ImageNet-1K": {"acc@1": 75.912, "acc@5": 92.466}}, gflops: 4.409, fileSizeMB: 336.604, sourceFile: "torchvision/models/vision_transformer.py" },
  { weights: "ViT_L_16_Weights.IMAGENET1K_V1", builder: "vit_l_16", task: "classification", url: "https://download.pytorch.org/models/vit_l_16-852ce7e3.pth", fileName: "vit_l_16-852ce7e3.pth", hashPrefix: "852ce7e3", numParams: 304326632, metrics: {"ImageNet-1K": {"acc@1": 79.662, "acc@5": 94.638}}, gflops: 61.555, fileSizeMB: 1161.023, sourceFile: "torchvision/models/vision_transformer.py" },
  { weights: "ViT_L_16_Weights.IMAGENET1K_SWAG_E2E_V1", builder: "vit_l_16", task: "classification", url: "https://download.pytorch.org/models/vit_l_16_swag-4f3808c9.pth", fileName: "vit_l_16_swag-4f3808c9.pth", hashPrefix: "4f3808c9", numParams: 305174504, metrics: {"ImageNet-1K": {"acc@1": 88.064, "acc@5": 98.512}}, gflops: 361.986, fileSizeMB: 1164.258, licence: "https://github.com/facebookresearch/SWAG/blob/main/LICENSE", sourceFile: "torchvision/models/vision_transformer.py" },
  { weights: "ViT_L_16_Weights.IMAGENET1K_SWAG_LINEAR_V1", builder: "vit_l_16", task: "classification", url: "https://download.pytorch.org/models/vit_l_16_lc_swag-4d563306.pth", fileName: "vit_l_16_lc_swag-4d563306.pth", hashPrefix: "4d563306", numParams: 304326632, metrics: {"ImageNet-1K": {"acc@1": 85.146, "acc@5": 97.422}}, gflops: 61.555, fileSizeMB: 1161.023, licence: "https://github.com/facebookresearch/SWAG/blob/main/LICENSE", sourceFile: "torchvision/models/vision_transformer.py" },
  { weights: "ViT_L_32_Weights.IMAGENET1K_V1", builder: "vit_l_32", task: "classification", url: "https://download.pytorch.org/models/vit_l_32-c7638314.pth", fileName: "vit_l_32-c7638314.pth", hashPrefix: "c7638314", numParams: 306535400, metrics: {"ImageNet-1K": {"acc@1": 76.972, "acc@5": 93.07}}, gflops: 15.378, fileSizeMB: 1169.449, sourceFile: "torchvision/models/vision_transformer.py" },
  { weights: "ViT_H_14_Weights.IMAGENET1K_SWAG_E2E_V1", builder: "vit_h_14", task: "classification", url: "https://download.pytorch.org/models/vit_h_14_swag-80465313.pth", fileName: "vit_h_14_swag-80465313.pth", hashPrefix: "80465313", numParams: 633470440, metrics: {"ImageNet-1K": {"acc@1": 88.552, "acc@5": 98.694}}, gflops: 1016.717, fileSizeMB: 2416.643, licence: "https://github.com/facebookresearch/SWAG/blob/main/LICENSE", sourceFile: "torchvision/models/vision_transformer.py" },
  { weights: "ViT_H_14_Weights.IMAGENET1K_SWAG_LINEAR_V1", builder: "vit_h_14", task: "classification", url: "https://download.pytorch.org/models/vit_h_14_lc_swag-c1eb923e.pth", fileName: "vit_h_14_lc_swag-c1eb923e.pth", hashPrefix: "c1eb923e", numParams: 632045800, metrics: {"ImageNet-1K": {"acc@1": 85.708, "acc@5": 97.73}}, gflops: 167.295, fileSizeMB: 2411.209, licence: "https://github.com/facebookresearch/SWAG/blob/main/LICENSE", sourceFile: "torchvision/models/vision_transformer.py" },
  { weights: "DeepLabV3_ResNet50_Weights.COCO_WITH_VOC_LABELS_V1", builder: "deeplabv3_resnet50", task: "segmentation", url: "https://download.pytorch.org/models/deeplabv3_resnet50_coco-cd0a2569.pth", fileName: "deeplabv3_resnet50_coco-cd0a2569.pth", hashPrefix: "cd0a2569", numParams: 42004074, metrics: {"COCO-val2017-VOC-labels": {"miou": 66.4, "pixel_acc": 92.4}}, gflops: 178.722, fileSizeMB: 160.515, sourceFile: "torchvision/models/segmentation/deeplabv3.py" },
  { weights: "DeepLabV3_ResNet101_Weights.COCO_WITH_VOC_LABELS_V1", builder: "deeplabv3_resnet101", task: "segmentation", url: "https://download.pytorch.org/models/deeplabv3_resnet101_coco-586e9e4e.pth", fileName: "deeplabv3_resnet101_coco-586e9e4e.pth", hashPrefix: "586e9e4e", numParams: 60996202, metrics: {"COCO-val2017-VOC-labels": {"miou": 67.4, "pixel_acc": 92.4}}, gflops: 258.743, fileSizeMB: 233.217, sourceFile: "torchvision/models/segmentation/deeplabv3.py" },
  { weights: "DeepLabV3_MobileNet_V3_Large_Weights.COCO_WITH_VOC_LABELS_V1", builder: "deeplabv3_mobilenet_v3_large", task: "segmentation", url: "https://download.pytorch.org/models/deeplabv3_mobilenet_v3_large-fc3c493d.pth", fileName: "deeplabv3_mobilenet_v3_large-fc3c493d.pth", hashPrefix: "fc3c493d", numParams: 11029328, metrics: {"COCO-val2017-VOC-labels": {"miou": 60.3, "pixel_acc": 91.2}}, gflops: 10.452, fileSizeMB: 42.301, sourceFile: "torchvision/models/segmentation/deeplabv3.py" },
  { weights: "FCN_ResNet50_Weights.COCO_WITH_VOC_LABELS_V1", builder: "fcn_resnet50", task: "segmentation", url: "https://download.pytorch.org/models/fcn_resnet50_coco-1167a1af.pth", fileName: "fcn_resnet50_coco-1167a1af.pth", hashPrefix: "1167a1af", numParams: 35322218, metrics: {"COCO-val2017-VOC-labels": {"miou": 60.5, "pixel_acc": 91.4}}, gflops: 152.717, fileSizeMB: 135.009, sourceFile: "torchvision/models/segmentation/fcn.py" },
  { weights: "FCN_ResNet101_Weights.COCO_WITH_VOC_LABELS_V1", builder: "fcn_resnet101", task: "segmentation", url: "https://download.pytorch.org/models/fcn_resnet101_coco-7ecb50ca.pth", fileName: "fcn_resnet101_coco-7ecb50ca.pth", hashPrefix: "7ecb50ca", numParams: 54314346, metrics: {"COCO-val2017-VOC-labels": {"miou": 63.7, "pixel_acc": 91.9}}, gflops: 232.738, fileSizeMB: 207.711, sourceFile: "torchvision/models/segmentation/fcn.py" },
  { weights: "LRASPP_MobileNet_V3_Large_Weights.COCO_WITH_VOC_LABELS_V1", builder: "lraspp_mobilenet_v3_large", task: "segmentation", url: "https://download.pytorch.org/models/lraspp_mobilenet_v3_large-d234d4ea.pth", fileName: "lraspp_mobilenet_v3_large-d234d4ea.pth", hashPrefix: "d234d4ea", numParams: 3221538, metrics: {"COCO-val2017-VOC-labels": {"miou": 57.9, "pixel_acc": 91.2}}, gflops: 2.086, fileSizeMB: 12.49, sourceFile: "torchvision/models/segmentation/lraspp.py" },
  { weights: "GoogLeNet_QuantizedWeights.IMAGENET1K_FBGEMM_V1", builder: "quantized_googlenet", task: "quantized-classification", url: "https://download.pytorch.org/models/quantized/googlenet_fbgemm-c81f6644.pth", fileName: "googlenet_fbgemm-c81f6644.pth", hashPrefix: "c81f6644", numParams: 6624904, metrics: {"ImageNet-1K": {"acc@1": 69.826, "acc@5": 89.404}}, gflops: 1.498, fileSizeMB: 12.618, sourceFile: "torchvision/models/quantization/googlenet.py" },
  { weights: "Inception_V3_QuantizedWeights.IMAGENET1K_FBGEMM_V1", builder: "quantized_inception_v3", task: "quantized-classification", url: "https://download.pytorch.org/models/quantized/inception_v3_google_fbgemm-a2837893.pth", fileName: "inception_v3_google_fbgemm-a2837893.pth", hashPrefix: "a2837893", numParams: 27161264, metrics: {"ImageNet-1K": {"acc@1": 77.176, "acc@5": 93.354}}, gflops: 5.713, fileSizeMB: 23.146, sourceFile: "torchvision/models/quantization/inception.py" },
  { weights: "MobileNet_V2_QuantizedWeights.IMAGENET1K_QNNPACK_V1", builder: "quantized_mobilenet_v2", task: "quantized-classification", url: "https://download.pytorch.org/models/quantized/mobilenet_v2_qnnpack_37f702c5.pth", fileName: "mobilenet_v2_qnnpack_37f702c5.pth", hashPrefix: null, numParams: 3504872, metrics: {"ImageNet-1K": {"acc@1": 71.658, "acc@5": 90.15}}, gflops: 0.301, fileSizeMB: 3.423, sourceFile: "torchvision/models/quantization/mobilenetv2.py" },
  { weights: "MobileNet_V3_Large_QuantizedWeights.IMAGENET1K_QNNPACK_V1", builder: "quantized_mobilenet_v3_large", task: "quantized-classification", url: "https://download.pytorch.org/models/quantized/mobilenet_v3_large_qnnpack-5bcacf28.pth", fileName: "mobilenet_v3_large_qnnpack-5bcacf28.pth", hashPrefix: "5bcacf28", numParams: 5483032, metrics: {"ImageNet-1K": {"acc@1": 73.004, "acc@5": 90.858}}, gflops: 0.217, fileSizeMB: 21.554, sourceFile: "torchvision/models/quantization/mobilenetv3.py" },
  { weights: "ResNet18_QuantizedWeights.IMAGENET1K_FBGEMM_V1", builder: "quantized_resnet18", task: "quantized-classification", url: "https://download.pytorch.org/models/quantized/resnet18_fbgemm_16fa66dd.pth", fileName: "resnet18_fbgemm_16fa66dd.pth", hashPrefix: null, numParams: 11689512, metrics: {"ImageNet-1K": {"acc@1": 69.494, "acc@5": 88.882}}, gflops: 1.814, fileSizeMB: 11.238, sourceFile: "torchvision/models/quantization/resnet.py" },
  { weights: "ResNet50_QuantizedWeights.IMAGENET1K_FBGEMM_V1", builder: "quantized_resnet50", task: "quantized-classification", url: "https://download.pytorch.org/models/quantized/resnet50_fbgemm_bf931d71.pth", fileName: "resnet50_fbgemm_bf931d71.pth", hashPrefix: null, numParams: 25557032, metrics: {"ImageNet-1K": {"acc@1": 75.92, "acc@5": 92.814}}, gflops: 4.089, fileSizeMB: 24.759, sourceFile: "torchvision/models/quantization/resnet.py" },
  { weights: "ResNet50_QuantizedWeights.IMAGENET1K_FBGEMM_V2", builder: "quantized_resnet50", task: "quantized-classification", url: "https://download.pytorch.org/models/quantized/resnet50_fbgemm-23753f79.pth", fileName: "resnet50_fbgemm-23753f79.pth", hashPrefix: "23753f79", numParams: 25557032, metrics: {"ImageNet-1K": {"acc@1": 80.282, "acc@5": 94.976}}, gflops: 4.089, fileSizeMB: 24.953, sourceFile: "torchvision/models/quantization/resnet.py" },
  { weights: "ResNeXt101_32X8D_QuantizedWeights.IMAGENET1K_FBGEMM_V1", builder: "quantized_resnext101_32x8d", task: "quantized-classification", url: "https://download.pytorch.org/models/quantized/resnext101_32x8_fbgemm_09835ccf.pth", fileName: "resnext101_32x8_fbgemm_09835ccf.pth", hashPrefix: null, numParams: 88791336, metrics: {"ImageNet-1K": {"acc@1": 78.986, "acc@5": 94.48}}, gflops: 16.414, fileSizeMB: 86.034, sourceFile: "torchvision/models/quantization/resnet.py" },
  { weights: "ResNeXt101_32X8D_QuantizedWeights.IMAGENET1K_FBGEMM_V2", builder: "quantized_resnext101_32x8d", task: "quantized-classification", url: "https://download.pytorch.org/models/quantized/resnext101_32x8_fbgemm-ee16d00c.pth", fileName: "resnext101_32x8_fbgemm-ee16d00c.pth", hashPrefix: "ee16d00c", numParams: 88791336, metrics: {"ImageNet-1K": {"acc@1": 82.574, "acc@5": 96.132}}, gflops: 16.414, fileSizeMB: 86.645, sourceFile: "torchvision/models/quantization/resnet.py" },
  { weights: "ResNeXt101_64X4D_QuantizedWeights.IMAGENET1K_FBGEMM_V1", builder: "quantized_resnext101_64x4d", task: "quantized-classification", url: "https://download.pytorch.org/models/quantized/resnext101_64x4d_fbgemm-605a1cb3.pth", fileName: "resnext101_64x4d_fbgemm-605a1cb3.pth", hashPrefix: "605a1cb3", numParams: 83455272, metrics: {"ImageNet-1K": {"acc@1": 82.898, "acc@5": 96.326}}, gflops: 15.46, fileSizeMB: 81.556, sourceFile: "torchvision/models/quantization/resnet.py" },
  { weights: "ShuffleNet_V2_X0_5_QuantizedWeights.IMAGENET1K_FBGEMM_V1", builder: "quantized_shufflenet_v2_x0_5", task: "quantized-classification", url: "https://download.pytorch.org/models/quantized/shufflenetv2_x0.5_fbgemm-00845098.pth", fileName: "shufflenetv2_x0.5_fbgemm-00845098.pth", hashPrefix: "00845098", numParams: 1366792, metrics: {"ImageNet-1K": {"acc@1": 57.972, "acc@5": 79.78}}, gflops: 0.04, fileSizeMB: 1.501, sourceFile: "torchvision/models/quantization/shufflenetv2.py" },
  { weights: "ShuffleNet_V2_X1_0_QuantizedWeights.IMAGENET1K_FBGEMM_V1", builder: "quantized_shufflenet_v2_x1_0", task: "quantized-classification", url: "https://download.pytorch.org/models/quantized/shufflenetv2_x1_fbgemm-1e62bb32.pth", fileName: "shufflenetv2_x1_fbgemm-1e62bb32.pth", hashPrefix: "1e62bb32", numParams: 2278604, metrics: {"ImageNet-1K": {"acc@1": 68.36, "acc@5": 87.582}}, gflops: 0.145, fileSizeMB: 2.334, sourceFile: "torchvision/models/quantization/shufflenetv2.py" },
  { weights: "ShuffleNet_V2_X1_5_QuantizedWeights.IMAGENET1K_FBGEMM_V1", builder: "quantized_shufflenet_v2_x1_5", task: "quantized-classification", url: "https://download.pytorch.org/models/quantized/shufflenetv2_x1_5_fbgemm-d7401f05.pth", fileName: "shufflenetv2_x1_5_fbgemm-d7401f05.pth", hashPrefix: "d7401f05", numParams: 3503624, metrics: {"ImageNet-1K": {"acc@1": 72.052, "acc@5": 90.7}}, gflops: 0.296, fileSizeMB: 3.672, sourceFile: "torchvision/models/quantization/shufflenetv2.py" },
  { weights: "ShuffleNet_V2_X2_0_QuantizedWeights.IMAGENET1K_FBGEMM_V1", builder: "quantized_shufflenet_v2_x2_0", task: "quantized-classification", url: "https://download.pytorch.org/models/quantized/shufflenetv2_x2_0_fbgemm-5cac526c.pth", fileName: "shufflenetv2_x2_0_fbgemm-5cac526c.pth", hashPrefix: "5cac526c", numParams: 7393996, metrics: {"ImageNet-1K": {"acc@1": 75.354, "acc@5": 92.488}}, gflops: 0.583, fileSizeMB: 7.467, sourceFile: "torchvision/models/quantization/shufflenetv2.py" },
  { weights: "Raft_Large_Weights.C_T_V1", builder: "raft_large", task: "optical-flow", url: "https://download.pytorch.org/models/raft_large_C_T_V1-22a6c225.pth", fileName: "raft_large_C_T_V1-22a6c225.pth", hashPrefix: "22a6c225", numParams: 5257536, metrics: {"Sintel-Train-Cleanpass": {"epe": 1.4411}, "Sintel-Train-Finalpass": {"epe": 2.7894}, "Kitti-Train": {"per_image_epe": 5.0172, "fl_all": 17.4506}}, gflops: 211.007, fileSizeMB: 20.129, sourceFile: "torchvision/models/optical_flow/raft.py" },
  { weights: "Raft_Large_Weights.C_T_V2", builder: "raft_large", task: "optical-flow", url: "https://download.pytorch.org/models/raft_large_C_T_V2-1bb1363a.pth", fileName: "raft_large_C_T_V2-1bb1363a.pth", hashPrefix: "1bb1363a", numParams: 5257536, metrics: {"Sintel-Train-Cleanpass": {"epe": 1.3822}, "Sintel-Train-Finalpass": {"epe": 2.7161}, "Kitti-Train": {"per_image_epe": 4.5118, "fl_all": 16.0679}}, gflops: 211.007, fileSizeMB: 20.129, sourceFile: "torchvision/models/optical_flow/raft.py" },
  { weights: "Raft_Large_Weights.C_T_SKHT_V1", builder: "raft_large", task: "optical-flow", url: "https://download.pytorch.org/models/raft_large_C_T_SKHT_V1-0b8c9e55.pth", fileName: "raft_large_C_T_SKHT_V1-0b8c9e55.pth", hashPrefix: "0b8c9e55", numParams: 5257536, metrics: {"Sintel-Test-Cleanpass": {"epe": 1.94}, "Sintel-Test-Finalpass": {"epe": 3.18}}, gflops: 211.007, fileSizeMB: 20.129, sourceFile: "torchvision/models/optical_flow/raft.py" },
  { weights: "Raft_Large_Weights.C_T_SKHT_V2", builder: "raft_large", task: "optical-flow", url: "https://download.pytorch.org/models/raft_large_C_T_SKHT_V2-ff5fadd5.pth", fileName: "raft_large_C_T_SKHT_V2-ff5fadd5.pth", hashPrefix: "ff5fadd5", numParams: 5257536, metrics: {"Sintel-Test-Cleanpass": {"epe": 1.819}, "Sintel-Test-Finalpass": {"epe": 3.067}}, gflops: 211.007, fileSizeMB: 20.129, sourceFile: "torchvision/models/optical_flow/raft.py" },
  { weights: "Raft_Large_Weights.C_T_SKHT_K_V1", builder: "raft_large", task: "optical-flow", url: "https://download.pytorch.org/models/raft_large_C_T_SKHT_K_V1-4a6a5039.pth", fileName: "raft_large_C_T_SKHT_K_V1-4a6a5039.pth", hashPrefix: "4a6a5039", numParams: 5257536, metrics: {"Kitti-Test": {"fl_all": 5.1}}, gflops: 211.007, fileSizeMB: 20.129, sourceFile: "torchvision/models/optical_flow/raft.py" },
  { weights: "Raft_Large_Weights.C_T_SKHT_K_V2", builder: "raft_large", task: "optical-flow", url: "https://download.pytorch.org/models/raft_large_C_T_SKHT_K_V2-b5c70766.pth", fileName: "raft_large_C_T_SKHT_K_V2-b5c70766.pth", hashPrefix: "b5c70766", numParams: 5257536, metrics: {"Kitti-Test": {"fl_all": 5.19}}, gflops: 211.007, fileSizeMB: 20.129, sourceFile: "torchvision/models/optical_flow/raft.py" },
  { weights: "Raft_Small_Weights.C_T_V1", builder: "raft_small", task: "optical-flow", url: "https://download.pytorch.org/models/raft_small_C_T_V1-ad48884c.pth", fileName: "raft_small_C_T_V1-ad48884c.pth", hashPrefix: "ad48884c", numParams: 990162, metrics: {"Sintel-Train-Cleanpass": {"epe": 2.1231}, "Sintel-Train-Finalpass": {"epe": 3.279}, "Kitti-Train": {"per_image_epe": 7.6557, "fl_all": 25.2801}}, gflops: 47.655, fileSizeMB: 3.821, sourceFile: "torchvision/models/optical_flow/raft.py" },
  { weights: "Raft_Small_Weights.C_T_V2", builder: "raft_small", task: "optical-flow", url: "https://download.pytorch.org/models/raft_small_C_T_V2-01064c6d.pth", fileName: "raft_small_C_T_V2-01064c6d.pth", hashPrefix: "01064c6d", numParams: 990162, metrics: {"Sintel-Train-Cleanpass": {"epe": 1.9901}, "Sintel-Train-Finalpass": {"epe": 3.2831}, "Kitti-Train": {"per_image_epe": 7.5978, "fl_all": 25.2369}}, gflops: 47.655, fileSizeMB: 3.821, sourceFile: "torchvision/models/optical_flow/raft.py" },
  { weights: "MViT_V1_B_Weights.KINETICS400_V1", builder: "mvit_v1_b", task: "video", url: "https://download.pytorch.org/models/mvit_v1_b-dbeb1030.pth", fileName: "mvit_v1_b-dbeb1030.pth", hashPrefix: "dbeb1030", numParams: 36610672, metrics: {"Kinetics-400": {"acc@1": 78.477, "acc@5": 93.582}}, gflops: 70.599, fileSizeMB: 139.764, sourceFile: "torchvision/models/video/mvit.py" },
  { weights: "MViT_V2_S_Weights.KINETICS400_V1", builder: "mvit_v2_s", task: "video", url: "https://download.pytorch.org/models/mvit_v2_s-ae3be167.pth", fileName: "mvit_v2_s-ae3be167.pth", hashPrefix: "ae3be167", numParams: 34537744, metrics: {"Kinetics-400": {"acc@1": 80.757, "acc@5": 94.665}}, gflops: 64.224, fileSizeMB: 131.884, sourceFile: "torchvision/models/video/mvit.py" },
  { weights: "R3D_18_Weights.KINETICS400_V1", builder: "r3d_18", task: "video", url: "https://download.pytorch.org/models/r3d_18-b3b3357e.pth", fileName: "r3d_18-b3b3357e.pth", hashPrefix: "b3b3357e", numParams: 33371472, metrics: {"Kinetics-400": {"acc@1": 63.2, "acc@5": 83.479}}, gflops: 40.697, fileSizeMB: 127.359, sourceFile: "torchvision/models/video/resnet.py" },
  { weights: "MC3_18_Weights.KINETICS400_V1", builder: "mc3_18", task: "video", url: "https://download.pytorch.org/models/mc3_18-a90a0ba3.pth", fileName: "mc3_18-a90a0ba3.pth", hashPrefix: "a90a0ba3", numParams: 11695440, metrics: {"Kinetics-400": {"acc@1": 63.96, "acc@5": 84.13}}, gflops: 43.343, fileSizeMB: 44.672, sourceFile: "torchvision/models/video/resnet.py" },
  { weights: "R2Plus1D_18_Weights.KINETICS400_V1", builder: "r2plus1d_18", task: "video", url: "https://download.pytorch.org/models/r2plus1d_18-91a641e6.pth", fileName: "r2plus1d_18-91a641e6.pth", hashPrefix: "91a641e6", numParams: 31505325, metrics: {"Kinetics-400": {"acc@1": 67.463, "acc@5": 86.175}}, gflops: 40.519, fileSizeMB: 120.318, sourceFile: "torchvision/models/video/resnet.py" },
  { weights: "S3D_Weights.KINETICS400_V1", builder: "s3d", task: "video", url: "https://download.pytorch.org/models/s3d-d76dad2f.pth", fileName: "s3d-d76dad2f.pth", hashPrefix: "d76dad2f", numParams: 8320048, metrics: {"Kinetics-400": {"acc@1": 68.368, "acc@5": 88.05}}, gflops: 17.979, fileSizeMB: 31.972, sourceFile: "torchvision/models/video/s3d.py" },
  { weights: "Swin3D_T_Weights.KINETICS400_V1", builder: "swin3d_t", task: "video", url: "https://download.pytorch.org/models/swin3d_t-7615ae03.pth", fileName: "swin3d_t-7615ae03.pth", hashPrefix: "7615ae03", numParams: 28158070, metrics: {"Kinetics-400": {"acc@1": 77.715, "acc@5": 93.519}}, gflops: 43.882, fileSizeMB: 121.543, sourceFile: "torchvision/models/video/swin_transformer.py" },
  { weights: "Swin3D_S_Weights.KINETICS400_V1", builder: "swin3d_s", task: "video", url: "https://download.pytorch.org/models/swin3d_s-da41c237.pth", fileName: "swin3d_s-da41c237.pth", hashPrefix: "da41c237", numParams: 49816678, metrics: {"Kinetics-400": {"acc@1": 79.521, "acc@5": 94.158}}, gflops: 82.841, fileSizeMB: 218.288, sourceFile: "torchvision/models/video/swin_transformer.py" },
  { weights: "Swin3D_B_Weights.KINETICS400_V1", builder: "swin3d_b", task: "video", url: "https://download.pytorch.org/models/swin3d_b_1k-24f7c7c6.pth", fileName: "swin3d_b_1k-24f7c7c6.pth", hashPrefix: "24f7c7c6", numParams: 88048984, metrics: {"Kinetics-400": {"acc@1": 79.427, "acc@5": 94.386}}, gflops: 140.667, fileSizeMB: 364.134, sourceFile: "torchvision/models/video/swin_transformer.py" },
  { weights: "Swin3D_B_Weights.KINETICS400_IMAGENET22K_V1", builder: "swin3d_b", task: "video", url: "https://download.pytorch.org/models/swin3d_b_22k-7c6ae6fa.pth", fileName: "swin3d_b_22k-7c6ae6fa.pth", hashPrefix: "7c6ae6fa", numParams: 88048984, metrics: {"Kinetics-400": {"acc@1": 81.643, "acc@5": 95.574}}, gflops: 140.667, fileSizeMB: 364.134, sourceFile: "torchvision/models/video/swin_transformer.py" },
  { weights: "FasterRCNN_ResNet50_FPN_Weights.COCO_V1", builder: "fasterrcnn_resnet50_fpn", task: "detection", url: "https://download.pytorch.org/models/fasterrcnn_resnet50_fpn_coco-258fb6c6.pth", fileName: "fasterrcnn_resnet50_fpn_coco-258fb6c6.pth", hashPrefix: "258fb6c6", numParams: 41755286, metrics: {"COCO-val2017": {"box_map": 37.0}}, gflops: 134.38, fileSizeMB: 159.743, sourceFile: "torchvision/models/detection/faster_rcnn.py" },
  { weights: "FasterRCNN_ResNet50_FPN_V2_Weights.COCO_V1", builder: "fasterrcnn_resnet50_fpn_v2", task: "detection", url: "https://download.pytorch.org/models/fasterrcnn_resnet50_fpn_v2_coco-dd69338a.pth", fileName: "fasterrcnn_resnet50_fpn_v2_coco-dd69338a.pth", hashPrefix: "dd69338a", numParams: 43712278, metrics: {"COCO-val2017": {"box_map": 46.7}}, gflops: 280.371, fileSizeMB: 167.104, sourceFile: "torchvision/models/detection/faster_rcnn.py" },
  { weights: "FasterRCNN_MobileNet_V3_Large_FPN_Weights.COCO_V1", builder: "fasterrcnn_mobilenet_v3_large_fpn", task: "detection", url: "https://download.pytorch.org/models/fasterrcnn_mobilenet_v3_large_fpn-fb6a3cc7.pth", fileName: "fasterrcnn_mobilenet_v3_large_fpn-fb6a3cc7.pth", hashPrefix: "fb6a3cc7", numParams: 19386354, metrics: {"COCO-val2017": {"box_map": 32.8}}, gflops: 4.494, fileSizeMB: 74.239, sourceFile: "torchvision/models/detection/faster_rcnn.py" },
  { weights: "FasterRCNN_MobileNet_V3_Large_320_FPN_Weights.COCO_V1", builder: "fasterrcnn_mobilenet_v3_large_320_fpn", task: "detection", url: "https://download.pytorch.org/models/fasterrcnn_mobilenet_v3_large_320_fpn-907ea3f9.pth", fileName: "fasterrcnn_mobilenet_v3_large_320_fpn-907ea3f9.pth", hashPrefix: "907ea3f9", numParams: 19386354, metrics: {"COCO-val2017": {"box_map": 22.8}}, gflops: 0.719, fileSizeMB: 74.239, sourceFile: "torchvision/models/detection/faster_rcnn.py" },
  { weights: "FCOS_ResNet50_FPN_Weights.COCO_V1", builder: "fcos_resnet50_fpn", task: "detection", url: "https://download.pytorch.org/models/fcos_resnet50_fpn_coco-99b0c9b7.pth", fileName: "fcos_resnet50_fpn_coco-99b0c9b7.pth", hashPrefix: "99b0c9b7", numParams: 32269600, metrics: {"COCO-val2017": {"box_map": 39.2}}, gflops: 128.207, fileSizeMB: 123.608, sourceFile: "torchvision/models/detection/fcos.py" },
  { weights: "KeypointRCNN_ResNet50_FPN_Weights.COCO_LEGACY", builder: "keypointrcnn_resnet50_fpn", task: "detection", url: "https://download.pytorch.org/models/keypointrcnn_resnet50_fpn_coco-9f466800.pth", fileName: "keypointrcnn_resnet50_fpn_coco-9f466800.pth", hashPrefix: "9f466800", numParams: 59137258, metrics: {"COCO-val2017": {"box_map": 50.6, "kp_map": 61.1}}, gflops: 133.924, fileSizeMB: 226.054, sourceFile: "torchvision/models/detection/keypoint_rcnn.py" },
  { weights: "KeypointRCNN_ResNet50_FPN_Weights.COCO_V1", builder: "keypointrcnn_resnet50_fpn", task: "detection", url: "https://download.pytorch.org/models/keypointrcnn_resnet50_fpn_coco-fc266e95.pth", fileName: "keypointrcnn_resnet50_fpn_coco-fc266e95.pth", hashPrefix: "fc266e95", numParams: 59137258, metrics: {"COCO-val2017": {"box_map": 54.6, "kp_map": 65.0}}, gflops: 137.42, fileSizeMB: 226.054, sourceFile: "torchvision/models/detection/keypoint_rcnn.py" },
  { weights: "MaskRCNN_ResNet50_FPN_Weights.COCO_V1", builder: "maskrcnn_resnet50_fpn", task: "detection", url: "https://download.pytorch.org/models/maskrcnn_resnet50_fpn_coco-bf2d0c1e.pth", fileName: "maskrcnn_resnet50_fpn_coco-bf2d0c1e.pth", hashPrefix: "bf2d0c1e", numParams: 44401393, metrics: {"COCO-val2017": {"box_map": 37.9, "mask_map": 34.6}}, gflops: 134.38, fileSizeMB: 169.84, sourceFile: "torchvision/models/detection/mask_rcnn.py" },
  { weights: "MaskRCNN_ResNet50_FPN_V2_Weights.COCO_V1", builder: "maskrcnn_resnet50_fpn_v2", task: "detection", url: "https://download.pytorch.org/models/maskrcnn_resnet50_fpn_v2_coco-73cbd019.pth", fileName: "maskrcnn_resnet50_fpn_v2_coco-73cbd019.pth", hashPrefix: "73cbd019", numParams: 46359409, metrics: {"COCO-val2017": {"box_map": 47.4, "mask_map": 41.8}}, gflops: 333.577, fileSizeMB: 177.219, sourceFile: "torchvision/models/detection/mask_rcnn.py" },
  { weights: "RetinaNet_ResNet50_FPN_Weights.COCO_V1", builder: "retinanet_resnet50_fpn", task: "detection", url: "https://download.pytorch.org/models/retinanet_resnet50_fpn_coco-eeacb38b.pth", fileName: "retinanet_resnet50_fpn_coco-eeacb38b.pth", hashPrefix: "eeacb38b", numParams: 34014999, metrics: {"COCO-val2017": {"box_map": 36.4}}, gflops: 151.54, fileSizeMB: 130.267, sourceFile: "torchvision/models/detection/retinanet.py" },
  { weights: "RetinaNet_ResNet50_FPN_V2_Weights.COCO_V1", builder: "retinanet_resnet50_fpn_v2", task: "detection", url: "https://download.pytorch.org/models/retinanet_resnet50_fpn_v2_coco-5905b1c5.pth", fileName: "retinanet_resnet50_fpn_v2_coco-5905b1c5.pth", hashPrefix: "5905b1c5", numParams: 38198935, metrics: {"COCO-val2017": {"box_map": 41.5}}, gflops: 152.238, fileSizeMB: 146.037, sourceFile: "torchvision/models/detection/retinanet.py" },
  { weights: "SSD300_VGG16_Weights.COCO_V1", builder: "ssd300_vgg16", task: "detection", url: "https://download.pytorch.org/models/ssd300_vgg16_coco-b556d3b4.pth", fileName: "ssd300_vgg16_coco-b556d3b4.pth", hashPrefix: "b556d3b4", numParams: 35641826, metrics: {"COCO-val2017": {"box_map": 25.1}}, gflops: 34.858, fileSizeMB: 135.988, sourceFile: "torchvision/models/detection/ssd.py" },
  { weights: "SSDLite320_MobileNet_V3_Large_Weights.COCO_V1", builder: "ssdlite320_mobilenet_v3_large", task: "detection", url: "https://download.pytorch.org/models/ssdlite320_mobilenet_v3_large_coco-a79551df.pth", fileName: "ssdlite320_mobilenet_v3_large_coco-a79551df.pth", hashPrefix: "a79551df", numParams: 3440060, metrics: {"COCO-val2017": {"box_map": 21.3}}, gflops: 0.583, fileSizeMB: 13.418, sourceFile: "torchvision/models/detection/ssdlite.py" },
];

/** `<Enum>.DEFAULT` -> the member it aliases, as each enum declares it. */
export const TORCHVISION_DEFAULT_MEMBERS: Readonly<Record<string, string>> = {
  AlexNet_Weights: "IMAGENET1K_V1",
  ConvNeXt_Base_Weights: "IMAGENET1K_V1",
  ConvNeXt_Large_Weights: "IMAGENET1K_V1",
  ConvNeXt_Small_Weights: "IMAGENET1K_V1",
  ConvNeXt_Tiny_Weights: "IMAGENET1K_V1",
  DeepLabV3_MobileNet_V3_Large_Weights: "COCO_WITH_VOC_LABELS_V1",
  DeepLabV3_ResNet101_Weights: "COCO_WITH_VOC_LABELS_V1",
  DeepLabV3_ResNet50_Weights: "COCO_WITH_VOC_LABELS_V1",
  DenseNet121_Weights: "IMAGENET1K_V1",
  DenseNet161_Weights: "IMAGENET1K_V1",
  DenseNet169_Weights: "IMAGENET1K_V1",
  DenseNet201_Weights: "IMAGENET1K_V1",
  EfficientNet_B0_Weights: "IMAGENET1K_V1",
  EfficientNet_B1_Weights: "IMAGENET1K_V2",
  EfficientNet_B2_Weights: "IMAGENET1K_V1",
  EfficientNet_B3_Weights: "IMAGENET1K_V1",
  EfficientNet_B4_Weights: "IMAGENET1K_V1",
  EfficientNet_B5_Weights: "IMAGENET1K_V1",
  EfficientNet_B6_Weights: "IMAGENET1K_V1",
  EfficientNet_B7_Weights: "IMAGENET1K_V1",
  EfficientNet_V2_L_Weights: "IMAGENET1K_V1",
  EfficientNet_V2_M_Weights: "IMAGENET1K_V1",
  EfficientNet_V2_S_Weights: "IMAGENET1K_V1",
  FCN_ResNet101_Weights: "COCO_WITH_VOC_LABELS_V1",
  FCN_ResNet50_Weights: "COCO_WITH_VOC_LABELS_V1",
  FCOS_ResNet50_FPN_Weights: "COCO_V1",
  FasterRCNN_MobileNet_V3_Large_320_FPN_Weights: "COCO_V1",
  FasterRCNN_MobileNet_V3_Large_FPN_Weights: "COCO_V1",
  FasterRCNN_ResNet50_FPN_V2_Weights: "COCO_V1",
  FasterRCNN_ResNet50_FPN_Weights: "COCO_V1",
  GoogLeNet_QuantizedWeights: "IMAGENET1K_FBGEMM_V1",
  GoogLeNet_Weights: "IMAGENET1K_V1",
  Inception_V3_QuantizedWeights: "IMAGENET1K_FBGEMM_V1",
  Inception_V3_Weights: "IMAGENET1K_V1",
  KeypointRCNN_ResNet50_FPN_Weights: "COCO_V1",
  LRASPP_MobileNet_V3_Large_Weights: "COCO_WITH_VOC_LABELS_V1",
  MC3_18_Weights: "KINETICS400_V1",
  MNASNet0_5_Weights: "IMAGENET1K_V1",
  MNASNet0_75_Weights: "IMAGENET1K_V1",
  MNASNet1_0_Weights: "IMAGENET1K_V1",
  MNASNet1_3_Weights: "IMAGENET1K_V1",
  MViT_V1_B_Weights: "KINETICS400_V1",
  MViT_V2_S_Weights: "KINETICS400_V1",
  MaskRCNN_ResNet50_FPN_V2_Weights: "COCO_V1",
  MaskRCNN_ResNet50_FPN_Weights: "COCO_V1",
  MaxVit_T_Weights: "IMAGENET1K_V1",
  MobileNet_V2_QuantizedWeights: "IMAGENET1K_QNNPACK_V1",
  MobileNet_V2_Weights: "IMAGENET1K_V2",
  MobileNet_V3_Large_QuantizedWeights: "IMAGENET1K_QNNPACK_V1",
  MobileNet_V3_Large_Weights: "IMAGENET1K_V2",
  MobileNet_V3_Small_Weights: "IMAGENET1K_V1",
  R2Plus1D_18_Weights: "KINETICS400_V1",
  R3D_18_Weights: "KINETICS400_V1",
  Raft_Large_Weights: "C_T_SKHT_V2",
  Raft_Small_Weights: "C_T_V2",
  RegNet_X_16GF_Weights: "IMAGENET1K_V2",
  RegNet_X_1_6GF_Weights: "IMAGENET1K_V2",
  RegNet_X_32GF_Weights: "IMAGENET1K_V2",
  RegNet_X_3_2GF_Weights: "IMAGENET1K_V2",
  RegNet_X_400MF_Weights: "IMAGENET1K_V2",
  RegNet_X_800MF_Weights: "IMAGENET1K_V2",
  RegNet_X_8GF_Weights: "IMAGENET1K_V2",
  RegNet_Y_128GF_Weights: "IMAGENET1K_SWAG_E2E_V1",
  RegNet_Y_16GF_Weights: "IMAGENET1K_V2",
  RegNet_Y_1_6GF_Weights: "IMAGENET1K_V2",
  RegNet_Y_32GF_Weights: "IMAGENET1K_V2",
  RegNet_Y_3_2GF_Weights: "IMAGENET1K_V2",
  RegNet_Y_400MF_Weights: "IMAGENET1K_V2",
  RegNet_Y_800MF_Weights: "IMAGENET1K_V2",
  RegNet_Y_8GF_Weights: "IMAGENET1K_V2",
  ResNeXt101_32X8D_QuantizedWeights: "IMAGENET1K_FBGEMM_V2",
  ResNeXt101_32X8D_Weights: "IMAGENET1K_V2",
  ResNeXt101_64X4D_QuantizedWeights: "IMAGENET1K_FBGEMM_V1",
  ResNeXt101_64X4D_Weights: "IMAGENET1K_V1",
  ResNeXt50_32X4D_Weights: "IMAGENET1K_V2",
  ResNet101_Weights: "IMAGENET1K_V2",
  ResNet152_Weights: "IMAGENET1K_V2",
  ResNet18_QuantizedWeights: "IMAGENET1K_FBGEMM_V1",
  ResNet18_Weights: "IMAGENET1K_V1",
  ResNet34_Weights: "IMAGENET1K_V1",
  ResNet50_QuantizedWeights: "IMAGENET1K_FBGEMM_V2",
  ResNet50_Weights: "IMAGENET1K_V2",
  RetinaNet_ResNet50_FPN_V2_Weights: "COCO_V1",
  RetinaNet_ResNet50_FPN_Weights: "COCO_V1",
  S3D_Weights: "KINETICS400_V1",
  SSD300_VGG16_Weights: "COCO_V1",
  SSDLite320_MobileNet_V3_Large_Weights: "COCO_V1",
  ShuffleNet_V2_X0_5_QuantizedWeights: "IMAGENET1K_FBGEMM_V1",
  ShuffleNet_V2_X0_5_Weights: "IMAGENET1K_V1",
  ShuffleNet_V2_X1_0_QuantizedWeights: "IMAGENET1K_FBGEMM_V1",
  ShuffleNet_V2_X1_0_Weights: "IMAGENET1K_V1",
  ShuffleNet_V2_X1_5_QuantizedWeights: "IMAGENET1K_FBGEMM_V1",
  ShuffleNet_V2_X1_5_Weights: "IMAGENET1K_V1",
  ShuffleNet_V2_X2_0_QuantizedWeights: "IMAGENET1K_FBGEMM_V1",
  ShuffleNet_V2_X2_0_Weights: "IMAGENET1K_V1",
  SqueezeNet1_0_Weights: "IMAGENET1K_V1",
  SqueezeNet1_1_Weights: "IMAGENET1K_V1",
  Swin3D_B_Weights: "KINETICS400_V1",
  Swin3D_S_Weights: "KINETICS400_V1",
  Swin3D_T_Weights: "KINETICS400_V1",
  Swin_B_Weights: "IMAGENET1K_V1",
  Swin_S_Weights: "IMAGENET1K_V1",
  Swin_T_Weights: "IMAGENET1K_V1",
  Swin_V2_B_Weights: "IMAGENET1K_V1",
  Swin_V2_S_Weights: "IMAGENET1K_V1",
  Swin_V2_T_Weights: "IMAGENET1K_V1",
  VGG11_BN_Weights: "IMAGENET1K_V1",
  VGG11_Weights: "IMAGENET1K_V1",
  VGG13_BN_Weights: "IMAGENET1K_V1",
  VGG13_Weights: "IMAGENET1K_V1",
  VGG16_BN_Weights: "IMAGENET1K_V1",
  VGG16_Weights: "IMAGENET1K_V1",
  VGG19_BN_Weights: "IMAGENET1K_V1",
  VGG19_Weights: "IMAGENET1K_V1",
  ViT_B_16_Weights: "IMAGENET1K_V1",
  ViT_B_32_Weights: "IMAGENET1K_V1",
  ViT_H_14_Weights: "IMAGENET1K_SWAG_E2E_V1",
  ViT_L_16_Weights: "IMAGENET1K_V1",
  ViT_L_32_Weights: "IMAGENET1K_V1",
  Wide_ResNet101_2_Weights: "IMAGENET1K_V2",
  Wide_ResNet50_2_Weights: "IMAGENET1K_V2",
};

/** Registered model builder (`torchvision.models.get_model` name) -> the weights enum its `weights` argument takes first. */
export const TORCHVISION_BUILDERS: Readonly<Record<string, string>> = {
  alexnet: "AlexNet_Weights",
  convnext_base: "ConvNeXt_Base_Weights",
  convnext_large: "ConvNeXt_Large_Weights",
  convnext_small: "ConvNeXt_Small_Weights",
  convnext_tiny: "ConvNeXt_Tiny_Weights",
  deeplabv3_mobilenet_v3_large: "DeepLabV3_MobileNet_V3_Large_Weights",
  deeplabv3_resnet101: "DeepLabV3_ResNet101_Weights",
  deeplabv3_resnet50: "DeepLabV3_ResNet50_Weights",
  densenet121: "DenseNet121_Weights",
  densenet161: "DenseNet161_Weights",
  densenet169: "DenseNet169_Weights",
  densenet201: "DenseNet201_Weights",
  efficientnet_b0: "EfficientNet_B0_Weights",
  efficientnet_b1: "EfficientNet_B1_Weights",
  efficientnet_b2: "EfficientNet_B2_Weights",
  efficientnet_b3: "EfficientNet_B3_Weights",
  efficientnet_b4: "EfficientNet_B4_Weights",
  efficientnet_b5: "EfficientNet_B5_Weights",
  efficientnet_b6: "EfficientNet_B6_Weights",
  efficientnet_b7: "EfficientNet_B7_Weights",
  efficientnet_v2_l: "EfficientNet_V2_L_Weights",
  efficientnet_v2_m: "EfficientNet_V2_M_Weights",
  efficientnet_v2_s: "EfficientNet_V2_S_Weights",
  fasterrcnn_mobilenet_v3_large_320_fpn: "FasterRCNN_MobileNet_V3_Large_320_FPN_Weights",
  fasterrcnn_mobilenet_v3_large_fpn: "FasterRCNN_MobileNet_V3_Large_FPN_Weights",
  fasterrcnn_resnet50_fpn: "FasterRCNN_ResNet50_FPN_Weights",
  fasterrcnn_resnet50_fpn_v2: "FasterRCNN_ResNet50_FPN_V2_Weights",
  fcn_resnet101: "FCN_ResNet101_Weights",
  fcn_resnet50: "FCN_ResNet50_Weights",
  fcos_resnet50_fpn: "FCOS_ResNet50_FPN_Weights",
  googlenet: "GoogLeNet_Weights",
  inception_v3: "Inception_V3_Weights",
  keypointrcnn_resnet50_fpn: "KeypointRCNN_ResNet50_FPN_Weights",
  lraspp_mobilenet_v3_large: "LRASPP_MobileNet_V3_Large_Weights",
  maskrcnn_resnet50_fpn: "MaskRCNN_ResNet50_FPN_Weights",
  maskrcnn_resnet50_fpn_v2: "MaskRCNN_ResNet50_FPN_V2_Weights",
  maxvit_t: "MaxVit_T_Weights",
  mc3_18: "MC3_18_Weights",
  mnasnet0_5: "MNASNet0_5_Weights",
  mnasnet0_75: "MNASNet0_75_Weights",
  mnasnet1_0: "MNASNet1_0_Weights",
  mnasnet1_3: "MNASNet1_3_Weights",
  mobilenet_v2: "MobileNet_V2_Weights",
  mobilenet_v3_large: "MobileNet_V3_Large_Weights",
  mobilenet_v3_small: "MobileNet_V3_Small_Weights",
  mvit_v1_b: "MViT_V1_B_Weights",
  mvit_v2_s: "MViT_V2_S_Weights",
  quantized_googlenet: "GoogLeNet_QuantizedWeights",
  quantized_inception_v3: "Inception_V3_QuantizedWeights",
  quantized_mobilenet_v2: "MobileNet_V2_QuantizedWeights",
  quantized_mobilenet_v3_large: "MobileNet_V3_Large_QuantizedWeights",
  quantized_resnet18: "ResNet18_QuantizedWeights",
  quantized_resnet50: "ResNet50_QuantizedWeights",
  quantized_resnext101_32x8d: "ResNeXt101_32X8D_QuantizedWeights",
  quantized_resnext101_64x4d: "ResNeXt101_64X4D_QuantizedWeights",
  quantized_shufflenet_v2_x0_5: "ShuffleNet_V2_X0_5_QuantizedWeights",
  quantized_shufflenet_v2_x1_0: "ShuffleNet_V2_X1_0_QuantizedWeights",
  quantized_shufflenet_v2_x1_5: "ShuffleNet_V2_X1_5_QuantizedWeights",
  quantized_shufflenet_v2_x2_0: "ShuffleNet_V2_X2_0_QuantizedWeights",
  r2plus1d_18: "R2Plus1D_18_Weights",
  r3d_18: "R3D_18_Weights",
  raft_large: "Raft_Large_Weights",
  raft_small: "Raft_Small_Weights",
  regnet_x_16gf: "RegNet_X_16GF_Weights",
  regnet_x_1_6gf: "RegNet_X_1_6GF_Weights",
  regnet_x_32gf: "RegNet_X_32GF_Weights",
  regnet_x_3_2gf: "RegNet_X_3_2GF_Weights",
  regnet_x_400mf: "RegNet_X_400MF_Weights",
  regnet_x_800mf: "RegNet_X_800MF_Weights",
  regnet_x_8gf: "RegNet_X_8GF_Weights",
  regnet_y_128gf: "RegNet_Y_128GF_Weights",
  regnet_y_16gf: "RegNet_Y_16GF_Weights",
  regnet_y_1_6gf: "RegNet_Y_1_6GF_Weights",
  regnet_y_32gf: "RegNet_Y_32GF_Weights",
  regnet_y_3_2gf: "RegNet_Y_3_2GF_Weights",
  regnet_y_400mf: "RegNet_Y_400MF_Weights",
  regnet_y_800mf: "RegNet_Y_800MF_Weights",
  regnet_y_8gf: "RegNet_Y_8GF_Weights",
  resnet101: "ResNet101_Weights",
  resnet152: "ResNet152_Weights",
  resnet18: "ResNet18_Weights",
  resnet34: "ResNet34_Weights",
  resnet50: "ResNet50_Weights",
  resnext101_32x8d: "ResNeXt101_32X8D_Weights",
  resnext101_64x4d: "ResNeXt101_64X4D_Weights",
  resnext50_32x4d: "ResNeXt50_32X4D_Weights",
  retinanet_resnet50_fpn: "RetinaNet_ResNet50_FPN_Weights",
  retinanet_resnet50_fpn_v2: "RetinaNet_ResNet50_FPN_V2_Weights",
  s3d: "S3D_Weights",
  shufflenet_v2_x0_5: "ShuffleNet_V2_X0_5_Weights",
  shufflenet_v2_x1_0: "ShuffleNet_V2_X1_0_Weights",
  shufflenet_v2_x1_5: "ShuffleNet_V2_X1_5_Weights",
  shufflenet_v2_x2_0: "ShuffleNet_V2_X2_0_Weights",
  squeezenet1_0: "SqueezeNet1_0_Weights",
  squeezenet1_1: "SqueezeNet1_1_Weights",
  ssd300_vgg16: "SSD300_VGG16_Weights",
  ssdlite320_mobilenet_v3_large: "SSDLite320_MobileNet_V3_Large_Weights",
  swin3d_b: "Swin3D_B_Weights",
  swin3d_s: "Swin3D_S_Weights",
  swin3d_t: "Swin3D_T_Weights",
  swin_b: "Swin_B_Weights",
  swin_s: "Swin_S_Weights",
  swin_t: "Swin_T_Weights",
  swin_v2_b: "Swin_V2_B_Weights",
  swin_v2_s: "Swin_V2_S_Weights",
  swin_v2_t: "Swin_V2_T_Weights",
  vgg11: "VGG11_Weights",
  vgg11_bn: "VGG11_BN_Weights",
  vgg13: "VGG13_Weights",
  vgg13_bn: "VGG13_BN_Weights",
  vgg16: "VGG16_Weights",
  vgg16_bn: "VGG16_BN_Weights",
  vgg19: "VGG19_Weights",
  vgg19_bn: "VGG19_BN_Weights",
  vit_b_16: "ViT_B_16_Weights",
  vit_b_32: "ViT_B_32_Weights",
  vit_h_14: "ViT_H_14_Weights",
  vit_l_16: "ViT_L_16_Weights",
  vit_l_32: "ViT_L_32_Weights",
  wide_resnet101_2: "Wide_ResNet101_2_Weights",
  wide_resnet50_2: "Wide_ResNet50_2_Weights",
};

/** torch/hub.py HASH_REGEX = re.compile(r"-([a-f0-9]*)\.") applied with .search() to the file name. */
const HASH_REGEX = /-([a-f0-9]*)\./;

/** The prefix torch.hub's check_hash compares with the file's sha256, or null when the name carries none. */
export function torchvisionHashPrefix(fileName: string): string | null {
  const m = HASH_REGEX.exec(fileName);
  return m && m[1] ? m[1] : null;
}

/** `pytorch/<fileName>`: the library id a torchvision weights file stages under. */
export function libraryEntryIdFor(entry: TorchvisionWeightsEntry): string {
  return entryId('pytorch', entry.fileName);
}

const byWeights = new Map<string, TorchvisionWeightsEntry>(TORCHVISION_CATALOG.map((e) => [e.weights, e]));

/** ImageNet-1K top-1 accuracy (%) when the enum's meta gives it. */
export function imagenetAcc1(entry: TorchvisionWeightsEntry): number | undefined {
  return entry.metrics?.['ImageNet-1K']?.['acc@1'];
}

/**
 * The entry for `resnet18` (builder: its enum's DEFAULT), `ResNet18_Weights.IMAGENET1K_V1` or
 * `ResNet18_Weights.DEFAULT`, with or without a `torchvision:` prefix; undefined when there is none.
 */
export function findTorchvisionWeights(name: string): TorchvisionWeightsEntry | undefined {
  const key = name.startsWith('torchvision:') ? name.slice('torchvision:'.length) : name;
  const builderEnum = TORCHVISION_BUILDERS[key];
  if (builderEnum !== undefined) return byWeights.get(`${builderEnum}.${TORCHVISION_DEFAULT_MEMBERS[builderEnum]}`);
  const dot = key.indexOf('.');
  if (dot > 0 && key.slice(dot + 1) === 'DEFAULT') {
    const enumName = key.slice(0, dot);
    const member = TORCHVISION_DEFAULT_MEMBERS[enumName];
    return member === undefined ? undefined : byWeights.get(`${enumName}.${member}`);
  }
  return byWeights.get(key);
}

export interface ResolvedTorchvisionWeights {
  catalogName: string;
  url: string;
  fileName: string;
  hashPrefix: string | null;
  libraryId: string;
  licence?: string;
  source: EntrySource;
  entry: TorchvisionWeightsEntry;
}

/** Everything a download needs for one name; throws OmnihubError('usage') for a name the catalog lacks. */
export function resolveTorchvisionWeights(name: string): ResolvedTorchvisionWeights {
  const entry = findTorchvisionWeights(name);
  if (!entry) throw new OmnihubError('usage', `torchvision has no pretrained weights named ${JSON.stringify(name)}.`);
  const resolved: ResolvedTorchvisionWeights = {
    catalogName: entry.weights,
    url: entry.url,
    fileName: entry.fileName,
    hashPrefix: entry.hashPrefix,
    libraryId: libraryEntryIdFor(entry),
    source: { kind: 'torchvision', url: entry.url, catalogName: entry.weights },
    entry,
  };
  if (entry.licence !== undefined) resolved.licence = entry.licence;
  return resolved;
}
