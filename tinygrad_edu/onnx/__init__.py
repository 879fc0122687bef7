"""Export a model to ONNX, which ONNX Runtime serves on CPUs, GPUs, phones and browsers.

    import tinygrad_edu as tg
    from tinygrad_edu.models import DigitsConvNet
    model = DigitsConvNet()                # or any nn.Module
    tg.onnx.export(model, tg.randn(1, 1, 8, 8), "model.onnx",
                   input_names=["image"], output_names=["logits"],
                   dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}})

`exporter.py` records one forward pass and walks its graph; `ops.py` is the table that writes
each op as standard ONNX operators; `builder.py` collects the nodes and the stored numbers.
The onnx package is imported only when `export` runs (`pip install "tinygrad_edu[onnx]"`).
"""
from tinygrad_edu.onnx.exporter import export
from tinygrad_edu.onnx.ops import UnsupportedOp

__all__ = ["export", "UnsupportedOp"]
