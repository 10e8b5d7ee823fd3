from game.core.stages import IG_LOOP, Stage


def test_the_table_is_in_frame_order_around_the_render():
    assert list(Stage) == sorted(Stage), "stages are listed in the order they run"
    assert len({s.value for s in Stage}) == len(Stage), "no two stages tie"
    assert Stage.KIOSK == min(Stage) and Stage.KIOSK_LATE == max(Stage)
    assert Stage.MODELS < Stage.EDIT < Stage.ARM < IG_LOOP < Stage.CAPTURE < Stage.INFER
    assert all(Stage.INFER < s < Stage.KIOSK_LATE
               for s in (Stage.ATTACK, Stage.FEATVIS, Stage.SENSITIVITY, Stage.SWEEP))
