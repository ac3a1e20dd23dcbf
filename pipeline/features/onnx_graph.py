"""EfficientNet-Lite as an ONNX graph, written from a state dict with batch norm folded in.

The network (Tan & Le, 2019; the Lite variants of the TensorFlow TPU repository): a 3x3
stride-2 stem, MBConv blocks (1x1 expansion, depthwise kxk, 1x1 projection, a residual when
the shape is kept), a 1x1 head to 1280 channels, global average pooling, a linear classifier.
Lite means ReLU6 and no squeeze-excitation. TensorFlow's "same" padding is asymmetric on
stride 2 (the extra row and column go after), so every pad is written out explicitly; the
block layout (kernels, channels, which blocks are residual) is read from the weights.
"""

from __future__ import annotations

import re

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

INPUT = "image"  # N x 3 x size x size, float32, already normalised
EMBEDDING = "embedding"  # N x 1280: pooled head activations
LOGITS = "logits"  # N x 1000: ImageNet classes
SIZE = 224  # Lite0's input; Lite1 was trained at 240, Lite2 at 260
BN_EPSILON = 1e-3
#: stride of the first block of each of the seven stages (the same for every Lite variant)
STAGE_STRIDES = (1, 2, 2, 2, 1, 2, 1)
OPSET = 17
IR_VERSION = 8


class GraphError(Exception):
    """The weights do not describe an EfficientNet-Lite network."""


def _same_pads(size: int, kernel: int, stride: int) -> tuple[list[int], int]:
    """TensorFlow "same": ([top, left, bottom, right], output size)."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return [total // 2, total // 2, total - total // 2, total - total // 2], out


class _Builder:
    def __init__(self, weights: dict[str, np.ndarray]) -> None:
        self.weights = weights
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self.count = 0

    def _name(self, stem: str) -> str:
        self.count += 1
        return f"{stem}_{self.count}"

    def _param(self, name: str, array: np.ndarray) -> str:
        self.initializers.append(numpy_helper.from_array(array.astype(np.float32), name))
        return name

    def conv_bn(self, x: str, prefix: str, bn: str, stride: int, size: int, group: bool) -> str:
        """Conv (no bias) followed by batch norm, folded into one Conv with a bias."""
        try:
            w = self.weights[f"{prefix}.weight"]
            gamma, beta = self.weights[f"{bn}.weight"], self.weights[f"{bn}.bias"]
            mean, var = self.weights[f"{bn}.running_mean"], self.weights[f"{bn}.running_var"]
        except KeyError as exc:
            raise GraphError(f"missing weight {exc}") from None
        scale = gamma / np.sqrt(var + BN_EPSILON)
        kernel = int(w.shape[-1])
        pads, _ = _same_pads(size, kernel, stride)
        out = self._name(prefix.replace(".", "_"))
        self.nodes.append(
            helper.make_node(
                "Conv",
                [x, self._param(out + "_w", w * scale[:, None, None, None]),
                 self._param(out + "_b", beta - mean * scale)],
                [out], kernel_shape=[kernel, kernel], strides=[stride, stride], pads=pads,
                group=int(w.shape[0]) if group else 1,
            )
        )  # fmt: skip
        return out

    def relu6(self, x: str) -> str:
        out = self._name("relu6")
        self.nodes.append(helper.make_node("Clip", [x, "zero", "six"], [out]))
        return out

    def add(self, a: str, b: str) -> str:
        out = self._name("add")
        self.nodes.append(helper.make_node("Add", [a, b], [out]))
        return out


def _blocks(weights: dict[str, np.ndarray]) -> list[int]:
    found = {int(m.group(1)) for k in weights if (m := re.match(r"_blocks\.(\d+)\.", k))}
    if not found or found != set(range(len(found))):
        raise GraphError("no MBConv blocks numbered 0..n in the weights")
    return sorted(found)


def build(weights: dict[str, np.ndarray], size: int = SIZE) -> onnx.ModelProto:
    """The inference graph for ``size`` x ``size`` inputs: INPUT -> (EMBEDDING, LOGITS).

    The size is fixed because TensorFlow's "same" padding depends on it (an odd feature map
    is padded on both sides, an even one after only).
    """
    g = _Builder(weights)
    g._param("zero", np.array(0.0))
    g._param("six", np.array(6.0))
    input_size = size
    x = g.relu6(g.conv_bn(INPUT, "_conv_stem", "_bn0", 2, size, group=False))
    size = _same_pads(size, 3, 2)[1]
    channels = int(weights["_conv_stem.weight"].shape[0])
    stage = -1
    for i in _blocks(weights):
        p = f"_blocks.{i}"
        out_channels = int(weights.get(f"{p}._project_conv.weight", np.zeros((0,))).shape[0])
        first_of_stage = out_channels != channels
        stage += first_of_stage
        if stage >= len(STAGE_STRIDES):
            raise GraphError("more stages in the weights than EfficientNet-Lite has")
        stride = STAGE_STRIDES[stage] if first_of_stage else 1
        h = x
        if f"{p}._expand_conv.weight" in weights:
            h = g.relu6(g.conv_bn(h, f"{p}._expand_conv", f"{p}._bn0", 1, size, group=False))
        h = g.relu6(g.conv_bn(h, f"{p}._depthwise_conv", f"{p}._bn1", stride, size, group=True))
        size = _same_pads(size, 1, stride)[1]
        h = g.conv_bn(h, f"{p}._project_conv", f"{p}._bn2", 1, size, group=False)
        x = g.add(h, x) if not first_of_stage else h
        channels = out_channels
    x = g.relu6(g.conv_bn(x, "_conv_head", "_bn1", 1, size, group=False))
    g.nodes.append(helper.make_node("GlobalAveragePool", [x], ["pooled"]))
    g.nodes.append(helper.make_node("Flatten", ["pooled"], [EMBEDDING], axis=1))
    fc_w, fc_b = weights.get("_fc.weight"), weights.get("_fc.bias")
    if fc_w is None or fc_b is None:
        raise GraphError("missing the classifier weights _fc.weight / _fc.bias")
    g.nodes.append(
        helper.make_node("Gemm", [EMBEDDING, g._param("fc_w", fc_w), g._param("fc_b", fc_b)],
                         [LOGITS], transB=1)
    )  # fmt: skip
    graph = helper.make_graph(
        g.nodes,
        "efficientnet_lite",
        [helper.make_tensor_value_info(INPUT, TensorProto.FLOAT, ["n", 3, input_size, input_size])],
        [helper.make_tensor_value_info(EMBEDDING, TensorProto.FLOAT, ["n", channels_of(weights)]),
         helper.make_tensor_value_info(LOGITS, TensorProto.FLOAT, ["n", int(fc_w.shape[0])])],
        g.initializers,
    )  # fmt: skip
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model)
    return model


def channels_of(weights: dict[str, np.ndarray]) -> int:
    """Width of the embedding: the head's output channels."""
    return int(weights["_conv_head.weight"].shape[0])
