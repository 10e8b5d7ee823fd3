"""``torch_threads(n)``: a block run with ``n`` torch intra-op threads, the count restored after."""
from contextlib import contextmanager

import torch


@contextmanager
def torch_threads(n: int):
    """Run the block with ``n`` intra-op threads (0: as they are), then put the count back."""
    previous = torch.get_num_threads()
    if n > 0 and n != previous:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        if torch.get_num_threads() != previous:
            torch.set_num_threads(previous)
