import pytest

from nets import labels


def test_thousand_distinct_names():
    names = labels.names()
    assert len(names) == 1000
    assert all(isinstance(n, str) and n for n in names)


def test_known_labels():
    assert labels.label(281) == "tabby"
    assert labels.label(0) == "tench"
    assert labels.label(555) == "fire engine"


def test_label_out_of_range():
    with pytest.raises(IndexError):
        labels.label(1000)
    with pytest.raises(IndexError):
        labels.label(-1)


def test_search_is_case_insensitive_substring():
    hits = labels.search("Fire")
    assert (555, "fire engine") in hits
    assert all("fire" in name.lower() for _, name in hits)
    assert labels.search("no such class at all") == []
