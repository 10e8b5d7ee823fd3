"""Heat maps and tuning curves from hand-made results: shapes and exact pixels."""
import numpy as np
from PIL import Image

from game.batch.sweep.grid import Axis
from game.batch.sweep.plots import (DARK, DISTINCT, MISSING, Palette, cell_alpha, class_colour,
                                    heatmap_image, heatmap_labels, heatmap_legend,
                                    legend_palette, save_figures, tuning_image)
from tests.game.batch.sweep.fakes import SPEC, grid_2x3, result


def expected_cell(top1: int, prob: float) -> np.ndarray:
    a = cell_alpha(prob)
    return np.rint(DARK * (1 - a) + np.array(class_colour(top1), float) * a).astype(np.uint8)


def test_class_colours_are_stable_and_distinct():
    assert class_colour(281) == class_colour(281)
    assert len({class_colour(i) for i in range(1000)}) > 900


def test_a_palette_gives_the_classes_shown_distinct_colours_that_stay():
    palette = Palette()
    assert palette(281) == DISTINCT[0] and palette(5) == DISTINCT[1]
    assert palette(281) == DISTINCT[0]                        # kept, asked again
    assert len(set(DISTINCT)) == len(DISTINCT)
    for k in range(100):
        palette(1000 + k)
    assert palette(5) == DISTINCT[1]                          # never changes once given
    assert palette(1099) == class_colour(1099)                # beyond the distinct ones
    assert Palette(first=[7, 3])(3) == DISTINCT[1]
    # distinct enough to tell apart: no two closer than 60 (sum of |dRGB|)
    assert min(sum(abs(a - b) for a, b in zip(c1, c2))
               for i, c1 in enumerate(DISTINCT) for c2 in DISTINCT[i + 1:]) >= 60


def test_heatmap_with_a_palette_labels_and_legend_agree():
    axes, results, _ = grid_2x3()
    palette = legend_palette(results, SPEC)                   # most frequent first
    img = heatmap_image(results, axes, SPEC, cell=5, colours=palette)
    legend = heatmap_legend(results, SPEC, palette)
    assert [rgb for _, rgb, _ in legend] == [DISTINCT[0], DISTINCT[1]]
    a = cell_alpha(0.25)                                      # point 0: class 0, p 0.25
    want = np.rint(DARK * (1 - a) + np.array(DISTINCT[0], float) * a).astype(np.uint8)
    assert (img[:5, :5] == want).all()
    labels = heatmap_labels([r for r in results if r.index != 4], axes, SPEC)
    assert labels == [["class 0", "class 1", "class 0"], ["class 1", "", "class 1"]]


def test_heatmap_grid_colours_and_missing_points():
    axes, results, _ = grid_2x3()
    partial = [r for r in results if r.index != 4]            # a point still missing
    img = heatmap_image(partial, axes, SPEC, cell=5)
    assert img.shape == (2 * 5, 3 * 5, 3) and img.dtype == np.uint8
    for r in partial:
        i, j = divmod(r.index, 3)
        cell = img[i * 5:(i + 1) * 5, j * 5:(j + 1) * 5]
        assert (cell == expected_cell(r.index % 2, 0.25 + 0.1 * r.index)).all()
    assert (img[5:10, 5:10] == MISSING).all()
    # the short name works as well as the spec; an unknown model is all grey
    assert np.array_equal(heatmap_image(partial, axes, "conv", cell=5), img)
    assert (heatmap_image(partial, axes, "other", cell=2) == MISSING).all()


def test_heatmap_of_one_axis_is_one_row():
    axes = [Axis("yaw", 0, 30, 4)]
    results = [result(k, {"yaw": 10.0 * k}, 7, 1.0) for k in range(4)]
    img = heatmap_image(results, axes, SPEC, cell=3)
    assert img.shape == (3, 12, 3)
    assert (img == np.array(class_colour(7), np.uint8)).all()   # probability 1: pure colour


def test_legend_counts_top1_classes():
    axes, results, _ = grid_2x3()
    assert heatmap_legend(results, SPEC) == [("class 0", class_colour(0), 3),
                                             ("class 1", class_colour(1), 3)]
    assert heatmap_legend(results[:1], "conv") == [("class 0", class_colour(0), 1)]


def test_tuning_image_shape_weights_and_inversion():
    axes, results, _ = grid_2x3(thumb=4)
    img = tuning_image(results, axes, SPEC, channel=0)
    assert img.shape == (2 * 4, 3 * 4, 3) and img.dtype == np.uint8
    cell = lambda k: img[(k // 3) * 4:(k // 3 + 1) * 4, (k % 3) * 4:(k % 3 + 1) * 4]
    # responses 2, -1, 0, 4, -4, 1; max |response| 4; thumbnails flat 10, 60, ..., 250
    assert (cell(0)[1:, 1:] == 5).all()                      # 10 * 0.5
    assert (cell(1)[1:, 1:] == 49).all()                     # (255 - 60) * 0.25, inverted
    assert (cell(1)[0, 0] == (0, 64, 39)).all()              # (0, 255, 155) * 0.25
    assert (cell(2) == 0).all()                              # no response: black
    assert (cell(3)[1:, 1:] == 160).all() and (cell(3)[0, 0] == (255, 0, 100)).all()
    assert (cell(4)[1:, 1:] == 45).all() and (cell(4)[0, 0] == (0, 255, 155)).all()
    assert (cell(5)[1:, 1:] == 62).all()                     # 250 * 0.25 = 62.5 -> 62
    # the second channel responds with the opposite sign: the inverted picture
    other = tuning_image(results, axes, SPEC, channel=1)
    assert (other[4:, 0:4][1:, 1:] == 95).all()              # index 3: (255 - 160) * 1


def test_tuning_image_thumb_size_and_missing_points():
    axes, results, _ = grid_2x3(thumb=4)
    img = tuning_image(results[:5], axes, "conv", channel=0, thumb=8)
    assert img.shape == (16, 24, 3)
    assert (img[8:, 16:] == MISSING).all()
    assert (img[8:16, 8:16][4:, 4:] == 45).all()             # resized flat thumbnail


def test_save_figures_writes_labelled_pngs(tmp_path):
    axes, results, job = grid_2x3(thumb=4)
    paths = save_figures(tmp_path, results, axes, job)
    assert [p.name for p in paths] == ["heatmap-conv.png", "tuning-conv-c0-ch3.png",
                                       "tuning-conv-c0-ch5.png"]
    heat = np.asarray(Image.open(paths[0]))
    tune = np.asarray(Image.open(paths[1]))
    assert heat.shape[0] > 2 * 32 and heat.shape[2] == 3
    assert tune.shape[0] > 2 * 4 and (tune == 255).mean() > 0.5   # white margins with text
