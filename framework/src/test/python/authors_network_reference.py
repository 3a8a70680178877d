#!/usr/bin/env python3
"""Float64 references of the shared tiny GKC network and tiny CLIP, computed by the authors' own modules.

Produces framework/src/test/resources/reference/authors-network/ (npy arrays in float64 and meta.json), which
GkcNetworkParityTest and ClipParityTest compare against the project's DOUBLE graphs. The shared fixtures
(../shared/fixtures/gkc-net-tiny, clip-rn-tiny) hold the weights and inputs; their outputs are stored in float32,
which caps a DOUBLE comparison at float32 rounding. This run gives the same outputs in float64.

Run (PyTorch, numpy and PyYAML for /usr/bin/python3, e.g. Debian's python3-torch python3-yaml):

    /usr/bin/python3 framework/src/test/python/authors_network_reference.py \
        --gkc /path/to/yongliu20/GKC --clip /path/to/openai/CLIP \
        --detectron2 /path/to/facebookresearch/detectron2 \
        --shared ../shared --out framework/src/test/resources/reference/authors-network

It imports and runs the authors' files from those checkouts and copies none of their code:
  GKC        mask2former/clip_models.py          CLIPResNetWithAttention (the trunk; attention pool removed,
                                                 as the meta-architecture does for VISION_FEATURE queryClass)
             mask2former/modeling/pixel_decoder/msdeformattn.py   MSDeformAttnPixelDecoder (with its
                                                 ops/modules/ms_deform_attn.py, PyTorch path of the sampling)
             mask2former/modeling/transformer_decoder/mask2former_transformer_decoder_voca.py
                                                 MultiScaleMaskedTransformerDecoderVoca
             mask2former/modeling/meta_arch/mask_former_head.py   MaskFormerHead
             mask2former/maskformer_model_voca_dense_kd_syn.py    semantic_inference
  detectron2 detectron2/layers/wrappers.py, batch_norm.py, shape_spec.py   Conv2d, get_norm, ShapeSpec
  CLIP       clip/model.py                       CLIP (encode_text, the visual ModifiedResNet and its stages)
Modules that are not installed (fvcore, timm, the rest of detectron2, the CUDA deformable-attention extension) are
minimal stand-ins in sys.modules; none takes part in a computed value (weight initialisers are no-ops: every
weight is loaded). The glue the meta-architecture keeps inline in its forward (ReLU + Linear projections
embed_proj / aux_embed_porj_i, cosine logits v/(|v|+1e-7) . t/(|t|+1e-7) x exp(logit_scale) with the void
embedding last, bilinear upsampling of the masks) is written here from docs/gkc-method.md, as in
authors_criterion_reference.py.

Float64 throughout: the model is .double(), inputs and weights are the fixtures' float32 values held in float64.
The authors' code pins float32 in a few places that are precision choices, not values: `x.float()` before the
deformable encoder (a half-precision guard), LayerNorm's `x.type(torch.float32)` (an fp16 guard in CLIP),
`cumsum(dtype=torch.float32)` / `arange(dtype=torch.float32)` in PositionEmbeddingSine and
`linspace(dtype=torch.float32)` for the encoder's reference points. Inside the run those requests give float64
(see `float32_pins_in_float64`). Constants stay what they are: eps 1e-5 (BatchNorm, GroupNorm, LayerNorm), 1e-6
(sine encoding), 1e-7 (cosine logits), and the float32 weights, logit_scale among them, keep their float32 values.
meta.json records this and the agreement of this run with the shared float32 outputs.
"""
import argparse
import contextlib
import importlib
import importlib.util
import json
import os
import struct
import sys
import types

import numpy as np
import torch
import torch.nn.functional as F
import yaml

torch.set_num_threads(1)
torch.set_default_dtype(torch.float64)


# ---------------------------------------------------------------- stand-ins for modules that are not installed
def _module(name, package_path=None, **attrs):
    m = types.ModuleType(name)
    if package_path is not None:
        m.__path__ = [package_path]
    m.__dict__.update(attrs)
    sys.modules[name] = m
    return m


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    m = importlib.util.module_from_spec(spec)
    sys.modules[name] = m
    spec.loader.exec_module(m)
    return m


class _Registry:
    def __init__(self, *a):
        pass

    def register(self, obj=None):
        return obj if obj is not None else (lambda o: o)


class _Placeholder:
    def __init__(self, *a, **k):
        raise RuntimeError("stand-in, not used by the network's forward")


def install_stand_ins(gkc, d2):
    noop = lambda *a, **k: None
    _module("fvcore", "")
    _module("fvcore.nn", "")
    _module("fvcore.nn.weight_init", c2_xavier_fill=noop, c2_msra_fill=noop)
    _module("fvcore.nn.distributed", differentiable_all_reduce=None)
    _module("timm", "")
    _module("timm.models", "")
    _module("timm.models.layers", drop=None, drop_path=None, trunc_normal_=noop)
    _module("MultiScaleDeformableAttention")   # no CUDA op: MSDeformAttn falls back to its PyTorch path
    _module("detectron2", "")
    _module("detectron2.utils", "")
    _module("detectron2.utils.comm", get_world_size=lambda: 1)
    _module("detectron2.utils.env", TORCH_VERSION=tuple(int(x) for x in torch.__version__.split(".")[:2]))
    _module("detectron2.utils.memory", retry_if_cuda_oom=lambda f: f)
    _module("detectron2.utils.registry", Registry=_Registry)
    _module("detectron2.config", configurable=lambda f=None, **k: f if f is not None else (lambda g: g))
    _module("detectron2.data", MetadataCatalog=None)
    _module("detectron2.structures", BitMasks=_Placeholder, Boxes=_Placeholder, ImageList=_Placeholder,
            Instances=_Placeholder, ROIMasks=_Placeholder)
    layers = os.path.join(d2, "detectron2", "layers")
    _module("detectron2.layers", layers)
    wrappers = _load("detectron2.layers.wrappers", os.path.join(layers, "wrappers.py"))
    norms = _load("detectron2.layers.batch_norm", os.path.join(layers, "batch_norm.py"))
    shapes = _load("detectron2.layers.shape_spec", os.path.join(layers, "shape_spec.py"))
    sys.modules["detectron2.layers"].__dict__.update(
        Conv2d=wrappers.Conv2d, cat=wrappers.cat, shapes_to_tensor=wrappers.shapes_to_tensor,
        get_norm=norms.get_norm, ShapeSpec=shapes.ShapeSpec, DeformConv=_Placeholder)
    _module("detectron2.modeling", "", META_ARCH_REGISTRY=_Registry(), BACKBONE_REGISTRY=_Registry(),
            SEM_SEG_HEADS_REGISTRY=_Registry(), build_backbone=None, build_sem_seg_head=None,
            Backbone=torch.nn.Module, ShapeSpec=shapes.ShapeSpec)
    _module("detectron2.modeling.backbone", Backbone=torch.nn.Module)
    _load("detectron2.modeling.postprocessing", os.path.join(d2, "detectron2", "modeling", "postprocessing.py"))
    _module("detectron2.projects", "")
    _module("detectron2.projects.point_rend", "")
    _load("detectron2.projects.point_rend.point_features",
          os.path.join(d2, "projects", "PointRend", "point_rend", "point_features.py"))
    _module("torchvision", _is_tracing=lambda: False)
    if "torch.nn.modules.faster_transformer" not in sys.modules:
        try:
            importlib.import_module("torch.nn.modules.faster_transformer")
        except ImportError:
            torch.nn.modules.faster_transformer = _module("torch.nn.modules.faster_transformer")
    # the authors' packages without their __init__ (which registers datasets, mappers, every head)
    root = os.path.join(gkc, "mask2former")
    _module("mask2former", root)
    for sub in ["utils", "modeling", "modeling/utils", "modeling/meta_arch", "modeling/pixel_decoder",
                "modeling/transformer_decoder"]:
        _module("mask2former." + sub.replace("/", "."), os.path.join(root, *sub.split("/")))


@contextlib.contextmanager
def float32_pins_in_float64():
    """Requests for float32 (a dtype argument, .float(), .type(torch.float32)) give float64 during the run."""
    saved = {
        "linspace": torch.linspace, "arange": torch.arange,
        "cumsum": torch.Tensor.cumsum, "float": torch.Tensor.float, "type": torch.Tensor.type,
    }
    promote = lambda k: dict(k, dtype=torch.float64) if k.get("dtype") is torch.float32 else k
    torch.linspace = lambda *a, **k: saved["linspace"](*a, **promote(k))
    torch.arange = lambda *a, **k: saved["arange"](*a, **promote(k))
    torch.Tensor.cumsum = lambda self, *a, **k: saved["cumsum"](self, *a, **promote(k))
    torch.Tensor.float = lambda self, *a, **k: saved["type"](self, torch.float64) if self.dtype != torch.float64 \
        else self
    torch.Tensor.type = lambda self, *a, **k: self if (a and a[0] is torch.float32 and self.dtype == torch.float64) \
        else saved["type"](self, *a, **k)
    try:
        yield
    finally:
        torch.linspace, torch.arange = saved["linspace"], saved["arange"]
        torch.Tensor.cumsum, torch.Tensor.float, torch.Tensor.type = saved["cumsum"], saved["float"], saved["type"]


# ---------------------------------------------------------------- files
def read_safetensors(path):
    """name -> float64 tensor (the file's float32 values held exactly), plus the header's __metadata__."""
    kinds = {"F32": np.float32, "F64": np.float64, "F16": np.float16, "I64": np.int64, "I32": np.int32}
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        body = f.read()
    meta = header.pop("__metadata__", {})
    out = {}
    for k, v in header.items():
        a, b = v["data_offsets"]
        arr = np.frombuffer(body[a:b], dtype=kinds[v["dtype"]]).reshape(v["shape"])
        out[k] = torch.from_numpy(arr.astype(np.float64))
    return out, meta


def rel(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.abs(a - b).max() / np.abs(b).max())


def ns(d):
    return types.SimpleNamespace(**{k: ns(v) if isinstance(v, dict) else v for k, v in d.items()})


# ---------------------------------------------------------------- the GKC network
def network(gkc_dir, fx):
    clip_models = importlib.import_module("mask2former.clip_models")
    msd = importlib.import_module("mask2former.modeling.pixel_decoder.msdeformattn")
    voca = importlib.import_module("mask2former.modeling.transformer_decoder.mask2former_transformer_decoder_voca")
    head_mod = importlib.import_module("mask2former.modeling.meta_arch.mask_former_head")
    model_mod = importlib.import_module("mask2former.maskformer_model_voca_dense_kd_syn")
    ShapeSpec = sys.modules["detectron2.layers"].ShapeSpec

    c = yaml.safe_load(open(os.path.join(fx, "config.yaml")))["MODEL"]
    res, head, mf = c["RESNETS"], c["SEM_SEG_HEAD"], c["MASK_FORMER"]
    cfg = ns({"MODEL": {"RESNETS": {"LAYERS": res["LAYERS"], "OUTPUT_DIM": res["OUTPUT_DIM"], "INPUT_RESOLUTION": 64,
                                    "WIDTH": res["WIDTH"], "PRETRAINED": None,
                                    "OUT_FEATURES": ["res2", "res3", "res4", "res5"]}}})
    backbone = clip_models.CLIPResNetWithAttention(cfg, None)
    backbone.remove_attenpool()
    # the class states ResNet-50 channel counts (256 .. 2048) whatever WIDTH is; the stages give width * 4 * 2^i
    shape = {f"res{i + 2}": ShapeSpec(channels=res["WIDTH"] * 4 * 2 ** i, stride=4 * 2 ** i) for i in range(4)}
    pixel_decoder = msd.MSDeformAttnPixelDecoder(
        {k: v for k, v in shape.items() if k in head["IN_FEATURES"]},
        transformer_dropout=mf["DROPOUT"], transformer_nheads=mf["NHEADS"], transformer_dim_feedforward=1024,
        transformer_enc_layers=head["TRANSFORMER_ENC_LAYERS"], conv_dim=head["CONVS_DIM"], mask_dim=head["MASK_DIM"],
        norm=head["NORM"], transformer_in_features=head["DEFORMABLE_TRANSFORMER_ENCODER_IN_FEATURES"],
        common_stride=head["COMMON_STRIDE"])
    predictor = voca.MultiScaleMaskedTransformerDecoderVoca(
        head["CONVS_DIM"], False, num_classes=1, hidden_dim=mf["HIDDEN_DIM"], num_queries=mf["NUM_OBJECT_QUERIES"],
        nheads=mf["NHEADS"], dim_feedforward=mf["DIM_FEEDFORWARD"], dec_layers=mf["DEC_LAYERS"] - 1,
        pre_norm=mf["PRE_NORM"], mask_dim=head["MASK_DIM"], enforce_input_project=mf["ENFORCE_INPUT_PROJ"],
        vision_feature=c["VISION_FEATURE"], text_embed_dim=c["TEXT_ENCODER"]["EMBED_DIM"],
        dense_supervise=c["PER_REGION"]["DENSE_SUPERVISE"])
    sem_seg_head = head_mod.MaskFormerHead(
        shape, num_classes=1, pixel_decoder=pixel_decoder, transformer_predictor=predictor,
        transformer_in_feature="multi_scale_pixel_decoder")
    layers = mf["DEC_LAYERS"]
    hidden, embed = mf["HIDDEN_DIM"], c["TEXT_ENCODER"]["EMBED_DIM"]
    proj = lambda: torch.nn.Sequential(torch.nn.ReLU(), torch.nn.Linear(hidden, embed))
    projections = torch.nn.ModuleDict({"embed_proj": proj(), **{f"aux_embed_porj_{i}": proj() for i in range(layers - 1)}})

    weights, _ = read_safetensors(os.path.join(fx, "gkc.safetensors"))
    used = set()

    def load(module, prefix, keys=None):
        sd = {k[len(prefix):]: v for k, v in weights.items() if k.startswith(prefix) and (keys is None or k in keys)}
        used.update(prefix + k for k in sd)
        missing, unexpected = module.load_state_dict(sd, strict=False)
        missing = [m for m in missing if not m.endswith("num_batches_tracked")]
        assert not missing and not unexpected, (prefix, missing, unexpected)

    for module in [backbone, sem_seg_head, projections]:
        module.double().eval()
    load(backbone, "backbone.")
    load(sem_seg_head, "sem_seg_head.")
    load(projections, "", {k for k in weights if k.split(".")[0] in projections})
    void, logit_scale = weights["non_object_embedding"], weights["logit_scale"]
    used.update(["non_object_embedding", "logit_scale"])
    assert used == set(weights), set(weights) - used

    images = torch.from_numpy(np.load(os.path.join(fx, "images.npy")).astype(np.float64))
    text = torch.from_numpy(np.load(os.path.join(fx, "text_features.npy")).astype(np.float64))
    with torch.no_grad(), float32_pins_in_float64():
        features = backbone(images)
        outputs, seg_feature = sem_seg_head(features)
        masks = [a["pred_masks"] for a in outputs["aux_outputs"]] + [outputs["pred_masks"]]
        queries = list(seg_feature["query_feature"]) + [seg_feature["query_embed"]]
        names = [f"aux_embed_porj_{i}" for i in range(layers - 1)] + ["embed_proj"]
        t = torch.cat([text, void], 0)
        t = t / (t.norm(dim=-1, keepdim=True) + 1e-7)
        logits = []
        for q, name in zip(queries, names):
            v = projections[name](q)
            v = v / (v.norm(dim=-1, keepdim=True) + 1e-7)
            logits.append(torch.einsum("nqe,ke->nqk", v * logit_scale.exp(), t))
        up = F.interpolate(masks[-1], size=images.shape[-2:], mode="bilinear", align_corners=False)
        sem = torch.stack([model_mod.OpenSegMaskFormerDenseTextKDSyn.semantic_inference(None, logits[-1][n], up[n])
                           for n in range(images.shape[0])])
    return {
        "pred_masks": torch.stack(masks).numpy(),
        "class_logits": torch.stack(logits).numpy(),
        "sem_seg": sem.numpy(),
        "mask_features": seg_feature["pixel_feature"].numpy(),
    }


# ---------------------------------------------------------------- CLIP
def clip_outputs(clip_dir, fx):
    model_mod = _load("clip_model", os.path.join(clip_dir, "clip", "model.py"))
    conf = json.load(open(os.path.join(fx, "config.json")))
    weights, meta = read_safetensors(os.path.join(fx, "clip.safetensors"))
    assert int(meta["transformer_heads"]) == conf["transformer_heads"]
    model = model_mod.CLIP(conf["embed_dim"], conf["image_resolution"], conf["vision_layers"], conf["vision_width"],
                           conf["vision_patch_size"], conf["context_length"], conf["vocab_size"],
                           conf["transformer_width"], conf["transformer_heads"], conf["transformer_layers"])
    model.double().eval()
    missing, unexpected = model.load_state_dict(weights, strict=False)
    assert not unexpected and all(m.endswith("num_batches_tracked") for m in missing), (missing, unexpected)
    ids = torch.from_numpy(np.load(os.path.join(fx, "texts_token_ids.npy")).astype(np.int64))
    images = torch.from_numpy(np.load(os.path.join(fx, "images.npy")).astype(np.float64))
    v = model.visual
    stages = {}
    hooks = [getattr(v, f"layer{i}").register_forward_hook(
        lambda mod, inp, out, i=i: stages.__setitem__(f"visual_layer{i}", out)) for i in range(1, 5)]
    with torch.no_grad(), float32_pins_in_float64():
        text = model.encode_text(ids)
        image = model.encode_image(images)
    for h in hooks:
        h.remove()
    return {"text_features": text.numpy(), "image_features": image.numpy(),
            **{k: s.numpy() for k, s in stages.items()}}


# ---------------------------------------------------------------- the run
# Files kept under about 300 KB: the full-resolution semantic map and CLIP's first stage map are stored for the
# first image(s) only; the tests compare those slices.
SLICES = {"network": {"sem_seg": 1}, "clip": {"visual_layer1": 2}}


def network_only(args):
    """The authors' float64 outputs for one network folder, whole (no float32 outputs exist to compare with)."""
    out = network(args.gkc, args.network_dir)
    _, weights_meta = read_safetensors(os.path.join(args.network_dir, "gkc.safetensors"))
    os.makedirs(args.out, exist_ok=True)
    meta = {"torch": torch.__version__, "dtype": "float64",
            "produced_by": "framework/src/test/python/authors_network_reference.py --network-dir",
            "weights_and_inputs_digest": weights_meta.get("digest"),
            "float32_pins_promoted": "as in reference/authors-network/meta.json", "groups": {}}
    for name in ["class_logits", "pred_masks", "sem_seg"]:
        np.save(os.path.join(args.out, f"{name}.npy"), np.ascontiguousarray(out[name], dtype=np.float64))
        meta["groups"][name] = list(out[name].shape)
    meta["layout"] = {
        "pred_masks": "[L, N, Q, H/4, W/4]: learnable queries first, then one per decoder layer",
        "class_logits": "[L, N, Q, K+1]: cosine logits x exp(logit_scale), void last",
        "sem_seg": "[N, K, H, W]: softmax without void x sigmoid(bilinear masks), summed"}
    with open(os.path.join(args.out, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print("wrote", ", ".join(f"{k} {v}" for k, v in meta["groups"].items()))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gkc", required=True, help="checkout of github.com/yongliu20/GKC")
    ap.add_argument("--clip", help="checkout of github.com/openai/CLIP")
    ap.add_argument("--detectron2", required=True, help="checkout of github.com/facebookresearch/detectron2")
    ap.add_argument("--shared", help="the team's shared/ folder (fixtures/gkc-net-tiny, clip-rn-tiny)")
    ap.add_argument("--network-dir", help="instead of the shared fixtures: one network's folder (gkc.safetensors, "
                                           "config.yaml, images.npy, text_features.npy), e.g. the doctor network's "
                                           "as DoctorNetworkExport writes it; its outputs go to --out")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    install_stand_ins(args.gkc, args.detectron2)
    if args.network_dir:
        network_only(args)
        return
    if not (args.clip and args.shared):
        ap.error("--clip and --shared are needed unless --network-dir is given")
    meta = {"torch": torch.__version__, "dtype": "float64",
            "produced_by": "framework/src/test/python/authors_network_reference.py",
            "float32_pins_promoted": ["MSDeformAttnPixelDecoder.forward_features x.float()",
                                      "get_valid_ratio .float() (the ratios are 1)",
                                      "get_reference_points linspace(dtype=float32)",
                                      "PositionEmbeddingSine cumsum(dtype=float32), arange(dtype=float32)",
                                      "CLIP LayerNorm x.type(torch.float32)"],
            "constants_kept": {"batchnorm_groupnorm_layernorm_eps": 1e-5, "sine_eps": 1e-6, "cosine_eps": 1e-7,
                               "weights": "the fixtures' float32 values held exactly in float64 "
                                          "(logit_scale among them)"},
            "groups": {}}
    os.makedirs(args.out, exist_ok=True)
    runs = [("network", "gkc-net-tiny", lambda fx: network(args.gkc, fx)),
            ("clip", "clip-rn-tiny", lambda fx: clip_outputs(args.clip, fx))]
    for part, fixture, run in runs:
        fx = os.path.join(args.shared, "fixtures", fixture)
        out = run(fx)
        sanity = {}
        for name, arr in out.items():
            ref32 = np.load(os.path.join(fx, name + ".npy"))
            assert ref32.shape == arr.shape, (name, ref32.shape, arr.shape)
            sanity[name] = rel(arr, ref32)
            keep = SLICES[part].get(name)
            stored = arr[:keep] if keep else arr
            if name == "mask_features":
                continue   # for debugging only; not stored
            np.save(os.path.join(args.out, f"{part}_{name}.npy"), np.ascontiguousarray(stored, dtype=np.float64))
            meta["groups"][f"{part}_{name}"] = {"shape": list(stored.shape), "of": list(arr.shape),
                                                "count": int(stored.size)}
        meta[f"{part}_fixture"] = f"fixtures/{fixture}"
        meta[f"{part}_vs_shared_float32"] = sanity
        print(part, "max|a-b|/max|b| against the shared float32 outputs:",
              ", ".join(f"{k} {v:.2e}" for k, v in sanity.items()))
    meta["network_layout"] = {
        "pred_masks": "[L, N, Q, H/4, W/4]: learnable queries first, then one per decoder layer",
        "class_logits": "[L, N, Q, K+1]: cosine logits x exp(logit_scale), void last",
        "sem_seg": "[n, K, H, W] of the first n images: softmax without void x sigmoid(bilinear masks), summed"}
    with open(os.path.join(args.out, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)


if __name__ == "__main__":
    main()
