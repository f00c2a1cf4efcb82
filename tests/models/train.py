#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Train the reference models on Fashion-MNIST and export them to ONNX.

    nice -n 19 /usr/bin/python3 tests/models/train.py

writes, next to this file:
    lenet.onnx         LeNet-style CNN, float
    mobilenet.onnx     MobileNet-style, BatchNorm folded into the convolutions
    mobilenet_bn.onnx  the same weights, BatchNormalization kept as nodes
    resnet.onnx        small ResNet with Add skips, BatchNorm folded
    lenet_qat.onnx     LeNet after quantization-aware training, QDQ
    train.json         per model: epochs, training time, top-1 (PyTorch and
                       the ONNX file), parameters, file size

Deterministic for a given machine and thread count: fixed seeds, a seeded
shuffle, two threads.  Everything comes from Debian's archive
(python3-torch, python3-onnx, dataset-fashion-mnist).
"""
import os

# libgomp's busy-waiting threads crawl when the other core is taken (CI,
# QEMU); passive waiting keeps two threads useful on a shared machine.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse  # noqa: E402
import copy  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402

import torch  # noqa: E402
import torch.ao.quantization as tq  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch.onnx import TrainingMode  # noqa: E402

import fmnist  # noqa: E402
import qdq  # noqa: E402

THREADS = 2
BATCH = 128
# QAT with the onednn qconfig: per-channel symmetric int8 weights, uint8
# activations over the full 0..255 range.  The int8 model is measured
# with each engine's kernels; the export is the same from either.
QAT_QCONFIG = "onednn"
QAT_ENGINES = ["onednn", "qnnpack"]

# name: (class, epochs, peak learning rate, seed)
RECIPES = {
    "lenet": (fmnist.LeNet, 12, 2e-3, 1),
    "mobilenet": (fmnist.MobileNet, 8, 4e-3, 2),
    "resnet": (fmnist.ResNet, 7, 4e-3, 3),
}
QAT_EPOCHS = 2
QAT_LR = 1e-4


def log(*args):
    print(*args, flush=True)


def batches(x, y, gen, augment):
    """Shuffled batches; with augment, half the images flipped left-right."""
    perm = torch.randperm(len(x), generator=gen)
    for i in range(0, len(x), BATCH):
        idx = perm[i:i + BATCH]
        xb, yb = x[idx], y[idx]
        if augment:
            flip = torch.rand(len(idx), generator=gen) < 0.5
            xb = torch.where(flip[:, None, None, None], xb.flip(3), xb)
        yield xb, yb


def run_epochs(model, opt, sched, x, y, gen, epochs, on_epoch=None):
    for epoch in range(epochs):
        if on_epoch:
            on_epoch(epoch)
        model.train()
        t0, total, n = time.time(), 0.0, 0
        for xb, yb in batches(x, y, gen, augment=True):
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if sched:
                sched.step()
            total += loss.item() * len(xb)
            n += len(xb)
        log(f"  epoch {epoch + 1}/{epochs}: loss {total / n:.4f} ({time.time() - t0:.0f} s)")


def export(model, path, **kw):
    model.eval()
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), path, opset_version=fmnist.OPSET,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}}, **kw)


def onnx_record(path, x_test, y_test, torch_logits=None):
    """Check the file and measure its top-1 through the ONNX evaluator."""
    m = fmnist.check_onnx(path)
    logits = fmnist.predict(fmnist.OnnxTorch(path), x_test)
    rec = {"file": os.path.basename(path), "bytes": os.path.getsize(path),
           "ops": fmnist.graph_ops(m), "onnx_top1": fmnist.top1(logits, y_test)}
    if torch_logits is not None:
        rec["max_abs_diff_vs_torch"] = float((logits - torch_logits).abs().max())
        rec["argmax_agreement_vs_torch"] = float(
            (logits.argmax(1) == torch_logits.argmax(1)).float().mean())
    log(f"  {rec['file']}: {rec['bytes']} bytes, ONNX top-1 {rec['onnx_top1']:.4f}, ops {rec['ops']}")
    return rec


def train_float(name, x, y, x_test, y_test, out):
    cls, epochs, lr, seed = RECIPES[name]
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    model = cls()
    log(f"{name}: {fmnist.num_params(model)} parameters, {epochs} epochs")
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    steps = epochs * ((len(x) + BATCH - 1) // BATCH)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps)
    t0 = time.time()
    run_epochs(model, opt, sched, x, y, gen, epochs)
    train_s = time.time() - t0
    model.eval()
    logits = fmnist.predict(model, x_test)
    rec = {"arch": cls.__name__, "params": fmnist.num_params(model), "epochs": epochs,
           "train_seconds": round(train_s, 1), "torch_top1": fmnist.top1(logits, y_test)}
    log(f"  trained in {train_s:.0f} s, PyTorch top-1 {rec['torch_top1']:.4f}")
    path = os.path.join(out, f"{name}.onnx")
    export(model, path)
    rec.update(onnx_record(path, x_test, y_test, logits))
    return model, rec


def export_bn(model, x_test, y_test, out):
    """The MobileNet again, BatchNormalization kept as nodes: PRESERVE
    skips the exporter's eval-mode Conv+BN fusion (the model stays in
    eval mode, so the nodes use the running statistics)."""
    path = os.path.join(out, "mobilenet_bn.onnx")
    model.eval()
    export(model, path, training=TrainingMode.PRESERVE)
    logits = fmnist.predict(model, x_test)
    rec = {"arch": "MobileNet", "params": fmnist.num_params(model),
           "torch_top1": fmnist.top1(logits, y_test)}
    rec.update(onnx_record(path, x_test, y_test, logits))
    assert "BatchNormalization" in rec["ops"], rec["ops"]
    return rec


def train_qat(float_lenet, x, y, x_test, y_test, out):
    """Fine-tune the float LeNet with fake quantization (eager mode, the
    default QAT qconfig of the onednn engine), then convert to int8 and
    export: the exporter writes the int8 model as QuantizeLinear /
    DequantizeLinear around float operators, qdq.tidy() removes its
    leftovers."""
    engines = [e for e in QAT_ENGINES if e in torch.backends.quantized.supported_engines]
    torch.backends.quantized.engine = engines[0]
    torch.manual_seed(4)
    gen = torch.Generator().manual_seed(4)
    model = copy.deepcopy(float_lenet).train()
    # No Linear+ReLU fusion: quantized::linear_relu has no ONNX export in torch 1.13.
    model.qconfig = tq.get_default_qat_qconfig(QAT_QCONFIG)
    tq.prepare_qat(model, inplace=True)
    opt = torch.optim.Adam(model.parameters(), lr=QAT_LR)
    steps = QAT_EPOCHS * ((len(x) + BATCH - 1) // BATCH)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)

    def freeze(epoch):
        if epoch == QAT_EPOCHS - 1:     # last epoch: observers fixed
            model.apply(tq.disable_observer)

    log(f"lenet_qat: {QAT_EPOCHS} epochs of QAT ({QAT_QCONFIG} qconfig)")
    t0 = time.time()
    run_epochs(model, opt, sched, x, y, gen, QAT_EPOCHS, freeze)
    train_s = time.time() - t0
    model.eval()
    fq_logits = fmnist.predict(model, x_test)
    rec = {"arch": "LeNet", "params": fmnist.num_params(float_lenet), "epochs": QAT_EPOCHS,
           "train_seconds": round(train_s, 1), "qconfig": QAT_QCONFIG,
           "fake_quant_top1": fmnist.top1(fq_logits, y_test), "int8_top1": {}}
    log(f"  trained in {train_s:.0f} s, fake-quant top-1 {rec['fake_quant_top1']:.4f}")
    for engine in engines:
        torch.backends.quantized.engine = engine
        qmodel = tq.convert(copy.deepcopy(model))
        q_logits = fmnist.predict(qmodel, x_test)
        rec["int8_top1"][engine] = fmnist.top1(q_logits, y_test)
        log(f"  int8 with the {engine} kernels: top-1 {rec['int8_top1'][engine]:.4f}")
    # The last engine's model (qnnpack: no 16-bit saturation) is the one
    # the file is compared with; the exported graph is the same for both.
    rec["torch_engine"] = engine
    rec["torch_top1"] = rec["int8_top1"][engine]
    path = os.path.join(out, "lenet_qat.onnx")
    export(qmodel, path)
    qdq.tidy(path)
    rec.update(onnx_record(path, x_test, y_test, q_logits))
    return rec


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=fmnist.MODELS_DIR, help="output folder")
    args = ap.parse_args()

    torch.set_num_threads(THREADS)
    torch.use_deterministic_algorithms(True)
    x_img, y_np = fmnist.load_split("train")
    xt_img, yt_np = fmnist.load_split("test")
    x, y = fmnist.to_input(x_img), torch.from_numpy(y_np)
    x_test = fmnist.to_input(xt_img)
    log(f"torch {torch.__version__}, {torch.get_num_threads()} threads; "
        f"{len(x)} training and {len(x_test)} test images from {fmnist.DATA_DIR}")

    results = {}
    t_all = time.time()
    models = {}
    for name in RECIPES:
        models[name], results[name] = train_float(name, x, y, x_test, yt_np, args.out)
    results["mobilenet_bn"] = export_bn(models["mobilenet"], x_test, yt_np, args.out)
    results["lenet_qat"] = train_qat(models["lenet"], x, y, x_test, yt_np, args.out)

    summary = {"torch": torch.__version__, "threads": THREADS, "batch": BATCH,
               "total_seconds": round(time.time() - t_all, 1), "models": results}
    with open(os.path.join(args.out, "train.json"), "w") as f:
        json.dump(summary, f, indent=2)
        f.write("\n")
    log(f"done in {summary['total_seconds']:.0f} s")


if __name__ == "__main__":
    main()
