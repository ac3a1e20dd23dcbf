"""Every file vidsort keeps in ARTIFACTS_DIR, named once.

What each holds and who writes it is in ARCHITECTURE.md ("File formats"). Every one of them
is read back as hostile input.
"""

from __future__ import annotations

#: per-video descriptors and embeddings, keyed by (name, size, mtime_ns) (pipeline cache)
FEATURES = "features.sqlite"
#: the fitted classifier and what it needs to predict: arrays and a JSON spec
#: (pipeline.model.trained_model)
MODEL = "model.npz"
#: the model as older versions pickled it: never read (a pickle runs code), removed at the
#: next save
LEGACY_MODEL = "model.joblib"
#: cross-validated accuracy, calibration, feature set (pipeline.model.train)
METRICS = "metrics.json"
#: {filename: prediction} in the documented shape (core.predictions)
PREDICTIONS = "predictions.json"
#: the append-only journal of sorts and undos (core.journal)
JOURNAL = "moves.jsonl"
#: held while a fallback move runs, with its intent file beside it (core.moves)
MOVES_LOCK = "moves.lock"
#: which number key files into which folder, stable across restarts (core.folder_keys)
FOLDER_KEYS = "folder_keys.json"
#: held while folder_keys.json is read and rewritten (core.folder_keys)
FOLDER_KEYS_LOCK = "folder_keys.lock"
#: running / last_result / progress of the pipeline job (services.jobs)
RETRAIN_STATUS = "retrain_status.json"
#: held by the one pipeline job running at a time (services.jobs)
RETRAIN_LOCK = "retrain.lock"
#: look-alike order, look-alike groups and near-duplicates
#: (pipeline.similarity.lookalikes; core.similarity_file)
SIMILARITY = "similarity.json"
#: every video's nearest neighbours by content, reused by refits (pipeline.similarity.neighbours)
NEIGHBOURS = "neighbours.npz"
#: what background jobs print
RETRAIN_LOG = "retrain.log"
#: when the model last read the library, and the refits so far (core.learning)
LEARNING = "learning.json"
#: the unsorted list's order last chosen in the TUI or on the page (core.list_order)
LIST_ORDER = "list_order.json"


def embedder_graph(weights_digest: str, version: int) -> str:
    """The ONNX graph built from the embedder's weights (pipeline.features.embedder)."""
    return f"embedder-{weights_digest[:16]}-v{version}.onnx"
