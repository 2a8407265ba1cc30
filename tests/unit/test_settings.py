"""Settings read from the environment: FORMWORK_HOLIDAYS (README "Configuration")."""

from __future__ import annotations

from datetime import date

import pytest

from storage.settings import InvalidSetting, load_settings


def test_holidays_are_read_as_dates() -> None:
    settings = load_settings({"FORMWORK_HOLIDAYS": " 2026-12-25, 2026-12-26 ,,2027-01-01"})
    assert settings.holidays == (date(2026, 12, 25), date(2026, 12, 26), date(2027, 1, 1))


def test_no_holidays_by_default() -> None:
    assert load_settings({}).holidays == () == load_settings({"FORMWORK_HOLIDAYS": " "}).holidays


@pytest.mark.parametrize("value", ["2026-12-25,25/12/2026", "christmas", "2026-13-01"])
def test_a_bad_holiday_is_refused_with_a_message_naming_the_setting(value: str) -> None:
    with pytest.raises(InvalidSetting, match="FORMWORK_HOLIDAYS") as refused:
        load_settings({"FORMWORK_HOLIDAYS": value})
    assert value in str(refused.value) and "2026-12-25" in str(refused.value)  # what was given, what is expected
    assert isinstance(refused.value, ValueError)
