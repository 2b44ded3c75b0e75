"""The time zone an outlet publishes in, for showing its articles' dates as its readers saw them.

Times are stored in UTC. A Mexican evening story of 27 December is stored on 28 December, UTC;
pages show it on the 27th, with the zone. The zone is derived from the source's country (its
press country), the zone of its capital or largest newsroom city; a source without a country,
or in a country not listed, keeps UTC. Countries that span several zones get the one most of
their national press writes in (Eastern time for the United States and Canada).
"""

from zoneinfo import ZoneInfo

from articles.models import Source

UTC_ZONE = ZoneInfo("UTC")
COUNTRY_TIME_ZONES = {
    "US": "America/New_York",
    "MX": "America/Mexico_City",
    "CA": "America/Toronto",
    "GT": "America/Guatemala",
    "HN": "America/Tegucigalpa",
    "SV": "America/El_Salvador",
    "NI": "America/Managua",
    "CR": "America/Costa_Rica",
    "PA": "America/Panama",
    "CU": "America/Havana",
    "HT": "America/Port-au-Prince",
    "DO": "America/Santo_Domingo",
    "CO": "America/Bogota",
    "VE": "America/Caracas",
    "EC": "America/Guayaquil",
    "PE": "America/Lima",
    "CL": "America/Santiago",
    "AR": "America/Argentina/Buenos_Aires",
    "BR": "America/Sao_Paulo",
    "GB": "Europe/London",
    "ES": "Europe/Madrid",
    "FR": "Europe/Paris",
    "DE": "Europe/Berlin",
    "BE": "Europe/Brussels",
    "CH": "Europe/Zurich",
    "QA": "Asia/Qatar",
}


def source_time_zone(source: Source | None) -> ZoneInfo:
    """The zone the source's articles are dated in on pages (UTC when it is not known)."""
    country = source.country if source is not None and source.country_id else None
    name = COUNTRY_TIME_ZONES.get(country.iso2) if country is not None else None
    return ZoneInfo(name) if name else UTC_ZONE
