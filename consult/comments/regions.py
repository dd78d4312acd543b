"""A country's UN M49 sub-region (e.g. "Western Asia"), for "category and region" display."""

from functools import cache

from countryinfo import CountryInfo


@cache
def region_of(country_code: str | None) -> str | None:
    """The UN M49 sub-region of an ISO 3166-1 alpha-2 code, or None when unknown."""
    if not country_code:
        return None
    try:
        return CountryInfo(country_code).subregion() or None
    except Exception:  # countryinfo raises its own errors for unknown codes
        return None
