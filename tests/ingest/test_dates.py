import pytest

from kg.ingest.dates import parse_date


@pytest.mark.parametrize(
    "text, value, datatype",
    [
        ("August 2017", "2017-08", "gYearMonth"),
        ("December 2016", "2016-12", "gYearMonth"),
        ("6.9.17", "2017-09-06", "date"),
        ("17/08/2017", "2017-08-17", "date"),
        ("1 July 2022", "2022-07-01", "date"),
        ("1st July 2022", "2022-07-01", "date"),
        ("2019-01-07", "2019-01-07", "date"),
        ("2019-01", "2019-01", "gYearMonth"),
        ("published in 2014", "2014", "gYear"),
        ("Sept 2017", "2017-09", "gYearMonth"),
        ("on 17/08/2017 at 18:32", "2017-08-17", "date"),
        ("3/4/19", "2019-04-03", "date"),  # day first, always
    ],
)
def test_dates_are_as_precise_as_written(text, value, datatype):
    found = parse_date(text)
    assert (found.value, found.datatype) == (value, datatype)


@pytest.mark.parametrize("text", ["Various", "", "31/02/2017", "none given"])
def test_no_date_where_there_is_none(text):
    assert parse_date(text) is None
