from common.ids import parse_id


def test_parse_id_takes_ascii_digits_within_bigint_only():
    assert parse_id("42") == 42 and parse_id(" 7 ") == 7 and parse_id(str(2**63 - 1)) == 2**63 - 1
    for bad in ("", None, "abc", "²", "١٢", "-1", "0", "1e3", "1.5", str(2**63), "9" * 30, "4\x002"):
        assert parse_id(bad) is None, bad
