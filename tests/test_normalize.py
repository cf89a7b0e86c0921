"""normalize: dates, expiration cells, countries, regions and the legend."""

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.normalize import (
    RowProblem,
    canonical_region,
    country_name,
    decode_legend,
    parse_date,
    parse_expiration,
    resolve_country,
)
from pipeline.reference import COUNTRY_NAMES_CSV, Resources, country_names_csv
from pipeline.sources import LegendRule, TermPolicy, get_profile
from pipeline.sources.naist import NAIST

RESOURCES = Resources.load(NAIST)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2029.2.20", dt.date(2029, 2, 20)),
        ("2011.07.22", dt.date(2011, 7, 22)),
        ("2029.1.2", dt.date(2029, 1, 2)),
        (" 2020.09.04 ", dt.date(2020, 9, 4)),
        ("2020/9/4", dt.date(2020, 9, 4)),
    ],
)
def test_dates_in_any_padding(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["2024.2.30", "2024.13.1", "2023.02.29"])
def test_impossible_dates_are_rejected(text):
    with pytest.raises(RowProblem, match="dates-are-real"):
        parse_date(text)


@pytest.mark.parametrize("text", ["", "April 1, 2024", "2024.4", "24.4.1"])
def test_malformed_dates_are_rejected(text):
    with pytest.raises(RowProblem, match="dates-written-ymd"):
        parse_date(text)


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2999, 12, 31)), st.booleans())
def test_date_round_trip(date, padded):
    text = f"{date.year}.{date.month:02d}.{date.day:02d}" if padded else (
        f"{date.year}.{date.month}.{date.day}")
    assert parse_date(text) == date


def test_expiration_with_renewal_note():
    cell = parse_expiration("2023.12.05 (Under renewal)")
    assert (cell.date, cell.under_renewal, cell.notes) == (dt.date(2023, 12, 5), True, None)


def test_expiration_notes_without_date():
    cell = parse_expiration("[MOU] [MOSE* with CBS]")
    assert (cell.date, cell.under_renewal, cell.notes) == (None, False, "MOU; MOSE with CBS")


def test_expiration_keeps_unknown_wording_as_a_note():
    cell = parse_expiration("2027.04.24 extended by letter")
    assert cell.date == dt.date(2027, 4, 24)
    assert cell.notes == "extended by letter"


def test_expiration_plain_date_has_no_notes():
    cell = parse_expiration("2027.04.24")
    assert (cell.under_renewal, cell.notes) == (False, None)


def test_two_dates_in_one_expiration_cell_are_a_problem():
    with pytest.raises(RowProblem, match="one-expiration-date"):
        parse_expiration("2024.1.1 2029.1.1")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Korea", "KR"), ("U.K.", "GB"), ("U.S.A.", "US"), ("Brasil", "BR"),
        ("The Philippines", "PH"), ("Taiwan", "TW"), ("Vietnam", "VN"), ("Russia", "RU"),
        ("China", "CN"), ("Netherlands", "NL"), ("New Zealand", "NZ"), ("Senegal", "SN"),
        ("  united   kingdom ", "GB"), ("France", "FR"),
    ],
)
def test_countries_resolve_to_iso_codes(text, code):
    assert resolve_country(text, RESOURCES.country_aliases) == code


def test_unknown_country_is_a_problem():
    with pytest.raises(RowProblem, match="country-is-iso"):
        resolve_country("Atlantis", RESOURCES.country_aliases)


def test_country_names_are_english_short_names():
    assert [country_name(c, RESOURCES.country_names) for c in ("KR", "VN", "GB", "US")] == [
        "South Korea", "Vietnam", "United Kingdom", "United States"]


@pytest.mark.parametrize(
    "spellings",
    [("Russia", "Russian Federation", "RUSSIA"), ("Korea", "South Korea", "Republic of Korea"),
     ("Vietnam", "Viet Nam"), ("Taiwan",), ("U.S.A.", "United States")],
)
def test_one_country_name_rule_whatever_the_page_writes(spellings):
    """Every spelling of a country ends up as the same CLDR English name."""
    names = {country_name(resolve_country(text, RESOURCES.country_aliases),
                          RESOURCES.country_names) for text in spellings}
    assert len(names) == 1


def test_country_names_are_cldr_names_not_formal_iso_names():
    names = RESOURCES.country_names
    assert [names[c] for c in ("RU", "KR", "VN", "TW", "IR")] == [
        "Russia", "South Korea", "Vietnam", "Taiwan", "Iran"]


def test_country_names_file_is_current():
    """pipeline/data/country_names.csv is what `python -m pipeline.reference` generates."""
    assert COUNTRY_NAMES_CSV.read_text(encoding="utf-8") == country_names_csv()


def test_legend_decodes_level_and_field():
    legend = {
        "I": "Institute-wide level",
        "IS": "Information Science (Graduate school-level)",
        "BS": "Biological Science (Graduate school-level)",
        "MS": "Materials science (Graduate school-level)",
    }
    decoded = decode_legend(legend, NAIST.legend_rules)
    assert {c: (t.level, t.field) for c, t in decoded.items()} == {
        "I": ("institute", None),
        "IS": ("graduate school", "Information Science"),
        "BS": ("graduate school", "Biological Science"),
        "MS": ("graduate school", "Materials Science"),
    }


def test_legend_entry_without_a_level_is_left_out():
    assert decode_legend({"XX": "Something else"}, NAIST.legend_rules) == {}


@pytest.mark.parametrize("text", ["Asia", "north america", "SOUTH  AMERICA", "Oceania"])
def test_regions_are_canonical(text):
    assert canonical_region(text, NAIST.regions) in {
        "Asia", "North America", "South America", "Oceania"}


def test_unknown_region_is_a_problem():
    with pytest.raises(RowProblem):
        canonical_region("Middle Earth", NAIST.regions)


def test_legend_rules_come_from_the_profile():
    """Another publisher's legend decodes with its own rules, no stage edited."""
    rules = (LegendRule(re.compile("faculty", re.I), "faculty", True),)
    decoded = decode_legend({"F": "Engineering (faculty level)", "I": "Institute-wide"}, rules)
    assert {c: (t.level, t.field) for c, t in decoded.items()} == {"F": ("faculty", "Engineering")}


def test_profile_holds_the_page_particulars():
    profile = get_profile("naist")
    assert profile.urls[0].startswith("https://www.naist.jp/")
    assert "https://www.naist.jp/dge/en/engagement/agreement.html" in profile.urls
    assert len(profile.regions) == 6 and profile.term == TermPolicy(years=5, slack_days=45)
    assert all(path.is_file() for path in vars(profile.reference).values())


def test_unknown_profile_is_refused():
    with pytest.raises(ValueError, match="unknown source profile"):
        get_profile("nowhere")


def test_resources_are_per_run_values():
    """Two loads share no state: a memo filled in one run is not seen by another."""
    first, second = Resources.load(NAIST), Resources.load(NAIST)
    first.memo["x"] = 1
    assert second.memo == {} and first.country_names == second.country_names


def test_normalize_reads_particulars_from_the_profile_it_is_given(tmp_path):
    """A page without a legend, read with another profile: its default legend, its regions."""
    import dataclasses

    from pipeline.normalize import normalize_page
    from pipeline.parse import parse_page

    legend = tmp_path / "legend.csv"
    legend.write_text("code,description\nI,Institute-wide level\n", encoding="utf-8")
    profile = dataclasses.replace(
        NAIST, key="other", regions=("Asia Pacific",), default_legend_label="the test legend",
        reference=dataclasses.replace(NAIST.reference, default_legend=legend))
    page = parse_page(b"<p>As of April 1, 2024</p><h3>Asia Pacific(1)</h3><table><tr>"
                      b"<th>Country</th><th>Type</th><th>Institution</th><th>Initial date</th>"
                      b"<th>Expiration date</th></tr><tr><td>Korea<td>I<td>Hanbat University"
                      b"<td>2011.07.22<td>2026.07.21</table>")
    result = normalize_page(page, resources=Resources.load(profile))
    assert not result.errors
    [row] = result.rows
    assert (row["region"], row["agreement_level"], row["country"]) == (
        "Asia Pacific", "institute", "South Korea")
    assert any("the test legend" in w.message for w in result.warnings)
