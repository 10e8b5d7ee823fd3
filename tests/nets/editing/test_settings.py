"""The edit_weights string: parsing, validation with clear messages, canonical format."""
import pytest

from nets.editing import EditError, EditSettings, format_edits, parse_edits, read_edits

NAMES = ["conv_first", "block1", "block2", "block3", "classifier"]


def test_parse_both_modes_in_one_string():
    s = parse_edits(" block3=0.5 , block1=1, block3=0.1:0.9,classifier=0:0.25,")
    assert s.mix == {"block3": 0.5, "block1": 1.0}
    assert s.prune == {"block3": (0.1, 0.9), "classifier": (0.0, 0.25)}
    assert s.of("mix") is s.mix and s.of("prune") is s.prune
    assert parse_edits("") == parse_edits("  ") == EditSettings()


@pytest.mark.parametrize("text, words", [
    ("blok3=0.5", ["'blok3=0.5'", "unknown block 'blok3'", "did you mean block3"]),
    ("block3=1.5", ["'block3=1.5'", "outside [0, 1]"]),
    ("block3=-0.1:0.5", ["'block3=-0.1:0.5'", "outside [0, 1]"]),
    ("block3=0.9:0.1", ["'block3=0.9:0.1'", "low end 0.9 is above its high end 0.1"]),
    ("block3=abc", ["'block3=abc'", "'abc' is not a number"]),
    ("block3=nan", ["'block3=nan'", "outside"]),
    ("block3", ["'block3'", "BLOCK=ALPHA or BLOCK=LOW:HIGH"]),
    ("block3=0.1=2", ["'block3=0.1=2'"]),
    ("=0.5", ["no block name"]),
    ("block3=0.5,block3=0.7", ["'block3=0.7'", "second mix factor"]),
    ("block3=0:0.5,block3=0.2:1", ["'block3=0.2:1'", "second prune range"]),
])
def test_bad_items_are_named_in_the_error(text, words):
    with pytest.raises(EditError) as err:
        parse_edits(text, NAMES)
    assert isinstance(err.value, ValueError)
    for w in words:
        assert w in str(err.value)


def test_unknown_blocks_pass_without_names_and_are_listed():
    s = parse_edits("stem=0.5,block1=0:0.5")
    assert s.unknown(NAMES) == ["stem"]
    assert s.only(NAMES) == EditSettings({}, {"block1": (0.0, 0.5)})


def test_format_is_canonical_and_round_trips():
    s = parse_edits("block3=0.1:0.9,classifier=1,block1=0.25,conv_first=0.333333")
    text = format_edits(s, NAMES)
    assert text == "conv_first=0.3333,block1=0.25,classifier=1,block3=0.1:0.9"
    assert parse_edits(text, NAMES) == s
    assert format_edits(EditSettings()) == ""


def test_defaults_drop_out():
    s = EditSettings().with_mix("block1", 0.5).with_prune("block2", 0.2, 0.8)
    assert format_edits(s, NAMES) == "block1=0.5,block2=0.2:0.8"
    s = s.with_mix("block1", 0).with_prune("block2", 0, 1)
    assert format_edits(s, NAMES) == "" and s == EditSettings()
    with pytest.raises(EditError, match="above"):
        s.with_prune("block2", 0.8, 0.2)


def test_clearing_one_mode_keeps_the_other():
    s = parse_edits("block1=0.5,block2=0.2:0.8")
    assert format_edits(s.cleared("mix")) == "block2=0.2:0.8"
    assert format_edits(s.cleared("prune")) == "block1=0.5"
    with pytest.raises(EditError, match="choose one of mix, prune"):
        s.of("blend")


def test_tolerated_unknown_blocks_pass_and_others_are_named():
    assert parse_edits("stem=0.5,block1=1", NAMES, tolerate=["stem"]).mix == {"stem": 0.5,
                                                                                "block1": 1.0}
    with pytest.raises(EditError, match="'head=1'"):
        parse_edits("stem=0.5,head=1", NAMES, tolerate=["stem"])


def test_read_edits_is_lenient_for_showing():
    assert read_edits("block3=0.5") == parse_edits("block3=0.5")
    assert read_edits("block1=oops") == read_edits("") == EditSettings()
