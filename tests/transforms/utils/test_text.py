"""Metadata as plain text (transforms/utils/text.py)."""
from transforms.utils.text import plain_line


def test_markup_and_control_characters_go_and_plain_values_stay_as_they_are():
    assert plain_line('<a href="javascript:alert(1)">Big</a> news<br/>today') == "Big news today"
    assert plain_line("Tab\there\x00 and\r\nthere\x85") == "Tab here and there"
    assert plain_line("<!-- hidden --> <img src=x onerror=alert(1)>") is None
    assert plain_line("a < b and c > d, Q&amp;A") == "a < b and c > d, Q&amp;A"  # prose, not markup
    assert plain_line("Emmanuel\xa0Macron  visits") == "Emmanuel\xa0Macron  visits"  # own spacing kept
    assert plain_line(None) is None
