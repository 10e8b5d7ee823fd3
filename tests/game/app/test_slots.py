"""What the model slots' menus are given (the slots themselves: test_root_models.py)."""
from game.app.slots import registry_choices
from nets import registry


def test_each_choice_says_how_robust_its_model_measured():
    choices = {c.name: c for c in registry_choices()}
    assert choices.keys() == set(registry.names())
    for entry in registry.entries():
        assert choices[entry.name].title == entry.title  # short enough for the menu
        assert choices[entry.name].note == entry.robustness
    assert "% robust" in choices["mobilenet_v2_adv"].note and "% robust" in choices["mobilenet_v2"].note
