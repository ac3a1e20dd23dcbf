"""A kind of video with no folder is an answer: it is never stated at 80% or more, it is
marked new_kind, before and after refits, and a refit is never surer than a retrain on the
same folders. Real retrains on generated clips and on ../shared/realclips, and the open-set
calibration itself on vectors whose kinds are known."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from pipeline.model.open_set import Graph, calibrate, evidence, spread
from pipeline.model.predict import _prediction, judge
from pipeline.model.refit import refit
from pipeline.model.temperature import THRESHOLD
from pipeline.model.trained_model import TrainedModel, load
from pipeline.similarity.neighbours import centred, nearest
from pipeline.video_refs import library_videos
from tests.conftest import realclips_dir
from vidsort_tui.core.config import Settings
from vidsort_tui.core.library import Library
from vidsort_tui.core.predictions import PredictionStore
from vidsort_tui.core.similarity_store import load_similarity
from vidsort_tui.services import retrain


def _graph(x: np.ndarray) -> Graph:
    ids = [f"v{i:04d}" for i in range(len(x))]
    return Graph(ids, nearest(centred(x), 32, 0.1), 0.1)


def _kinds(seed: int, kinds: int, each: int, dim: int = 48) -> tuple[np.ndarray, np.ndarray]:
    """``each`` vectors of each of ``kinds`` kinds (a kind: a direction plus noise)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 1, (kinds, dim))
    kind = np.repeat(np.arange(kinds), each)
    return centres[kind] + rng.normal(0, 0.8, (len(kind), dim)), kind


def _judge(graph: Graph, labelled: dict[str, str], classes: list[str], names: list[str]):
    """(confidence, none, predicted folder) of ``names`` as the pipeline judges them, the
    folder predicted by the spread (a stand-in for the classifier)."""
    found = calibrate(graph, labelled, classes)
    assert found is not None
    calibration = found[0]
    index = {c: i for i, c in enumerate(classes)}
    seeds = np.array([graph.position[v] for v in labelled])
    labels = np.array([index[f] for f in labelled.values()])
    label_at = np.full(len(graph.ids), -1)
    label_at[seeds] = labels
    reached = spread(graph, seeds, labels, len(classes))
    where = np.array([graph.position[n] for n in names])
    predicted = reached[where, : len(classes)].argmax(1)
    x = evidence(graph, reached, label_at, where, predicted)
    return calibration.confidence(x), calibration.none_fits(x), np.array(classes)[predicted]


def test_a_kind_with_no_folder_is_never_confident_and_the_known_ones_are():
    x, kind = _kinds(0, 5, 30)
    graph = _graph(x)
    classes = ["a", "b", "c", "d"]  # kind 4 has no folder
    filed = [i for i in range(len(kind)) if kind[i] < 4 and i % 30 < 12]
    labelled = {graph.ids[i]: classes[kind[i]] for i in filed}
    unsorted = [i for i in range(len(kind)) if i not in set(filed)]
    names = [graph.ids[i] for i in unsorted]
    confidence, none, predicted = _judge(graph, labelled, classes, names)
    new = kind[unsorted] == 4
    assert (confidence[new] < THRESHOLD).all()
    assert (none[new] >= 0.5).mean() >= 0.9  # no folder fits: likelier than any folder
    sure = ~new & (confidence >= THRESHOLD)
    assert sure.mean() >= 0.5 * (~new).mean()  # most known ones are confident...
    assert (predicted[sure] == np.array(classes)[kind[unsorted][sure]]).all()  # ...and right


def test_a_small_library_cannot_vouch_for_80_percent():
    """Two folders of four: too few held-out predictions to show that 80% means 95% right,
    so nothing is stated at 80% or more, however alike a video is to a folder."""
    x, kind = _kinds(1, 3, 8)
    graph = _graph(x)
    classes = ["a", "b"]
    filed = [i for i in range(len(kind)) if kind[i] < 2 and i % 8 < 4]
    labelled = {graph.ids[i]: classes[kind[i]] for i in filed}
    names = [graph.ids[i] for i in range(len(kind)) if i not in set(filed)]
    confidence, _, _ = _judge(graph, labelled, classes, names)
    assert (confidence < THRESHOLD).all()
    calibration = calibrate(graph, labelled, classes)[0]
    assert calibration.ceiling < THRESHOLD and "never 80%" in calibration.how


def test_the_neighbours_bring_a_folder_the_classifier_ranked_fourth_into_the_top_3():
    """A classifier's third choice is often a guess; a video's filed look-alikes know better.
    Every unsorted video's own folder is the classifier's fourth choice here: judged without
    the library's graph it is never in the top 3, judged in it nearly always; the first
    folder stays the classifier's choice."""
    x, kind = _kinds(2, 5, 24)
    graph = _graph(x)
    classes = ["a", "b", "c", "d", "e"]
    filed = [i for i in range(len(kind)) if i % 24 < 12]
    labelled = {graph.ids[i]: classes[kind[i]] for i in filed}
    unsorted = [i for i in range(len(kind)) if i % 24 >= 12]
    names = [graph.ids[i] for i in unsorted]
    probabilities = np.zeros((len(names), len(classes)))
    for row, i in enumerate(unsorted):  # the others first, in a fixed order; its own fourth
        others = [c for c in range(len(classes)) if c != kind[i]]
        probabilities[row, others] = [0.35, 0.3, 0.2, 0.05]
        probabilities[row, kind[i]] = 0.1
    found = calibrate(graph, labelled, classes)
    assert found is not None
    model = TrainedModel(None, classes, None, "test", open_set=found[0])  # type: ignore[arg-type]

    def in_top_3(graph: Graph | None) -> float:
        judged = judge(model, names, probabilities, graph, labelled)
        first = [classes[int(j)] for j in probabilities.argmax(1)]
        assert [judged[n].predicted_folder for n in names] == first
        return float(np.mean([classes[kind[i]] in [f for f, _ in judged[n].top_predictions]
                              for i, n in zip(unsorted, names, strict=True)]))  # fmt: skip

    assert in_top_3(None) == 0.0
    assert in_top_3(graph) >= 0.9


def test_folders_tied_below_the_top_one_keep_the_classifiers_order():
    """Shares capped at the top folder's tie; the tie keeps the classifier's ranking, not the
    folders' alphabetical order (which put a likelier folder fourth)."""
    row = np.array([0.01, 0.3, 0.3, 0.39])
    p = _prediction(["a", "b", "c", "d"], row, 0, 0.05, 0.5)
    assert [f for f, _ in p.top_predictions] == ["a", "d", "b"]
    assert p.top_predictions[1][1] == p.top_predictions[2][1] == 0.05


def test_the_top_folder_stays_on_top_and_the_chances_add_up():
    row = np.array([0.05, 0.9, 0.05])
    p = _prediction(["a", "b", "c"], row, 1, 0.3, 0.6)  # most likely: no folder fits
    assert p.predicted_folder == "b" and p.confidence == 0.3 and p.new_kind
    assert p.top_predictions[0] == ("b", 0.3) and len(p.top_predictions) == 3
    assert sum(c for _, c in p.top_predictions) <= 1.0 - 0.6 + 1e-9
    q = _prediction(["a", "b"], np.array([0.5, 0.5]), 0, 0.2, 0.0)  # the rest: the other one
    assert q.top_predictions == (("a", 0.2), ("b", 0.2)) and not q.new_kind


@pytest.fixture
def hidden_scene(library_factory, clip_factory):
    """Folders sea, forest, fire, desert (8 clips each); the root: 3 more of each, and 8 of
    snow, which has no folder."""
    settings = library_factory({"sea": 8, "forest": 8, "fire": 8, "desert": 8})
    truth = {}
    for k, scene in enumerate(["sea", "forest", "fire", "desert"] * 3 + ["snow"] * 8):
        name = f"75{k:014d}.mp4"
        shutil.copyfile(clip_factory(scene, seed=500 + k), settings.data_dir / name)
        truth[name] = scene
    return settings, truth


def _predictions(settings: Settings) -> dict:
    return json.loads((settings.artifacts_dir / "predictions.json").read_text())


def _check_hidden(settings: Settings, truth: dict[str, str]) -> None:
    predictions = _predictions(settings)
    for name in Library(settings).unsorted():
        entry = predictions[name]
        if truth[name] == "snow":
            assert entry["new_kind"] is True and entry["confidence"] < THRESHOLD, (name, entry)
        elif entry["confidence"] >= THRESHOLD:
            assert entry["predicted_folder"] == truth[name] and not entry["new_kind"], entry


def test_a_hidden_kind_is_new_and_never_green_after_the_retrain_and_after_refits(hidden_scene):
    settings, truth = hidden_scene
    result = retrain.run(settings)
    assert result.ok, result.last_result
    _check_hidden(settings, truth)
    known = [n for n in Library(settings).unsorted() if truth[n] != "snow"]
    assert any(_predictions(settings)[n]["confidence"] >= THRESHOLD for n in known)
    metrics = json.loads((settings.artifacts_dir / "metrics.json").read_text())
    assert metrics["new_kind_below_0_8"] >= 0.9 and "open set" in metrics["calibration"]
    # The snow clips are offered as a new folder, in groups of their own.
    offered = [g for g in load_similarity(settings).groups if g.new_kind]
    assert sum(len(g.videos) for g in offered) >= 5
    assert all(truth[n] == "snow" and g.suggested_folder is None for g in offered for n in g.videos)
    library = Library(settings)
    for round_ in range(2):  # sorts, each time followed by a refit as the learning loop does
        for name in known[round_ * 4 : round_ * 4 + 4]:
            library.sort(name, truth[name])
        assert refit(settings, library_videos(settings)) is not None
        _check_hidden(settings, truth)
    assert load(settings.artifacts_dir).open_set is not None


@pytest.mark.parametrize("seed", range(3))
def test_a_refit_is_never_surer_than_a_retrain_on_the_same_folders(hidden_scene, seed):
    """Sorts, then a refit (warm-started on few new examples: where "52% then 99.9%" came
    from), then a full retrain on exactly the same folders: no unsorted video may be stated
    more confident after the refit than after the retrain, beyond a small margin."""
    settings, truth = hidden_scene
    assert retrain.run(settings).ok
    library = Library(settings)
    rng = np.random.default_rng(seed)
    known = [n for n in library.unsorted() if truth[n] != "snow"]
    for name in rng.permutation(known)[: 3 + 3 * seed]:
        library.sort(str(name), truth[str(name)])
    assert refit(settings, library_videos(settings)) is not None
    after_refit = PredictionStore(settings.artifacts_dir).snapshot()
    assert retrain.run(settings).ok
    after_retrain = _predictions(settings)
    assert set(after_refit) == set(after_retrain)
    for name, refitted in after_refit.items():
        assert refitted.confidence <= after_retrain[name]["confidence"] + 0.05, name


def test_a_real_kind_without_a_folder_is_never_green(tmp_path):
    """../shared/realclips with its animals in the root (and a third of each other folder):
    no animal is stated at 80% or more, before and after a refit, and most are marked
    new_kind. (20 clips are too few to vouch for 80% at all, or for every new-kind mark:
    the generated library above holds the stricter version.)"""
    source = realclips_dir()
    data, truth = tmp_path / "videos", {}
    for k, clip in enumerate(sorted(source.glob("*/*.mp4"))):
        name, folder = f"{7_900_000_000_000_000 + k}.mp4", clip.parent.name
        unsorted = folder == "animals" or k % 3 == 0
        (data if unsorted else data / folder).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(clip, (data if unsorted else data / folder) / name)
        truth[name] = folder
    settings = Settings.load({"data_dir": data, "artifacts_dir": tmp_path / "a",
                              "model": {"auto_train": False}}, environ={})  # fmt: skip
    assert retrain.run(settings).ok

    def check() -> None:
        predictions = _predictions(settings)
        for name in Library(settings).unsorted():
            assert predictions[name]["confidence"] < THRESHOLD
        marks = [predictions[n]["new_kind"] for n in truth if truth[n] == "animals"]
        assert sum(marks) >= 2 / 3 * len(marks), predictions

    check()
    known = [n for n in Library(settings).unsorted() if truth[n] != "animals"]
    Library(settings).sort(known[0], truth[known[0]])
    assert refit(settings, library_videos(settings)) is not None
    check()
