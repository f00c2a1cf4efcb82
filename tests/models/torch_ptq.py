#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""PyTorch's own int8 post-training quantization of the reference models:
the peer that libnpu's quantizer is compared with.

    nice -n 19 /usr/bin/python3 tests/models/torch_ptq.py

For each float model (lenet, mobilenet, resnet) and each quantized engine
this torch build supports (of fbgemm, x86, onednn, qnnpack; Debian's
1.13 has onednn and qnnpack):
  1. the module is rebuilt with the weights of the committed ONNX file
     (mobilenet.onnx and resnet.onnx have BatchNorm already folded into
     the convolutions, which is what fuse_modules' conv-bn fusion does in
     eval mode), and its float top-1 is measured;
  2. eager-mode static quantization: Conv+ReLU and Linear+ReLU fused,
     QuantStub/DeQuantStub at the ends, the engine's default qconfig
     (torch.ao.quantization.get_default_qconfig), calibrated on the first
     1,000 training images;
  3. the int8 model is evaluated on the 10,000 test images with that
     engine's kernels.
onednn runs twice: with its default qconfig (uint8 activations over the
full 0..255 range) and, as "onednn_reduce_range", with the x86 qconfig
(activations over 0..127).  On a CPU without VNNI (this machine: AVX2
only) oneDNN's u8*s8 kernels add pairs of products in int16 with
saturation, which costs the full-range configuration accuracy; the
7-bit one stays clear of it.

A torch 1.13 bug, worked around here: qnnpack's quantized relu6 (and
hardtanh, clamp) reads a channels-last tensor, which is what quantized
convolutions return, in the wrong element order; the MobileNet then
scores 9%.  On qnnpack each ReLU6 of the int8 model gets a contiguous
copy of its input first (ContiguousReLU6).
Sizes are those of the serialized state_dict (torch.save), float and int8.
Writes torch_ptq.json next to this file (one column set of
docs/accuracy.md).
"""
import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")   # see train.py

import argparse  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402

import torch  # noqa: E402
import torch.ao.quantization as tq  # noqa: E402

import fmnist  # noqa: E402

THREADS = 2
CALIBRATION_IMAGES = 1000
ENGINES = ["fbgemm", "x86", "onednn", "qnnpack"]
# (result key, engine, qconfig name for get_default_qconfig)
CONFIGS = [("fbgemm", "fbgemm", "fbgemm"), ("x86", "x86", "x86"),
           ("onednn", "onednn", "onednn"), ("onednn_reduce_range", "onednn", "x86"),
           ("qnnpack", "qnnpack", "qnnpack")]
FLOAT_MODELS = {"lenet": fmnist.LeNet, "mobilenet": fmnist.MobileNet,
                "resnet": fmnist.ResNet}


def log(*args):
    print(*args, flush=True)


def state_bytes(model):
    buf = io.BytesIO()
    torch.save(model.state_dict(), buf)
    return buf.getbuffer().nbytes


def float_model(name, path):
    """The float module with the file's weights (BN folded: bn=False)."""
    cls = FLOAT_MODELS[name]
    model = cls() if cls is fmnist.LeNet else cls(bn=False)
    return fmnist.weights_from_onnx(model, path).eval()


def fuse(name, model):
    """Conv+ReLU and Linear+ReLU pairs (ReLU6 has no fused int8 module)."""
    if name == "lenet":
        # conv-pool-relu: the ReLUs follow the pooling, only fc1 fuses.
        tq.fuse_modules(model, [["fc1", "relu3"]], inplace=True)
        return model
    for mod in model.modules():
        if isinstance(mod, fmnist.ConvBNAct) and len(mod) == 3 \
                and type(mod[2]) is torch.nn.ReLU:
            tq.fuse_modules(mod, [["0", "2"]], inplace=True)
    return model


class ContiguousReLU6(torch.nn.Module):
    """nnq.ReLU6 over a contiguous copy of its input (see above)."""

    def __init__(self):
        super().__init__()
        self.relu6 = torch.nn.quantized.ReLU6()

    def forward(self, x):
        return self.relu6(x.contiguous())


def swap_relu6(module):
    """Replace every quantized ReLU6 below `module`; returns the count."""
    count = 0
    for child_name, child in module.named_children():
        if type(child) is torch.nn.quantized.ReLU6:
            setattr(module, child_name, ContiguousReLU6())
            count += 1
        else:
            count += swap_relu6(child)
    return count


def quantize(name, path, engine, qconfig_name, calib):
    torch.backends.quantized.engine = engine
    model = fuse(name, float_model(name, path))
    model.qconfig = tq.get_default_qconfig(qconfig_name)
    tq.prepare(model, inplace=True)
    fmnist.predict(model, calib)
    qconfig = str(model.qconfig)
    qmodel = tq.convert(model)
    swapped = swap_relu6(qmodel) if engine == "qnnpack" else 0
    return qmodel, qconfig, swapped


def cpu_flags():
    """The SIMD extensions that decide which int8 kernels run."""
    try:
        with open("/proc/cpuinfo") as f:
            flags = next(line for line in f if line.startswith("flags")).split()
    except (OSError, StopIteration):
        return []
    return sorted(f for f in set(flags) if f.startswith(("avx", "sse4", "fma")) or "vnni" in f)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default=fmnist.MODELS_DIR, help="folder of the ONNX files")
    ap.add_argument("--out", default=os.path.join(fmnist.MODELS_DIR, "torch_ptq.json"))
    args = ap.parse_args()

    torch.set_num_threads(THREADS)
    supported = list(torch.backends.quantized.supported_engines)
    engines = [e for e in ENGINES if e in supported]
    configs = [c for c in CONFIGS if c[1] in supported]
    log(f"torch {torch.__version__}; supported quantized engines {supported}; using {engines}")
    x_img, _ = fmnist.load_split("train")
    xt_img, y_test = fmnist.load_split("test")
    calib = fmnist.to_input(x_img[:CALIBRATION_IMAGES])
    x_test = fmnist.to_input(xt_img)

    results = {}
    for name in FLOAT_MODELS:
        path = os.path.join(args.models, f"{name}.onnx")
        model = float_model(name, path)
        logits = fmnist.predict(model, x_test)
        onnx_logits = fmnist.predict(fmnist.OnnxTorch(path), x_test)
        diff = float((logits - onnx_logits).abs().max())
        assert diff < 1e-3, f"{name}: module and ONNX file differ by {diff}"
        rec = {"onnx": os.path.basename(path), "float_top1": fmnist.top1(logits, y_test),
               "float_bytes": state_bytes(model), "int8": {}}
        log(f"{name}: float top-1 {rec['float_top1']:.4f}, {rec['float_bytes']} bytes")
        for key, engine, qconfig_name in configs:
            t0 = time.time()
            qmodel, qconfig, swapped = quantize(name, path, engine, qconfig_name, calib)
            t_cal = time.time() - t0
            t0 = time.time()
            q_logits = fmnist.predict(qmodel, x_test)
            t_eval = time.time() - t0
            q = {"top1": fmnist.top1(q_logits, y_test), "bytes": state_bytes(qmodel),
                 "argmax_agreement_vs_float": float(
                     (q_logits.argmax(1) == logits.argmax(1)).float().mean()),
                 "calibrate_seconds": round(t_cal, 1), "eval_seconds": round(t_eval, 1),
                 "engine": engine, "qconfig_name": qconfig_name, "qconfig": qconfig}
            if swapped:
                q["relu6_made_contiguous"] = swapped
            rec["int8"][key] = q
            log(f"  {key}: int8 top-1 {q['top1']:.4f}, {q['bytes']} bytes "
                f"(calibration {t_cal:.1f} s, 10k test images {t_eval:.1f} s)")
        results[name] = rec

    # QAT is not post-training: its numbers come from train.json, so the
    # table has PyTorch's QAT LeNet next to the PTQ ones.
    qat = None
    train_json = os.path.join(args.models, "train.json")
    if os.path.exists(train_json):
        with open(train_json) as f:
            t = json.load(f)["models"]["lenet_qat"]
        qat = {"lenet_qat": {"onnx": t["file"], "source": "train.json",
                             "qconfig": t["qconfig"], "fake_quant_top1": t["fake_quant_top1"],
                             "int8_top1": t["int8_top1"], "onnx_top1": t["onnx_top1"]}}

    out = {"torch": torch.__version__, "threads": THREADS,
           "cpu_flags": cpu_flags(),
           "supported_engines": supported, "engines": engines,
           "configs": [c[0] for c in configs],
           "not_in_this_build": [e for e in ENGINES if e not in supported],
           "calibration": f"first {CALIBRATION_IMAGES} training images",
           "test_images": len(x_test), "models": results, "qat": qat}
    with open(args.out, "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")
    log(f"wrote {args.out}")


if __name__ == "__main__":
    main()
