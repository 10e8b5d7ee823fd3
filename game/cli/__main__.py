"""``python -m game.cli``: the ``perturber`` command."""
import sys

from game.cli.main import main

sys.exit(main())
