"""Recording, replay and export of interaction sessions.

* :mod:`game.tools.recording.format`: the line-per-event JSON file (reading, writing, digests).
* :mod:`game.tools.recording.recorder`: the tool that records a running app.
* :mod:`game.tools.recording.replay`: plays a recording back into an app; headless replay
  verifies every recorded frame digest.
* :mod:`game.tools.recording.export`: a recording to a video of the window, or to CSV.

Nothing here but ``recorder``, ``replay`` and ``export`` touches Panda3D.
"""
