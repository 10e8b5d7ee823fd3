from game.core.signals import Signal


def test_callbacks_hear_emits_in_connection_order_until_disconnected():
    signal, heard = Signal(), []
    first = signal.connect(lambda x: heard.append(("a", x)))
    signal.connect(lambda x: heard.append(("b", x)))
    signal.emit(1)
    first()
    signal.emit(2)
    assert heard == [("a", 1), ("b", 1), ("b", 2)]


def test_a_callback_may_disconnect_while_the_signal_emits():
    signal, heard = Signal(), []

    def once(x):
        heard.append(x)
        signal.disconnect(once)

    signal.connect(once)
    signal.connect(heard.append)
    signal.emit(1)
    signal.emit(2)
    assert heard == [1, 1, 2]


def test_blocked_only_inside_the_block():
    signal, heard = Signal(), []
    signal.connect(heard.append)
    with signal.blocked(heard.append):
        signal.emit(1)
    signal.emit(2)
    assert heard == [2]
