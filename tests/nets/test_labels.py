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


def test_a_classifier_declares_its_class_names_and_any_other_module_has_imagenets():
    import torch

    from nets.classifier import Classifier

    own = Classifier("own", torch.nn.Identity(), (0,) * 3, (1,) * 3, (), labels=("cat", "dog"))
    assert labels.class_names(own) is own.classes and len(own.classes) == 2
    assert own.label(1) == "dog" and own.classes.search("D") == [(1, "dog")]
    with pytest.raises(IndexError):
        own.label(2)
    plain = labels.class_names(torch.nn.Identity())
    assert plain is labels.IMAGENET and len(plain) == 1000 and plain.label(281) == "tabby"
    assert plain.search("fire engine") == labels.search("fire engine")
