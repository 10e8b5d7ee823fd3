"""The typed command-line values refuse nonsense with one clear message."""
import argparse

import pytest

from game.cli import values


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "abc", "-1", "11"])
def test_number_refuses_non_finite_and_out_of_range(text):
    with pytest.raises(argparse.ArgumentTypeError):
        values.number(0, 10)(text)


def test_number_accepts_the_range_and_strict_lower_bounds():
    assert values.number(0, 10)("2.5") == 2.5
    with pytest.raises(argparse.ArgumentTypeError, match="> 0"):
        values.number(above=0)("0")


@pytest.mark.parametrize("text", ["-3", "1.5", "x", "1001"])
def test_count_refuses_negative_fractional_and_too_large(text):
    with pytest.raises(argparse.ArgumentTypeError):
        values.count(0, 1000)(text)


@pytest.mark.parametrize("text", ["../../x", "a/b", "..", "", ".hidden", "x" * 200])
def test_name_is_never_a_path(text):
    with pytest.raises(argparse.ArgumentTypeError):
        values.name(text)


def test_iterations_are_sorted_unique_and_positive():
    assert values.iterations("300, 100,100") == (100, 300)
    for bad in ("0", "-5", "1e3", "x"):
        with pytest.raises(argparse.ArgumentTypeError):
            values.iterations(bad)


def test_counts_are_sorted_unique_and_in_range():
    assert values.counts(1, 100)("50, 10,10,") == [10, 50]
    for bad in (",", "0", "101", "1.5"):
        with pytest.raises(argparse.ArgumentTypeError):
            values.counts(1, 100)(bad)


def test_a_parser_exits_2_with_one_line(capsys):
    p = argparse.ArgumentParser(prog="perturber train")
    p.add_argument("--eps", type=values.number(0, 16))
    with pytest.raises(SystemExit) as e:
        p.parse_args(["--eps", "nan"])
    assert e.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == "perturber train: error: argument --eps: 'nan' is not a finite number"


def test_existing_file_and_folder(tmp_path):
    (tmp_path / "f").write_text("x")
    assert values.existing_file(str(tmp_path / "f")) == tmp_path / "f"
    with pytest.raises(argparse.ArgumentTypeError, match="not a regular file"):
        values.existing_file(str(tmp_path))
    with pytest.raises(argparse.ArgumentTypeError, match="no such folder"):
        values.existing_dir(str(tmp_path / "nope"))
