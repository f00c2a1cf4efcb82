# SPDX-License-Identifier: MIT
"""Tidy the QDQ graph torch 1.13 writes for an eager-mode int8 model.

torch.onnx.export of a converted (quantized) model writes every int8
operator as DequantizeLinear -> float operator -> QuantizeLinear, which
is the QDQ form we want, but with leftovers:
  - a Cast to uint8 after every QuantizeLinear whose output already is
    uint8 (a no-op);
  - each bias zero point as ConstantOfShape -> Cast (int32 zeros), an
    operator outside the project's list;
  - every constant (int8 weights, int32 biases, scales, zero points) as a
    Constant node.
tidy() folds ConstantOfShape and Casts of constants, drops no-op Casts,
and turns the constants into initializers.  The arithmetic is unchanged.
"""
import numpy as np
import onnx
from onnx import helper, numpy_helper
from onnx.mapping import TENSOR_TYPE_TO_NP_TYPE


def _attrs(node):
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def tidy(path):
    m = onnx.load(path)
    g = m.graph
    consts = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    dtypes = {name: v.dtype for name, v in consts.items()}
    for i in g.input:
        dtypes[i.name] = TENSOR_TYPE_TO_NP_TYPE[i.type.tensor_type.elem_type]
    outputs = {o.name for o in g.output}
    rename, keep = {}, []
    for n in g.node:
        ins = [rename.get(i, i) for i in n.input]
        del n.input[:]
        n.input.extend(ins)
        a = _attrs(n)
        out = n.output[0]
        if n.op_type == "Constant":
            consts[out] = numpy_helper.to_array(a["value"])
        elif n.op_type == "ConstantOfShape" and ins[0] in consts:
            fill = numpy_helper.to_array(a["value"]) if "value" in a else np.zeros(1, np.float32)
            consts[out] = np.full(consts[ins[0]].astype(np.int64), fill.reshape(-1)[0], fill.dtype)
        elif n.op_type == "Cast" and ins[0] in consts:
            consts[out] = consts[ins[0]].astype(TENSOR_TYPE_TO_NP_TYPE[a["to"]])
        elif (n.op_type == "Cast" and out not in outputs
              and dtypes.get(ins[0]) == TENSOR_TYPE_TO_NP_TYPE[a["to"]]):
            rename[out] = ins[0]
        else:
            keep.append(n)
            if n.op_type == "QuantizeLinear":
                zp = consts.get(ins[2]) if len(ins) > 2 else None
                dtypes[out] = zp.dtype if zp is not None else np.dtype(np.uint8)
            elif n.op_type == "Cast":
                dtypes[out] = np.dtype(TENSOR_TYPE_TO_NP_TYPE[a["to"]])
            else:
                for o in n.output:
                    dtypes[o] = np.dtype(np.float32)
            continue
        dtypes[out] = consts[out].dtype if out in consts else dtypes.get(rename.get(out))
    used = {i for n in keep for i in n.input}
    del g.node[:]
    g.node.extend(keep)
    del g.initializer[:]
    g.initializer.extend(numpy_helper.from_array(np.asarray(v), name)
                         for name, v in consts.items() if name in used)
    del g.value_info[:]
    onnx.checker.check_model(m)
    onnx.save(m, path)
