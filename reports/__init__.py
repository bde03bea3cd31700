"""What a study produces for its readers: the Excel report, the charts (with a CJK font), and the
standard output set shared by the CLI and the app (:mod:`reports.outputs`)."""
