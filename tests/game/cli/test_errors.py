"""One error handler for every subcommand: the project's errors are one line and status 2,
anything else a line saying where to report it (the traceback only with --debug), status 1."""
import pytest

from game.cli import main as cli
from game.core.params import ParamError
from game.tools.recording.format import RecordingError
from models3d.mesh import AssetError
from nets.attacks import AttackError
from nets.download import DownloadError
from nets.editing import EditError
from nets.loading import ModelLoadError


def failing(monkeypatch, exc):
    def cmd_render(_args):
        raise exc
    monkeypatch.setattr(cli, "cmd_render", cmd_render)


@pytest.mark.parametrize("error", [ParamError, AssetError, RecordingError, ModelLoadError,
                                   AttackError, EditError, DownloadError])
def test_the_projects_errors_are_one_line_and_status_2(monkeypatch, capsys, error):
    failing(monkeypatch, error("--thing 3: choose 0..2"))
    assert cli.main(["render", "--out", "x.png"]) == 2
    assert capsys.readouterr().err == "perturber: error: --thing 3: choose 0..2\n"


def test_an_unexpected_error_says_where_to_report_it_and_hides_the_traceback(monkeypatch, capsys):
    failing(monkeypatch, ZeroDivisionError("division by zero"))
    assert cli.main(["render", "--out", "x.png"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "ZeroDivisionError: division by zero" in err
    assert "report it" in err and "--debug" in err and "Traceback" not in err


@pytest.mark.parametrize("argv", [["--debug", "render", "--out", "x.png"],
                                  ["render", "--out", "x.png", "--debug"]])
def test_debug_adds_the_traceback(monkeypatch, capsys, argv):
    failing(monkeypatch, ZeroDivisionError("division by zero"))
    assert cli.main(argv) == 1
    err = capsys.readouterr().err
    assert "report it" in err.splitlines()[0]
    assert "Traceback (most recent call last)" in err and "in cmd_render" in err


def test_a_bad_option_of_a_subcommand_is_reported_by_the_handler(capsys):
    assert cli.main(["attack", "--model", "no_such_model"]) == 2
    assert capsys.readouterr().err == ("perturber: error: unknown model 'no_such_model'; "
                                       "`perturber models` lists them\n")
