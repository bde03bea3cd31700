"""The ``shanzhi`` command: evaluate a study, write templates, run the demo (:mod:`cli.main`)."""
