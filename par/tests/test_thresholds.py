from decimal import Decimal

import pytest

from par.thresholds import format_points, points_for, thresholds_describe, thresholds_errors, thresholds_parse

D = Decimal


def test_thresholds_read_the_way_a_grader_writes_them():
    assert thresholds_parse("100: 1; 80: 0,5") == [(D(100), D(1)), (D(80), D("0.5"))]
    assert thresholds_parse("100%: 1\n80%: 0.5;") == [(D(100), D(1)), (D(80), D("0.5"))]
    assert thresholds_parse("1.000: 0,25") == [(D(1000), D("0.25"))]
    assert thresholds_parse("") == []


@pytest.mark.parametrize("text, message", [
    ("100 1", "thiếu dấu hai chấm"),
    ("một trăm: 1", "không phải «ngưỡng: điểm» bằng số"),
    ("80: 0,5; 100: 1", "từ cao xuống thấp"),
    ("100: 0,5; 80: 1", "không được nhiều điểm hơn"),
    ("100: 2", "vượt điểm tối đa 1"),
    ("-1: 0", "không được âm"),
    ("NaN: 1", "bằng số"),
    ("Infinity: 1", "bằng số"),
])
def test_bad_thresholds_are_explained_in_vietnamese(text, message):
    assert message in thresholds_errors(text, max_score=D(1))


def test_points_of_the_first_threshold_reached_never_above_the_maximum():
    pairs = thresholds_parse("100: 1; 80: 0,5")
    assert points_for(D(100), pairs, max_score=D(1)) == D(1)
    assert points_for(D("99.99"), pairs, max_score=D(1)) == D("0.5")
    assert points_for(D(80), pairs, max_score=D(1)) == D("0.5")
    assert points_for(D("79.99"), pairs, max_score=D(1)) == D(0)
    assert points_for(None, pairs, max_score=D(1)) == D(0)
    assert points_for(D(100), pairs, max_score=D("0.75")) == D("0.75")


def test_points_printed_with_a_decimal_comma():
    assert format_points(D("0.50")) == "0,5"
    assert format_points(D("12.25")) == "12,25"
    assert format_points(D(1)) == "1"
    assert thresholds_describe(thresholds_parse("100: 1; 80: 0,5")) == "≥ 100 → 1 điểm; ≥ 80 → 0,5 điểm; thấp hơn → 0"
