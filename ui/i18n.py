"""Interface languages: gettext catalogues under ``locale/`` (Babel extracts and compiles them).

The resident's language is chosen on every public page, kept for the session and carried in the
``lang`` query parameter so a tracking link opens in the same language. Dates and numbers are
formatted for the chosen locale with Babel.
"""

from __future__ import annotations

import gettext
from datetime import date, datetime, time
from functools import cache
from pathlib import Path

import streamlit as st
from babel.dates import format_date, format_datetime, format_time, get_date_format
from babel.numbers import format_currency, format_decimal

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "formwork"
LANGUAGES = {"en": "English", "fr": "Français"}
DEFAULT = "en"
CURRENCY = "EUR"  # amounts of money (format "money") are in the city's currency
SESSION_KEY = "formwork_locale"


@cache
def _catalogue(locale: str) -> gettext.NullTranslations:
    # Catalogues hold interface strings only, never personal data, so caching them process-wide is safe.
    return gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[locale], fallback=True)


def current_locale() -> str:
    chosen = st.session_state.get(SESSION_KEY) or st.query_params.get("lang", DEFAULT)
    return chosen if chosen in LANGUAGES else DEFAULT


def _(message: str) -> str:
    """The message in the current language (English when no translation exists)."""
    return _catalogue(current_locale()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return _catalogue(current_locale()).ngettext(singular, plural, count)


def language_selector() -> str:
    """A language choice in the sidebar; returns the chosen locale."""
    locale = current_locale()
    chosen = st.sidebar.selectbox("Language / Langue", list(LANGUAGES), index=list(LANGUAGES).index(locale),
                                  format_func=LANGUAGES.get, key="language_selector")
    if chosen != locale or st.query_params.get("lang") != chosen:
        st.session_state[SESSION_KEY] = chosen
        st.query_params["lang"] = chosen
    return chosen


def show_date(value: date | datetime | None, locale: str | None = None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, format="medium", locale=locale or current_locale())
    return format_date(value, format="long", locale=locale or current_locale())


def show_time(value: time, locale: str | None = None) -> str:
    return format_time(value, format="short", locale=locale or current_locale())


def show_number(value: float | int, locale: str | None = None, *, decimals: int | None = None) -> str:
    """``1234.5`` → ``1,234.5`` / ``1 234,5``; with ``decimals``, exactly that many digits after the separator."""
    pattern = None if decimals is None else "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(value, format=pattern, locale=locale or current_locale())


def show_money(value: float, currency: str = CURRENCY, locale: str | None = None) -> str:
    return format_currency(value, currency, locale=locale or current_locale())


@cache
def date_input_format(locale: str) -> str:
    """The locale's order of day, month and year in the form ``st.date_input(format=...)`` accepts.

    Streamlit knows only the orders YYYY/MM/DD, DD/MM/YYYY and MM/DD/YYYY with "/", "-" or "." between.
    """
    pattern = get_date_format("short", locale=locale).pattern  # fr: dd/MM/y, en: M/d/yy
    order = sorted(("YYYY", "MM", "DD"), key=lambda part: pattern.find({"YYYY": "y", "MM": "M", "DD": "d"}[part]))
    separator = next((c for c in pattern if c in "/-."), "/")
    if order not in (["YYYY", "MM", "DD"], ["DD", "MM", "YYYY"], ["MM", "DD", "YYYY"]):
        order = ["YYYY", "MM", "DD"]
    return separator.join(order)
