"""What a visualisation costs: the per-architecture figure, kept beside the pictures, and
the estimate every status carries before its job starts."""
import json

import pytest

from game.tools.featvis.cost import FILE, FIRST_GUESS_STEP_S, WEIGHT, CostBook
from game.tools.featvis.service import FeatureVisService
from nets.featvis import FeatureVisCache

from tests.game.featvis_fakes import fake_slots

FAST = dict(size=16, steps=24, process=False)


def test_the_first_guess_until_a_job_was_timed_then_the_measured_figure(tmp_path):
    book = CostBook(tmp_path / FILE)
    assert book.estimate("mobilenet_v2", 256) == pytest.approx(FIRST_GUESS_STEP_S * 256)
    book.record("mobilenet_v2", 12.8, 256)                 # 0.05 s a step: replaces the guess
    assert book.estimate("mobilenet_v2", 256) == pytest.approx(12.8)
    assert book.estimate("mobilenet_v2", 128) == pytest.approx(6.4)
    assert book.estimate("efficientnet_lite0", 256) == pytest.approx(FIRST_GUESS_STEP_S * 256)
    book.record("mobilenet_v2", 25.6, 256)                 # one slower job moves it by WEIGHT
    assert book.step_seconds("mobilenet_v2") == pytest.approx(0.05 + WEIGHT * 0.05)


def test_the_figures_are_kept_in_the_cache_folder_and_read_again(tmp_path):
    CostBook(tmp_path / "fv" / FILE).record("resnet50", 30.0, 100)
    data = json.loads((tmp_path / "fv" / FILE).read_text())
    assert data == {"resnet50": {"step_s": pytest.approx(0.3), "jobs": 1}}
    assert CostBook(tmp_path / "fv" / FILE).estimate("resnet50", 10) == pytest.approx(3.0)


@pytest.mark.parametrize("text", ["not json", "[1, 2]", '{"vgg16": {"step_s": "fast"}}'])
def test_an_unreadable_file_counts_as_empty(tmp_path, text):
    (tmp_path / FILE).write_text(text)
    book = CostBook(tmp_path / FILE)
    assert book.step_seconds("vgg16") == FIRST_GUESS_STEP_S
    book.record("vgg16", 1.0, 10)
    assert json.loads((tmp_path / FILE).read_text())["vgg16"]["jobs"] == 1


def test_a_status_says_the_estimate_before_the_job_and_the_measured_one_after(tmp_path):
    service = FeatureVisService(fake_slots(), FeatureVisCache(tmp_path / "featvis"), **FAST)
    try:
        before = service.class_status("mobilenet_v2", 0, 1)
        assert before.state == "missing" and before.steps == 24
        assert before.estimate == pytest.approx(FIRST_GUESS_STEP_S * 24)
        service.request_class("mobilenet_v2", 0, 1)
        assert service.wait(30)
        assert service.class_status("mobilenet_v2", 0, 1).state == "done"
        after = service.class_status("mobilenet_v2", 0, 2)    # the next one: what this one took
        assert after.estimate == pytest.approx(service.timings[-1])
        assert service.arch(service._key("mobilenet_v2", 0, "logit", 2)) == "mobilenet_v2"
        saved = json.loads((tmp_path / "featvis" / FILE).read_text())
        assert saved["mobilenet_v2"]["jobs"] == 1
    finally:
        service.destroy()


def test_the_figures_follow_the_cache(tmp_path):
    """Swapping the cache (tests, the CLI's --cache) moves where the figures go."""
    service = FeatureVisService(fake_slots(), FeatureVisCache(tmp_path / "a"), **FAST)
    try:
        assert service.costs.path == tmp_path / "a" / FILE
        service.cache = FeatureVisCache(tmp_path / "b")
        assert service.costs.path == tmp_path / "b" / FILE
    finally:
        service.destroy()
