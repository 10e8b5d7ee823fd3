"""The parsers the command line and the panels share, including the cases their former
copies disagreed on."""
import pytest

from game.core.params import ParamError
from game.core.parsers import parse_channels, parse_target

CLASSES = ["tabby", "tiger cat", "Persian cat", "tiger"]


def search(text):
    return [(i, n) for i, n in enumerate(CLASSES) if text.lower() in n.lower()]


def test_nothing_is_untargeted_and_an_index_is_an_index():
    assert parse_target(None) is None and parse_target("  ") is None
    assert parse_target(" 291 ") == 291 and parse_target("+3", 4) == 3
    assert parse_target("3", 4, search) == 3


@pytest.mark.parametrize("text,count,message", [
    ("-1", None, "0 or more"),
    ("-1", 4, r"0\.\.3"),
    ("4", 4, r"0\.\.3"),          # the panel's copy knew no class count
    ("lion", None, "class index"),
])
def test_bad_indices_are_refused(text, count, message):
    with pytest.raises(ParamError, match=message):
        parse_target(text, count)


def test_a_name_is_one_exact_or_the_only_match():
    assert parse_target("Tiger", 4, search) == 3       # exact beats "tiger cat"
    assert parse_target("persian", 4, search) == 2     # the only match
    with pytest.raises(ParamError, match="matches 2 classes: tiger cat .1., Persian cat .2."):
        parse_target("cat", 4, search)
    with pytest.raises(ParamError, match="--target 'lion': no class has that name"):
        parse_target("lion", 4, search, what="--target")


def test_channels_separated_by_commas_or_spaces():
    assert parse_channels(" 3,4 ") == (3, 4) and parse_channels("") == ()
    assert parse_channels("54, 68 12") == (54, 68, 12)   # the command line took commas only
    assert parse_channels("5", count=6) == (5,)


@pytest.mark.parametrize("text,count,message", [
    ("3, x", None, "'x' is not a whole number"),
    ("a", None, "whole numbers"),
    ("-1", None, "0 or more"),                   # the command line took negative channels
    ("3 9", 6, r"channel 9 is not a channel of this layer \(0\.\.5\)"),
    ("3,3", None, "listed twice"),               # the command line took a channel twice
])
def test_bad_channels_are_refused(text, count, message):
    with pytest.raises(ParamError, match=message):
        parse_channels(text, count)
