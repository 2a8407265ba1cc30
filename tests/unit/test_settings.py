"""Settings read from the environment: FORMWORK_HOLIDAYS and the numbers (README "Configuration")."""

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


def test_mail_and_session_numbers_have_defaults_and_read_whole_numbers() -> None:
    assert (load_settings({}).smtp_port, load_settings({}).staff_idle_minutes) == (25, 30)
    settings = load_settings({"FORMWORK_SMTP_PORT": " 587 ", "FORMWORK_STAFF_IDLE_MINUTES": "15",
                              "FORMWORK_MAIL_WORKER_SECONDS": "2.5"})
    assert (settings.smtp_port, settings.staff_idle_minutes, settings.mail_worker_seconds) == (587, 15, 2.5)


@pytest.mark.parametrize(("name", "value"), [
    ("FORMWORK_SMTP_PORT", "smtp"), ("FORMWORK_SMTP_PORT", "587.0"), ("FORMWORK_SMTP_PORT", "70000"),
    ("FORMWORK_STAFF_IDLE_MINUTES", "30m"), ("FORMWORK_STAFF_IDLE_MINUTES", "0"),
    ("FORMWORK_MAIL_WORKER_SECONDS", "five"), ("FORMWORK_MAIL_WORKER_SECONDS", "-1"),
])
def test_a_number_setting_that_is_not_one_is_refused_naming_the_setting(name: str, value: str) -> None:
    # A bare ValueError ("invalid literal for int()") would not say which of a dozen variables is wrong.
    with pytest.raises(InvalidSetting) as refused:
        load_settings({name: value})
    assert str(refused.value).startswith(f"{name} must be ") and repr(value) in str(refused.value)
