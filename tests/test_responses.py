"""Tests of survey.responses: the Responses container and its subset."""

from __future__ import annotations

import numpy as np
import pandas as pd

from survey.responses import INVALID_CELL_COLUMNS, ColumnMapping, Responses


def make_responses() -> Responses:
    ids = pd.Index(["7", "3", "5"], name="respondent_id")
    return Responses(
        answers=pd.DataFrame({"D01": [1.0, np.nan, 5.0], "D02": [2.0, 3.0, 4.0]}, index=ids),
        community=pd.Series(["甲", np.nan, "乙"], index=ids, dtype=object, name="community"),
        meta=pd.DataFrame({"row": [2, 3, 4], "duration_seconds": [90.0, 30.0, np.nan]}, index=ids),
        invalid_cells=pd.DataFrame(
            [("3", 3, "Q1", "D01", "7", "off the 1..5 scale")], columns=list(INVALID_CELL_COLUMNS)
        ),
        dropped_columns=["来自IP"],
        mapping=ColumnMapping("codes", {"Q1": "D01", "Q2": "D02"}, community_column="社区"),
        source="s.csv",
    )


def test_subset_keeps_file_order_and_filters_every_table():
    responses = make_responses()
    assert len(responses) == 3
    assert responses.respondent_ids.tolist() == ["7", "3", "5"]
    part = responses.subset(["5", "7"])  # asked out of order: file order is kept
    assert part.respondent_ids.tolist() == ["7", "5"]
    assert part.community.tolist() == ["甲", "乙"]
    assert part.meta["row"].tolist() == [2, 4]
    assert part.invalid_cells.empty and len(responses.invalid_cells) == 1
    assert part.dropped_columns == ["来自IP"] and part.mapping is responses.mapping
    assert part.source == "s.csv" and part.reversed_items == ()
    with_bad = responses.subset(pd.Index(["3"]))
    assert with_bad.invalid_cells["respondent_id"].tolist() == ["3"]
    assert len(responses.subset([])) == 0
