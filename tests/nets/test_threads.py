import pytest
import torch

from nets.threads import torch_threads


def test_the_block_runs_with_n_threads_and_the_count_comes_back_even_on_error():
    before = torch.get_num_threads()
    n = 1 if before != 1 else 2
    with pytest.raises(RuntimeError):
        with torch_threads(n):
            assert torch.get_num_threads() == n
            raise RuntimeError("boom")
    assert torch.get_num_threads() == before


def test_zero_keeps_the_count_and_restores_what_the_block_changed():
    before = torch.get_num_threads()
    with torch_threads(0):
        assert torch.get_num_threads() == before
        torch.set_num_threads(1 if before != 1 else 2)
    assert torch.get_num_threads() == before
