#!/usr/bin/env python3
"""Reference values of GKC's training criterion, computed by the authors' own code in PyTorch float64.

Produces framework/src/test/resources/reference/authors-criterion/ (npy arrays and meta.json), which
AuthorsCriterionParityTest compares against the project's criterion classes.

Run (PyTorch, numpy and scipy for /usr/bin/python3, e.g. Debian's python3-torch python3-scipy):

    /usr/bin/python3 framework/src/test/python/authors_criterion_reference.py \
        --gkc /path/to/yongliu20/GKC --detectron2 /path/to/facebookresearch/detectron2 \
        --out framework/src/test/resources/reference/authors-criterion

It imports and runs the authors' files from those checkouts and copies none of their code:
  GKC   mask2former/modeling/criterion.py       SetCriterion (loss_masks: sigmoid_ce_loss, dice_loss,
                                                 calculate_uncertainty), num_masks normalisation
        mask2former/modeling/matcher.py         HungarianMatcher (batch_sigmoid_ce_loss, batch_dice_loss)
        mask2former/maskformer_model_voca_dense_kd_syn.py
                                                 loss_labels, loss_syn_label / loss_labels_process_each,
                                                 loss_text_kd, indice2main, loss_ground
        mask2former/modeling/utils/loss.py      GroundingHead
  detectron2 projects/PointRend/point_rend/point_features.py
                                                 point_sample, get_uncertain_point_coords_with_randomness
detectron2 itself is not installed: the modules those files import are replaced by minimal stand-ins in
sys.modules (get_world_size() = 1, cat = torch.cat, registries whose register() is the identity, ...); none of
them takes part in a computed value. The glue the authors keep inline in their forward (cosine logits, gathering
matched rows, F.normalize of student and teacher vectors) is written here from docs/gkc-method.md sections 2.6
and 4.3, as is TEXT_GUIDED_DISTANCE (the paper's formula, section 4.5, which has no code in the release).

Every random draw the authors' code makes (torch.rand points, np.random.rand region dropout) is served from a
seeded generator and stored, so the Java side replays the same draws. The matcher casts to float32 with .float()
(an AMP guard); here .float() leaves float64 tensors alone so the cost matrices stay float64. Inputs are float32
values held in float64, so the Java classes' float point-sampling paths read them exactly.
"""
import argparse
import contextlib
import importlib
import importlib.util
import json
import os
import sys
import types

import numpy as np
import torch
import torch.nn.functional as F

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
    def register(self, obj=None):
        return obj if obj is not None else (lambda o: o)


def install_stand_ins(gkc, d2):
    class _Placeholder:
        def __init__(self, *a, **k):
            raise RuntimeError("stand-in, not used by the criterion")

    _module("detectron2", "")
    _module("detectron2.utils", "")
    _module("detectron2.utils.comm", get_world_size=lambda: 1)
    _module("detectron2.utils.memory", retry_if_cuda_oom=lambda f: f)
    _module("detectron2.layers", cat=lambda ts, dim=0: ts[0] if len(ts) == 1 else torch.cat(ts, dim),
            shapes_to_tensor=lambda x, device=None: torch.as_tensor(x, device=device))
    _module("detectron2.structures", BitMasks=_Placeholder, Boxes=_Placeholder, ImageList=_Placeholder,
            Instances=_Placeholder)
    _module("detectron2.config", configurable=lambda f=None, **k: f if f is not None else (lambda g: g))
    _module("detectron2.data", MetadataCatalog=None)
    _module("detectron2.modeling", "", META_ARCH_REGISTRY=_Registry(), BACKBONE_REGISTRY=_Registry(),
            SEM_SEG_HEADS_REGISTRY=_Registry(), build_backbone=None, build_sem_seg_head=None,
            Backbone=torch.nn.Module, ShapeSpec=_Placeholder)
    _module("detectron2.modeling.backbone", Backbone=torch.nn.Module)
    _module("detectron2.modeling.postprocessing", sem_seg_postprocess=None)
    _module("detectron2.projects", "")
    _module("detectron2.projects.point_rend", "")
    _load("detectron2.projects.point_rend.point_features",
          os.path.join(d2, "projects", "PointRend", "point_rend", "point_features.py"))
    _module("timm", "")
    _module("timm.models", "")
    _module("timm.models.layers", drop=None, drop_path=None, trunc_normal_=None)
    _module("torchvision", _is_tracing=lambda: False)
    if "torch.nn.modules.faster_transformer" not in sys.modules:
        try:
            importlib.import_module("torch.nn.modules.faster_transformer")
        except ImportError:
            torch.nn.modules.faster_transformer = _module("torch.nn.modules.faster_transformer")
    # the authors' packages without their __init__ (which registers datasets, mappers, every head)
    root = os.path.join(gkc, "mask2former")
    _module("mask2former", root)
    _module("mask2former.utils", os.path.join(root, "utils"))
    _module("mask2former.modeling", os.path.join(root, "modeling"))
    _module("mask2former.modeling.utils", os.path.join(root, "modeling", "utils"))


# ---------------------------------------------------------------- feeding the authors' random draws
class Draws:
    """Serves torch.rand / np.random.rand from a seeded generator and records what it served, call by call."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.calls = []

    def torch_rand(self, *size, device=None, dtype=None, **kw):
        if len(size) == 1 and isinstance(size[0], (tuple, list, torch.Size)):
            size = tuple(size[0])
        v = self.rng.random(tuple(size))
        self.calls.append(("torch.rand", v))
        return torch.from_numpy(v)

    def np_rand(self, *size):
        v = self.rng.random(tuple(size))
        self.calls.append(("np.random.rand", v))
        return v

    @contextlib.contextmanager
    def active(self):
        saved = torch.rand, np.random.rand
        torch.rand, np.random.rand = self.torch_rand, self.np_rand
        try:
            yield self
        finally:
            torch.rand, np.random.rand = saved


@contextlib.contextmanager
def float64_kept():
    """The matcher's .float() (an AMP guard) would drop to float32; keep float64 tensors as they are."""
    saved = torch.Tensor.float
    torch.Tensor.float = lambda self, *a, **k: self if self.dtype == torch.float64 else saved(self, *a, **k)
    try:
        yield
    finally:
        torch.Tensor.float = saved


# ---------------------------------------------------------------- fixed inputs
B, Q, K, H, W, E, D, T = 2, 7, 6, 16, 16, 8, 8, 10
COUNTS = [3, 4]
MATCH_POINTS, LOSS_POINTS, OVERSAMPLE, IMPORTANCE = 24, 16, 3.0, 0.75
NO_OBJECT, DROPOUT, SIGMA = 0.1, 0.5, 1.3
MAX_WORDS = 5


def f32(a):
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def inputs(seed=20230309):
    rng = np.random.default_rng(seed)
    x = {}
    for s in range(2):   # prediction set 0 = an auxiliary one, set 1 = the final one
        x[f"pred_masks_s{s}"] = f32(rng.normal(0, 3, (B, Q, H, W)))
        x[f"class_embed_s{s}"] = f32(rng.normal(0, 1, (B, Q, D)))     # decoder class embedding (KD 'prior')
        x[f"embed_s{s}"] = f32(rng.normal(0, 1, (B, Q, E)))           # projected embedding (logits, grounding)
        x[f"kd_proj_w_s{s}"] = f32(rng.normal(0, 0.5, (T, D)))
        x[f"kd_proj_b_s{s}"] = f32(rng.normal(0, 0.1, (T,)))
    x["text_plain"] = f32(rng.normal(0, 1, (K, E)))
    x["void"] = f32(rng.normal(0, 0.3, (E,)))
    x["logit_scale"] = f32(np.log(1 / 0.07) - 0.4)
    for b, n in enumerate(COUNTS):
        m = np.zeros((n, H, W))
        for j in range(n):
            y0, x0 = rng.integers(0, 9, 2)
            h, w = rng.integers(3, 8, 2)
            m[j, y0:y0 + h, x0:x0 + w] = 1
        x[f"gt_masks_{b}"] = m
        x[f"labels_{b}"] = rng.choice(K, n, replace=False).astype(np.int64)
        x[f"teacher_{b}"] = f32(rng.normal(0, 2, (n, T)))
    # text diversification: image 0 renames one slot and adds one name, image 1 renames two and adds two
    names = [f"class{k}" for k in range(K)]
    vocab0 = names.copy(); vocab0[x["labels_0"][0]] = "syn-a"; vocab0 += ["syn-b"]
    vocab1 = names.copy(); vocab1[x["labels_1"][1]] = "syn-c"; vocab1[x["labels_1"][2]] = "syn-d"; vocab1 += ["syn-e", "syn-f"]
    syn0 = x["labels_0"].copy(); syn0[0] = x["labels_0"][0]; syn0[2] = len(vocab0) - 1
    syn1 = x["labels_1"].copy(); syn1[0] = len(vocab1) - 2; syn1[3] = len(vocab1) - 1
    x["syn_targets_0"], x["syn_targets_1"] = syn0.astype(np.int64), syn1.astype(np.int64)
    table = names + ["syn-a", "syn-b", "syn-c", "syn-d", "syn-e", "syn-f", "", "pad-word"]
    emb = f32(rng.normal(0, 1, (len(table), E)))
    emb[:K] = x["text_plain"]
    x["name_table"] = emb
    # caption nouns: image 0 three, image 1 two (names from the table, so the Java embedder finds them)
    nouns = [["class1", "syn-b", "class4"], ["class0", "syn-e"]]
    return x, names, [vocab0, vocab1], table, nouns


# ---------------------------------------------------------------- the run
def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gkc", required=True, help="checkout of github.com/yongliu20/GKC")
    ap.add_argument("--detectron2", required=True, help="checkout of github.com/facebookresearch/detectron2")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    install_stand_ins(args.gkc, args.detectron2)
    crit_mod = importlib.import_module("mask2former.modeling.criterion")
    match_mod = importlib.import_module("mask2former.modeling.matcher")
    model_mod = importlib.import_module("mask2former.maskformer_model_voca_dense_kd_syn")
    loss_mod = importlib.import_module("mask2former.modeling.utils.loss")
    pf = sys.modules["detectron2.projects.point_rend.point_features"]
    Model = model_mod.OpenSegMaskFormerDenseTextKDSyn

    x, names, vocabs, table, nouns = inputs()
    out = {}
    meta = {"B": B, "Q": Q, "K": K, "H": H, "W": W, "E": E, "D": D, "T": T, "counts": COUNTS,
            "match_points": MATCH_POINTS, "loss_points": LOSS_POINTS, "oversample": OVERSAMPLE,
            "importance": IMPORTANCE, "no_object_weight": NO_OBJECT, "region_dropout": DROPOUT, "sigma": SIGMA,
            "max_words": MAX_WORDS, "class_names": names, "vocabularies": vocabs, "name_table": table,
            "caption_nouns": nouns, "torch": torch.__version__}
    t = lambda a: torch.from_numpy(np.asarray(a))

    # plain-name logits (section 2.6): tau * v/(|v|+1e-7) . [t; void]/(|.|+1e-7)
    tau = float(np.exp(x["logit_scale"]))
    plain = torch.cat([t(x["text_plain"]), t(x["void"])[None]], 0)
    plain = plain / (plain.norm(dim=-1, keepdim=True) + 1e-7)
    for s in range(2):
        v = t(x[f"embed_s{s}"])
        v = v / (v.norm(dim=-1, keepdim=True) + 1e-7)
        out[f"plain_logits_s{s}"] = torch.einsum("bqe,ke->bqk", v * tau, plain).numpy()

    targets = [{"labels": t(x[f"labels_{b}"]), "masks": t(x[f"gt_masks_{b}"])} for b in range(B)]
    matcher = match_mod.HungarianMatcher(cost_class=2, cost_mask=5, cost_dice=5, num_points=MATCH_POINTS)
    criterion = crit_mod.SetCriterion(K, matcher, {}, NO_OBJECT, ["masks"], LOSS_POINTS, OVERSAMPLE, IMPORTANCE)

    # record the matcher's cost matrices and the loss's sampled points
    costs, coords = [], []
    real_lsa, real_unc = match_mod.linear_sum_assignment, crit_mod.get_uncertain_point_coords_with_randomness
    match_mod.linear_sum_assignment = lambda c: (costs.append(np.array(c)), real_lsa(c))[1]
    crit_mod.get_uncertain_point_coords_with_randomness = lambda *a: (lambda r: (coords.append(r.numpy()), r)[1])(real_unc(*a))
    outputs = {"pred_logits": t(out["plain_logits_s1"]), "pred_masks": t(x["pred_masks_s1"]),
               "aux_outputs": [{"pred_logits": t(out["plain_logits_s0"]), "pred_masks": t(x["pred_masks_s0"])}]}
    draws = Draws(7)
    with draws.active(), float64_kept():
        losses, main_idx, aux_idx = criterion(outputs, targets, get_all_indice=True)
    kinds = [k for k, _ in draws.calls]
    assert kinds == ["torch.rand"] * (2 * (B + 2)), kinds
    # call order: the final set (matcher points for each image, then the loss's candidates and fresh points),
    # then the aux set likewise
    for s, base, indices, name in [(1, 0, main_idx, ""), (0, B + 2, aux_idx[0], "_0")]:
        for b in range(B):
            out[f"match_points_s{s}_{b}"] = draws.calls[base + b][1][0]
        out[f"loss_candidates_s{s}"] = draws.calls[base + B][1]
        out[f"loss_fresh_s{s}"] = draws.calls[base + B + 1][1]
        out[f"loss_points_s{s}"] = coords[0 if s == 1 else 1]
        for b in range(B):
            out[f"cost_s{s}_{b}"] = costs[(0 if s == 1 else 2) + b]
            out[f"match_src_s{s}_{b}"] = indices[b][0].numpy().astype(np.int64)
            out[f"match_tgt_s{s}_{b}"] = indices[b][1].numpy().astype(np.int64)
        out[f"loss_mask_s{s}"] = np.array(losses["loss_mask" + name].item())
        out[f"loss_dice_s{s}"] = np.array(losses["loss_dice" + name].item())
    meta["num_masks"] = float(sum(COUNTS))

    # PointRend sampling alone on each matched mask of the final set, with its own fed draws
    src = torch.cat([main_idx[b][0] for b in range(B)])
    bidx = torch.cat([torch.full_like(main_idx[b][0], b) for b in range(B)])
    logits = t(x["pred_masks_s1"])[bidx, src][:, None]
    d2 = Draws(11)
    with d2.active():
        pts = pf.get_uncertain_point_coords_with_randomness(logits, crit_mod.calculate_uncertainty,
                                                            LOSS_POINTS, OVERSAMPLE, IMPORTANCE)
    out["uncertain_candidates"], out["uncertain_fresh"] = d2.calls[0][1], d2.calls[1][1]
    out["uncertain_points"] = pts.numpy()

    # the authors' model methods, called on a stand-in for `self` holding just what they read
    me = types.SimpleNamespace(criterion=criterion, region_dropout=DROPOUT, empty_weight=torch.ones(1) * NO_OBJECT,
                               device="cpu", syn_process_each=True, text_kd_logit_scale=torch.tensor(SIGMA),
                               additional_text_kd=False, grounding_gather=False)
    me.loss_labels = types.MethodType(Model.loss_labels, me)
    me.loss_labels_process_each = types.MethodType(Model.loss_labels_process_each, me)
    valid = torch.ones(B, Q)
    for s, indices in [(1, main_idx), (0, aux_idx[0])]:
        me.region_dropout = 0.0
        out[f"ce_nodrop_s{s}"] = np.array(Model.loss_labels(me, t(out[f"plain_logits_s{s}"]), targets, indices, valid).item())
        me.region_dropout = DROPOUT
        dd = Draws(100 + s)
        with dd.active():
            out[f"ce_drop_s{s}"] = np.array(Model.loss_labels(me, t(out[f"plain_logits_s{s}"]), targets, indices, valid).item())
        out[f"ce_dropout_draws_s{s}"] = dd.calls[0][1]     # one per matched query, batch-major, query order

    # synonym CE: per-image vocabularies padded to the batch maximum with the pad row (token id 0 in the
    # authors' code, an extra negative), void last
    lmax = max(len(v) for v in vocabs)
    meta["max_vocabulary"] = lmax
    emb = {n: x["name_table"][i] for i, n in enumerate(table)}
    syn_text = np.stack([np.stack([emb[n] for n in v] + [emb[""]] * (lmax - len(v))) for v in vocabs])
    syn = torch.cat([t(syn_text), t(x["void"])[None, None].repeat(B, 1, 1)], 1)
    syn = syn / (syn.norm(dim=-1, keepdim=True) + 1e-7)
    syn_targets = [{"labels": t(x[f"syn_targets_{b}"]), "masks": t(x[f"gt_masks_{b}"])} for b in range(B)]
    me.max_cap_num = lmax
    for s, indices in [(1, main_idx), (0, aux_idx[0])]:
        v = t(x[f"embed_s{s}"])
        v = v / (v.norm(dim=-1, keepdim=True) + 1e-7)
        syn_logits = torch.bmm(v * tau, syn.permute(0, 2, 1))
        dd = Draws(200 + s)
        with dd.active():
            out[f"syn_drop_s{s}"] = np.array(Model.loss_syn_label(me, syn_logits, syn_targets, indices, valid).item())
        out[f"syn_dropout_draws_s{s}"] = dd.calls[0][1]

    # distillation: student = F.normalize(kd_proj(class embedding)) at the matched queries, teacher =
    # F.normalize(teacher row) and text = the normalised diversified name of each matched segment, in the
    # order of the final set's matching; the aux set is re-ordered to the final set's segments (indice2main)
    for s, indices in [(1, main_idx), (0, Model.indice2main(me, aux_idx[0], main_idx))]:
        kb, kq = criterion._get_src_permutation_idx(indices)
        feat = F.linear(t(x[f"class_embed_s{s}"]), t(x[f"kd_proj_w_s{s}"]), t(x[f"kd_proj_b_s{s}"]))
        student = F.normalize(feat[kb, kq], p=2, dim=1)
        teacher = F.normalize(torch.cat([t(x[f"teacher_{b}"])[indices[b][1]] for b in range(B)]), p=2, dim=1)
        text = syn[kb, torch.cat([syn_targets[b]["labels"][indices[b][1]] for b in range(B)])]
        accm = list(np.cumsum([0] + [len(indices[b][1]) for b in range(B)]))
        me.additional_text_kd = False
        out[f"kd_text_guided_s{s}"] = np.array(Model.loss_text_kd(me, student, teacher, text, indices, accm).item())
        out[f"kd_vision_guided_s{s}"] = np.array(Model.loss_text_kd(me, student, teacher, teacher, indices, accm).item())
        me.additional_text_kd = True
        plain_part, pair_part = Model.loss_text_kd(me, student, teacher, text, indices, accm)
        out[f"kd_vanilla_s{s}"] = np.array(plain_part.item())
        out[f"kd_text_pairs_s{s}"] = np.array(pair_part.item())
        # the paper's text-guided distance (section 4.5): (1/N) sum_i sum_j | |s_i - r_j| - |t_i - t_j| |, per image
        total = 0.0
        for b in range(B):
            sl = slice(int(accm[b]), int(accm[b + 1]))
            total += (torch.cdist(student[sl], teacher[sl]) - torch.cdist(text[sl], text[sl])).abs().sum().item()
        out[f"kd_text_distance_s{s}"] = np.array(total / accm[-1])

    # grounding: nouns padded to MAX_WORDS (padded rows are the encoder's output for a pad caption: any row,
    # masked), regions = the matched queries' projected embeddings
    cfg = types.SimpleNamespace(MODEL=types.SimpleNamespace(
        GROUNDING=types.SimpleNamespace(LOCAL_METRIC="clip_cosine", GLOBAL_METRIC="aligned_local", ALIGNMENT="softmax",
                                        ALIGNMENT_TEMPERATURE=1.0, LOSS="cross_entropy", NEGATIVE_MINING="hardest",
                                        TRIPLET_MARGIN=1.0, ALIGN_WORDS_TO_REGIONS=True, ALIGN_REGIONS_TO_WORDS=True),
        TEXT_ENCODER=types.SimpleNamespace(EMBED_DIM=E)))
    me.grounding_head = loss_mod.GroundingHead(cfg)
    words = np.stack([np.stack([emb[n] for n in ns] + [emb["pad-word"]] * (MAX_WORDS - len(ns))) for ns in nouns])
    word_mask = np.array([[1.0] * len(ns) + [0.0] * (MAX_WORDS - len(ns)) for ns in nouns])
    for s, indices in [(1, main_idx), (0, aux_idx[0])]:
        out[f"grounding_s{s}"] = np.array(Model.loss_ground(me, t(x[f"embed_s{s}"]), indices, t(words), t(word_mask),
                                                            torch.tensor(tau)).item())

    os.makedirs(args.out, exist_ok=True)
    for k, v in {**x, **out}.items():
        np.save(os.path.join(args.out, k + ".npy"), np.asarray(v))
    with open(os.path.join(args.out, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    scalars = {k: float(v) for k, v in out.items() if np.asarray(v).ndim == 0}
    print(json.dumps(scalars, indent=1))


if __name__ == "__main__":
    main()
