# SPDX-License-Identifier: MIT
"""Shared pieces of the reference models (tests/models/).

- the Fashion-MNIST IDX files of Debian's dataset-fashion-mnist;
- the model definitions (LeNet, MobileNet-style, ResNet-style);
- an evaluator of the exported ONNX files that runs each node with
  torch operators (Debian's python3-onnx 1.12 has no onnx.reference), so
  the accuracy of the file itself is measured, not that of the module;
- loading a float model's weights back from its ONNX file.

Every model keeps QuantStub/DeQuantStub and FloatFunctional (identities
in float) so that eager-mode quantization (torch_ptq.py, QAT) works on
the same classes.
"""
import gzip
import os

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import numpy_helper
from torch.ao.quantization import DeQuantStub, QuantStub

DATA_DIR = os.environ.get("FMNIST_DIR", "/usr/share/datasets/fashion-mnist")
MODELS_DIR = os.path.dirname(os.path.abspath(__file__))
OPSET = 13

# The operators the exported files may use (what libnpu imports and the
# quantizer/compiler are meant to take).
ALLOWED_OPS = {
    "Conv", "Gemm", "MatMul", "Relu", "Clip", "MaxPool", "AveragePool",
    "GlobalAveragePool", "Add", "Mul", "Concat", "Flatten", "Reshape",
    "Transpose", "Pad", "Softmax", "BatchNormalization", "Constant", "Cast",
    "Identity", "QuantizeLinear", "DequantizeLinear",
}

CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
           "Shirt", "Sneaker", "Bag", "Ankle boot"]


# --------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------

def _read_idx(path):
    """An IDX file (gzip) as a numpy array: magic 0x0000 08 ndim, big-endian dims."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    if raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    return data.reshape(dims)


def load_split(split):
    """(images uint8 [N,28,28], labels int64 [N]) for "train" or "test"."""
    prefix = {"train": "train", "test": "t10k"}[split]
    images = _read_idx(os.path.join(DATA_DIR, f"{prefix}-images-idx3-ubyte.gz"))
    labels = _read_idx(os.path.join(DATA_DIR, f"{prefix}-labels-idx1-ubyte.gz"))
    return images, labels.astype(np.int64)


def to_input(images):
    """uint8 [N,28,28] -> float32 tensor [N,1,28,28], pixels x/255."""
    return torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)


# --------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------

class LeNet(nn.Module):
    """conv5x5-maxpool-relu twice, then two fully connected layers."""

    def __init__(self):
        super().__init__()
        self.quant = QuantStub()
        self.conv1 = nn.Conv2d(1, 8, 5, padding=2)      # 8x28x28
        self.pool1 = nn.MaxPool2d(2)                    # 8x14x14
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(8, 16, 5)                # 16x10x10
        self.pool2 = nn.MaxPool2d(2)                    # 16x5x5
        self.relu2 = nn.ReLU()
        self.flatten = nn.Flatten()                     # 400
        self.fc1 = nn.Linear(16 * 5 * 5, 128)
        self.relu3 = nn.ReLU()
        self.fc2 = nn.Linear(128, 10)
        self.dequant = DeQuantStub()

    def forward(self, x):
        x = self.quant(x)
        x = self.relu1(self.pool1(self.conv1(x)))
        x = self.relu2(self.pool2(self.conv2(x)))
        x = self.relu3(self.fc1(self.flatten(x)))
        return self.dequant(self.fc2(x))


def _bn(channels, bn):
    return nn.BatchNorm2d(channels) if bn else nn.Identity()


class ConvBNAct(nn.Sequential):
    """Conv, BatchNorm (or, with bn=False, a biased conv: BN folded), activation."""

    def __init__(self, cin, cout, k, stride=1, groups=1, act="relu6", bn=True):
        layers = [nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=not bn),
                  _bn(cout, bn)]
        if act == "relu6":
            layers.append(nn.ReLU6())
        elif act == "relu":
            layers.append(nn.ReLU())
        super().__init__(*layers)


class DepthwiseSeparable(nn.Sequential):
    """3x3 depthwise conv-BN-ReLU6, then 1x1 pointwise conv-BN-ReLU6."""

    def __init__(self, cin, cout, stride, bn=True):
        super().__init__(ConvBNAct(cin, cin, 3, stride, groups=cin, bn=bn),
                         ConvBNAct(cin, cout, 1, bn=bn))


class MobileNet(nn.Module):
    """MobileNet-v1 style: a 3x3 stem, five depthwise-separable blocks,
    global average pooling, one fully connected layer."""

    def __init__(self, bn=True):
        super().__init__()
        self.quant = QuantStub()
        self.features = nn.Sequential(
            ConvBNAct(1, 16, 3, bn=bn),                 # 16x28x28
            DepthwiseSeparable(16, 32, 2, bn=bn),       # 32x14x14
            DepthwiseSeparable(32, 32, 1, bn=bn),
            DepthwiseSeparable(32, 64, 2, bn=bn),       # 64x7x7
            DepthwiseSeparable(64, 64, 1, bn=bn),
            DepthwiseSeparable(64, 128, 2, bn=bn),      # 128x4x4
        )
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(128, 10)
        self.dequant = DeQuantStub()

    def forward(self, x):
        x = self.features(self.quant(x))
        x = self.flatten(self.pool(x))
        return self.dequant(self.fc(x))


class BasicBlock(nn.Module):
    """Two 3x3 conv-BN, the skip (identity, or 1x1 conv-BN when the shape
    changes) added before the last ReLU."""

    def __init__(self, cin, cout, stride, bn=True):
        super().__init__()
        self.conv1 = ConvBNAct(cin, cout, 3, stride, act="relu", bn=bn)
        self.conv2 = ConvBNAct(cout, cout, 3, act=None, bn=bn)
        self.shortcut = None
        if stride != 1 or cin != cout:
            self.shortcut = ConvBNAct(cin, cout, 1, stride, act=None, bn=bn)
        self.add_relu = torch.nn.quantized.FloatFunctional()

    def forward(self, x):
        y = self.conv2(self.conv1(x))
        skip = x if self.shortcut is None else self.shortcut(x)
        return self.add_relu.add_relu(y, skip)


class ResNet(nn.Module):
    """A small ResNet: a 3x3 stem and max pooling, two basic blocks (one
    with an identity skip, one with a strided 1x1 projection), global
    average pooling, one fully connected layer."""

    def __init__(self, bn=True):
        super().__init__()
        self.quant = QuantStub()
        self.stem = ConvBNAct(1, 16, 3, act="relu", bn=bn)    # 16x28x28
        self.stem_pool = nn.MaxPool2d(2)                      # 16x14x14
        self.layer1 = BasicBlock(16, 16, 1, bn=bn)            # 16x14x14
        self.layer2 = BasicBlock(16, 32, 2, bn=bn)            # 32x7x7
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(32, 10)
        self.dequant = DeQuantStub()

    def forward(self, x):
        x = self.stem_pool(self.stem(self.quant(x)))
        x = self.layer2(self.layer1(x))
        x = self.flatten(self.pool(x))
        return self.dequant(self.fc(x))


MODELS = {"lenet": LeNet, "mobilenet": MobileNet, "resnet": ResNet}


def num_params(model):
    return sum(p.numel() for p in model.parameters())


# --------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------

@torch.no_grad()
def predict(fn, x, batch=500):
    """Logits of fn over x [N,1,28,28], batch by batch."""
    return torch.cat([fn(x[i:i + batch]) for i in range(0, len(x), batch)])


def top1(logits, labels):
    return float((logits.argmax(1).numpy() == labels).mean())


# --------------------------------------------------------------------------
# ONNX
# --------------------------------------------------------------------------

def graph_ops(model_proto):
    return sorted({n.op_type for n in model_proto.graph.node})


def check_onnx(path):
    """Checker, opset, allowed operators, input/output names and shapes."""
    m = onnx.load(path)
    onnx.checker.check_model(m)
    opsets = {o.domain: o.version for o in m.opset_import}
    assert opsets.get("", opsets.get("ai.onnx")) == OPSET, opsets
    bad = set(graph_ops(m)) - ALLOWED_OPS
    assert not bad, f"{path}: operators outside the list: {sorted(bad)}"
    (inp,) = m.graph.input
    assert inp.name == "input", inp.name
    dims = inp.type.tensor_type.shape.dim
    assert dims[0].dim_param and [d.dim_value for d in dims[1:]] == [1, 28, 28]
    (out,) = m.graph.output
    dims = out.type.tensor_type.shape.dim
    assert out.name == "logits" and dims[0].dim_param and dims[1].dim_value == 10
    return m


def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _pads2d(pads):
    # ONNX [top, left, bottom, right] -> torch F.pad (left, right, top, bottom)
    return (pads[1], pads[3], pads[0], pads[2])


def _quant_shape(param, x, axis):
    if param.dim() == 0 or param.numel() == 1:
        return param.reshape(())
    shape = [1] * x.dim()
    shape[axis % x.dim()] = -1
    return param.reshape(shape)


_QRANGE = {torch.uint8: (0, 255), torch.int8: (-128, 127)}


class OnnxTorch:
    """Runs an ONNX graph node by node with torch operators (float32; the
    integer tensors of QuantizeLinear/DequantizeLinear as their types).
    Covers the operators in ALLOWED_OPS that the exported models use."""

    def __init__(self, path):
        self.model = onnx.load(path)
        g = self.model.graph
        self.consts = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy())
                       for t in g.initializer}
        self.nodes = list(g.node)
        self.input = g.input[0].name
        self.output = g.output[0].name

    def __call__(self, x):
        env = dict(self.consts)
        env[self.input] = x
        for n in self.nodes:
            ins = [env[i] if i else None for i in n.input]
            outs = self._run(n.op_type, ins, _attrs(n))
            for name, val in zip(n.output, outs):
                env[name] = val
        return env[self.output]

    def _run(self, op, ins, a):
        x = ins[0] if ins else None
        if op == "Conv":
            k = len(a.get("kernel_shape", ins[1].shape[2:]))
            assert k == 2 and a.get("auto_pad", b"NOTSET") in (b"NOTSET", "NOTSET")
            pads = a.get("pads", [0] * 4)
            x = F.pad(x, _pads2d(pads))
            return [F.conv2d(x, ins[1], ins[2] if len(ins) > 2 else None,
                             a.get("strides", [1, 1]), 0, a.get("dilations", [1, 1]),
                             a.get("group", 1))]
        if op == "Gemm":
            A = x.t() if a.get("transA", 0) else x
            B = ins[1].t() if a.get("transB", 0) else ins[1]
            y = a.get("alpha", 1.0) * (A @ B)
            if len(ins) > 2 and ins[2] is not None:
                y = y + a.get("beta", 1.0) * ins[2]
            return [y]
        if op == "MatMul":
            return [x @ ins[1]]
        if op == "Relu":
            return [F.relu(x)]
        if op == "Clip":
            lo = ins[1] if len(ins) > 1 and ins[1] is not None else None
            hi = ins[2] if len(ins) > 2 and ins[2] is not None else None
            return [torch.clamp(x, lo.item() if lo is not None else None,
                                hi.item() if hi is not None else None)]
        if op in ("MaxPool", "AveragePool"):
            assert not a.get("ceil_mode", 0)
            pads = a.get("pads", [0] * 4)
            k, s = a["kernel_shape"], a.get("strides", [1, 1])
            if op == "MaxPool":
                x = F.pad(x, _pads2d(pads), value=float("-inf"))
                return [F.max_pool2d(x, k, s)]
            assert not any(pads) or a.get("count_include_pad", 0)
            return [F.avg_pool2d(F.pad(x, _pads2d(pads)), k, s)]
        if op == "GlobalAveragePool":
            return [x.mean(dim=(2, 3), keepdim=True)]
        if op == "Add":
            return [x + ins[1]]
        if op == "Mul":
            return [x * ins[1]]
        if op == "Concat":
            return [torch.cat(ins, a["axis"])]
        if op == "Flatten":
            ax = a.get("axis", 1)
            return [x.reshape(int(np.prod(x.shape[:ax])), -1)]
        if op == "Reshape":
            shape = [int(v) for v in ins[1]]
            shape = [x.shape[i] if v == 0 else v for i, v in enumerate(shape)]
            return [x.reshape(shape)]
        if op == "Transpose":
            return [x.permute(a.get("perm", list(reversed(range(x.dim())))))]
        if op == "Softmax":
            return [F.softmax(x, a.get("axis", -1))]
        if op == "BatchNormalization":
            return [F.batch_norm(x, ins[3], ins[4], ins[1], ins[2], False, 0.0,
                                 a.get("epsilon", 1e-5))]
        if op == "Identity":
            return [x]
        if op == "Cast":
            np_type = onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[a["to"]]
            return [x.to(torch.from_numpy(np.zeros(0, np_type)).dtype)]
        if op == "Constant":
            return [torch.from_numpy(numpy_helper.to_array(a["value"]).copy())]
        if op == "QuantizeLinear":
            zp = ins[2] if len(ins) > 2 and ins[2] is not None else torch.tensor(0, dtype=torch.uint8)
            axis = a.get("axis", 1)
            s = _quant_shape(ins[1], x, axis)
            z = _quant_shape(zp, x, axis)
            lo, hi = _QRANGE[zp.dtype]
            # x / scale in float32, round half to even, add zp, saturate
            q = torch.round(x / s) + z.to(torch.float32)
            return [q.clamp(lo, hi).to(zp.dtype)]
        if op == "DequantizeLinear":
            axis = a.get("axis", 1)
            zp = ins[2] if len(ins) > 2 and ins[2] is not None else torch.tensor(0, dtype=x.dtype)
            s = _quant_shape(ins[1], x, axis)
            z = _quant_shape(zp, x, axis)
            return [(x.to(torch.float32) - z.to(torch.float32)) * s]
        raise NotImplementedError(op)


def weights_from_onnx(model, path):
    """Copy the Conv/Gemm weights and biases of an ONNX file, in graph
    order, into the Conv2d/Linear modules of `model`, in forward order
    (the module definitions above list them in that order).  For the
    BN-folded files, `model` is built with bn=False."""
    m = onnx.load(path)
    inits = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
    for n in m.graph.node:      # the exporter shares equal constants through Identity
        if n.op_type == "Identity" and n.input[0] in inits:
            inits[n.output[0]] = inits[n.input[0]]
    layers = [n for n in m.graph.node if n.op_type in ("Conv", "Gemm")]
    mods = [mod for mod in model.modules() if isinstance(mod, (nn.Conv2d, nn.Linear))]
    assert len(layers) == len(mods), (len(layers), len(mods))
    with torch.no_grad():
        for node, mod in zip(layers, mods):
            w = inits[node.input[1]]
            if node.op_type == "Gemm" and not _attrs(node).get("transB", 0):
                w = w.T
            assert tuple(w.shape) == tuple(mod.weight.shape), (node.name, w.shape)
            mod.weight.copy_(torch.from_numpy(w.copy()))
            if len(node.input) > 2:
                mod.bias.copy_(torch.from_numpy(inits[node.input[2]].copy()))
    return model
