"""model.npz: every model the pipeline trains comes back predicting the same, and a file that
is not one it wrote (a pickle, a class off the allow-list, a bomb, a FIFO) reads as "no
model" without running or waiting on anything."""

from __future__ import annotations

import io
import json
import os
import pickle
import time
import zipfile
from dataclasses import dataclass

import numpy as np
import pytest

from pipeline.features.fisher_vectors import fit_vocabulary
from pipeline.model import trained_model as model_file
from pipeline.model.open_set import OpenSetCalibration
from pipeline.model.state_file import StateError, load_state, save_state
from pipeline.model.temperature import Tempered
from pipeline.model.train import candidates
from pipeline.model.trained_model import TrainedModel, load, save
from pipeline.npz import read_npz, write_npz
from vidsort_tui.core import artifacts

RNG = np.random.default_rng(7)
X = RNG.normal(size=(60, 40)).astype(np.float32)
Y = np.array(["fire", "sea", "snow"] * 20)
KINDS = [(name, 0) for name in candidates(10)] + [(name, 30) for name in candidates(10, 30)]


def trained(kind: str = "late-fusion-logreg", content: int = 0) -> TrainedModel:
    template = Tempered(candidates(10, content)[kind], 1.7)
    vocabulary = fit_vocabulary([RNG.normal(size=(200, 8)).astype(np.float16)])
    return TrainedModel(template.fit(X, Y), ["fire", "sea", "snow"], vocabulary, kind,
                        unlearnable={"x": "only 1 video"}, template=template,
                        content=bool(content), feature_set="classical")  # fmt: skip


@pytest.mark.parametrize(("kind", "content"), KINDS)
def test_every_candidate_comes_back_predicting_the_same_and_refits(tmp_path, kind, content):
    model = trained(kind, content)
    save(model, tmp_path)
    again = load(tmp_path)
    assert again is not None and again.kind == kind and again.classes == model.classes
    assert again.unlearnable == model.unlearnable and again.content == bool(content)
    np.testing.assert_array_equal(again.vocabulary.means, model.vocabulary.means)
    probe = RNG.normal(size=(5, 40)).astype(np.float32)
    np.testing.assert_array_equal(
        again.classifier.predict_proba(probe), model.classifier.predict_proba(probe)
    )
    refitted = again.refitted(X[:45], Y[:45])  # warm refit from the loaded coefficients
    assert refitted.classes == model.classes
    save(refitted, tmp_path)
    assert load(tmp_path) is not None


def test_a_class_not_on_the_allow_list_cannot_be_saved(tmp_path):
    @dataclass
    class Extra:
        value: int

    model = trained()
    model.unlearnable = {"x": Extra(1)}  # type: ignore[dict-item]
    with pytest.raises(StateError, match="Extra is not an allowed class"):
        save(model, tmp_path)
    assert not (tmp_path / artifacts.MODEL).exists()


class Marker:
    """Unpickling this creates a directory: the proof that a loader ran code."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):  # noqa: ANN204
        return (os.mkdir, (self.path,))


def test_a_pickled_model_joblib_is_never_opened_and_is_removed_at_the_next_save(tmp_path):
    marker = tmp_path / "ran"
    (tmp_path / artifacts.LEGACY_MODEL).write_bytes(pickle.dumps(Marker(str(marker))))
    assert load(tmp_path) is None
    assert not marker.exists()
    save(trained(), tmp_path)
    assert not (tmp_path / artifacts.LEGACY_MODEL).exists()
    assert load(tmp_path) is not None and not marker.exists()


#: where the model's classes lived before the pipeline was grouped into packages (issue 20)
FLAT_LAYOUT = {
    "pipeline.model.trained_model.": "pipeline.model.",
    "pipeline.model.temperature.": "pipeline.calibration.",
    "pipeline.model.classifiers.": "pipeline.classifiers.",
    "pipeline.model.open_set.": "pipeline.open_set.",
    "pipeline.features.fisher_vectors.": "pipeline.encoding.",
}


def test_a_model_saved_by_the_flat_layout_reads_as_no_model_and_the_next_save_replaces_it(
    tmp_path,
):
    """model.npz names each class by module: a model written before the modules moved names
    classes that are no longer on the allow-list, so it is no model (the next retrain writes
    one), never a crash and never a half-read model."""
    model = trained()
    model.open_set = _open_set()
    save(model, tmp_path)
    path = tmp_path / artifacts.MODEL
    text = read_npz(path, 1 << 30)["spec"].tobytes().decode()
    for new, old in FLAT_LAYOUT.items():
        assert new in text  # each of these classes is in the saved model
        text = text.replace(new, old)
    _rewrite_spec(path, lambda spec: None, root=json.dumps(json.loads(text)["root"]))
    assert load(tmp_path) is None
    save(trained(), tmp_path)  # what the next retrain does
    again = load(tmp_path)
    assert again is not None and again.classes == ["fire", "sea", "snow"]


def _rewrite_spec(path, change, root: str | None = None) -> None:
    members = read_npz(path, 1 << 30)
    spec = json.loads(members["spec"].tobytes())
    change(spec)
    text = json.dumps(spec)
    if root is not None:  # raw JSON text for the root, too deep to build as Python
        spec["root"] = "ROOT"
        text = json.dumps(spec).replace('"ROOT"', root)
    members["spec"] = np.frombuffer(text.encode(), np.uint8)
    write_npz(path, members)


def _hostile_files(tmp_path):
    """name -> a function that puts that hostile model file in place."""
    marker = tmp_path / "ran"
    path = tmp_path / artifacts.MODEL

    def pickle_named_npz():
        path.write_bytes(pickle.dumps(Marker(str(marker))))

    def pickle_member():
        buffer = io.BytesIO()
        np.save(buffer, np.array([Marker(str(marker))], dtype=object), allow_pickle=True)
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("spec.npy", buffer.getvalue())

    def foreign_class():
        save(trained(), tmp_path)
        _rewrite_spec(path, lambda spec: spec["root"].update(object="posix.system"))

    def another_sklearn():
        save(trained(), tmp_path)
        _rewrite_spec(path, lambda spec: spec.update({"scikit-learn": "0.1"}))

    def wrong_state():
        save(trained(), tmp_path)

        def swap(spec):  # the classifier's fitted wrapper replaced by a string
            state = spec["root"]["state"]["dict"]
            for pair in state:
                if pair[0] == "classifier":
                    pair[1]["state"] = {"dict": [["estimator_", "x"], ["classes_", "y"]]}

        _rewrite_spec(path, swap)

    def deep_nesting():
        save(trained(), tmp_path)
        _rewrite_spec(path, lambda spec: None, root='{"list": [' * 200 + "]}" * 200)

    def bomb():
        header = io.BytesIO()
        np.lib.format.write_array_header_1_0(
            header, {"descr": "<f8", "fortran_order": False, "shape": (40_000, 1_000)}
        )
        with (
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive,
            archive.open("a0.npy", "w", force_zip64=True) as member,
        ):
            member.write(header.getvalue())
            zeros = bytes(1 << 20)
            for _ in range(320):
                member.write(zeros)

    def fifo():
        os.mkfifo(path)

    def symlink_to_a_good_model():
        save(trained(), tmp_path / "elsewhere")
        path.symlink_to(tmp_path / "elsewhere" / artifacts.MODEL)

    return marker, {f.__name__: f for f in (pickle_named_npz, pickle_member, foreign_class,
                    another_sklearn, wrong_state, deep_nesting, bomb, fifo,
                    symlink_to_a_good_model)}  # fmt: skip


@pytest.mark.parametrize(
    "kind",
    ["pickle_named_npz", "pickle_member", "foreign_class", "another_sklearn", "wrong_state",
     "deep_nesting", "bomb", "fifo", "symlink_to_a_good_model"],
)  # fmt: skip
def test_a_hostile_model_file_reads_as_no_model(tmp_path, kind):
    marker, files = _hostile_files(tmp_path)
    files[kind]()
    started = time.monotonic()
    assert load(tmp_path) is None
    assert time.monotonic() - started < 5
    assert not marker.exists()


def test_a_bomb_is_refused_from_its_header_before_anything_is_read(tmp_path):
    """320 MB of zeros deflated to a few hundred KB: refused without inflating them."""
    _, files = _hostile_files(tmp_path)
    files["bomb"]()
    assert (tmp_path / artifacts.MODEL).stat().st_size < 1 << 20
    with pytest.raises(ValueError, match="declare"):
        read_npz(tmp_path / artifacts.MODEL, model_file.MAX_MODEL_BYTES)


@dataclass
class Part:
    """What a new model part may look like: a dataclass of plain values and estimators."""

    threshold: float
    per_folder: dict
    centres: np.ndarray
    shared: object = None


def test_the_format_keeps_plain_values_their_types_and_shared_objects(tmp_path):
    inner = Part(0.5, {}, np.zeros(3, np.float32))
    value = Part(
        float("nan"),
        {"a": (1, np.float64(2.5), np.int64(3)), 7: [None, True, "x", np.str_("y")],
         -1.0: {"inf": float("-inf")}},
        np.arange(6, dtype=np.float16).reshape(2, 3, order="F"),
        shared=[inner, inner],
    )  # fmt: skip
    path = tmp_path / "state.npz"
    save_state(path, value, [Part], {"kind": "test"})
    again = load_state(path, [Part], {"kind": "test"}, 1 << 20)
    assert isinstance(again, Part) and np.isnan(again.threshold)
    assert again.per_folder["a"] == (1, 2.5, 3) and type(again.per_folder["a"][1]) is np.float64
    assert type(again.per_folder["a"][2]) is np.int64
    assert again.per_folder[7] == [None, True, "x", "y"] and again.per_folder[-1.0]["inf"] < 0
    np.testing.assert_array_equal(again.centres, value.centres)
    assert again.centres.dtype == np.float16
    assert again.shared[0] is again.shared[1]  # one object, as saved
    with pytest.raises(StateError, match="written with kind"):
        load_state(path, [Part], {"kind": "other"}, 1 << 20)
    with pytest.raises(StateError, match="is not an allowed class"):
        load_state(path, [], {"kind": "test"}, 1 << 20)


def _open_set() -> OpenSetCalibration:
    return OpenSetCalibration(np.array([3.0, 4.0]), np.array([-1.0, -2.0]), 0.1, 0.97,
                              np.array([-2.0, -3.0]), 1.5, "fitted on 40 views")  # fmt: skip


def test_the_open_set_calibration_comes_back_stating_the_same(tmp_path):
    model = trained()
    model.open_set = _open_set()
    folder = tmp_path
    save(model, folder)
    again = load(folder)
    assert again is not None and isinstance(again.open_set, OpenSetCalibration)
    x = RNG.uniform(size=(7, 2))
    np.testing.assert_array_equal(again.open_set.confidence(x), model.open_set.confidence(x))
    np.testing.assert_array_equal(again.open_set.none_fits(x), model.open_set.none_fits(x))
    assert again.open_set.how == "fitted on 40 views"


@pytest.mark.parametrize(
    "damage",
    [
        {"slopes": np.array([1.0])},  # one number short: would broadcast wrongly
        {"none_weights": np.array([np.nan, 1.0])},
        {"shift": float("inf")},
        {"ceiling": "0.9"},
    ],
)
def test_an_open_set_calibration_that_cannot_state_a_confidence_reads_as_no_model(tmp_path, damage):
    model = trained()
    model.open_set = _open_set()
    for name, value in damage.items():
        setattr(model.open_set, name, value)
    folder = tmp_path
    try:
        save(model, folder)
    except StateError:  # not even writable (a NaN, infinity): nothing to read
        return
    assert load(folder) is None
