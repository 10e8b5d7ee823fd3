"""A short soak on the real app: random mouse and pad input, a report."""
from game.cli import build_parser
from game.soak import format_report, soak


def test_short_soak_reports_frames_percentiles_and_memory(app):
    report = soak(app, 0.05, seed=3, sample_s=1.0)
    assert report["crashes"] == 0, report["crash_details"]
    assert report["frames"] > 5
    assert 0 < report["frame_ms"]["p50"] <= report["frame_ms"]["p99"]
    assert len(report["samples"]) >= 2 and report["rss_mb"]["end"] > 0
    text = format_report(report)
    assert "p50" in text and "RSS" in text
    assert app.tools["gamepad"].pads == []  # the soak pad was unplugged


def test_soak_command_options():
    args = build_parser().parse_args(["soak", "--minutes", "0.5", "--kiosk", "--json"])
    assert args.command == "soak" and args.minutes == 0.5 and args.kiosk and args.json
    assert build_parser().parse_args(["--kiosk"]).kiosk
