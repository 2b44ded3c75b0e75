"""A citation names one document: home pages and section pages are refused."""

import pytest
from django.core.exceptions import ValidationError

from summits.citations import is_deep_link, is_secondary_url, validate_deep_link


@pytest.mark.parametrize(
    "url",
    [
        "https://www.state.gov/",
        "https://www.state.gov",
        "https://www.pm.gc.ca/en/news",
        "https://www.pm.gc.ca/en/cabinet",
        "https://www.gob.mx/sre",
        "https://www.gob.mx/sre/prensa",
        "https://bidenwhitehouse.archives.gov/",
        "https://www.whitehouse.gov/briefing-room/",
        "https://www.canada.ca/en/immigration-refugees-citizenship.html",
        "https://www.uscis.gov/humanitarian/temporary-protected-status",
        "https://embamex.sre.gob.mx/eua/",
        "https://en.wikipedia.org/",
        "https://www.gob.mx/sre/prensa?idiom=en",
        "https://www.pm.gc.ca/en/news?page=2",
    ],
)
def test_a_home_or_section_page_is_not_a_deep_link(url):
    assert not is_deep_link(url)
    with pytest.raises(ValidationError, match="home or section page"):
        validate_deep_link(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://www.dhs.gov/news/2017/06/16/united-states-key-deliverables-june-15-16-2017",
        "https://www.gob.mx/sre/prensa/mexico-y-estados-unidos-celebran-dialogo-de-alto-nivel",
        "https://bidenwhitehouse.archives.gov/briefing-room/statements-releases/2023/01/10/"
        "declaration-of-north-america-dona/",
        "https://www.federalregister.gov/documents/2022/10/19/2022-22739/implementation",
        "https://www.dof.gob.mx/nota_detalle.php?codigo=5600000&fecha=01/01/2020",
        "https://www.canada.ca/content/dam/ircc/documents/pdf/english/stca-protocol.pdf",
        "https://en.wikipedia.org/wiki/Title_42_expulsion",
        "https://mexiconewsdaily.com/?p=576005",
    ],
)
def test_a_document_page_is_a_deep_link(url):
    assert is_deep_link(url)
    validate_deep_link(url)


def test_wikipedia_is_a_secondary_source_and_an_official_site_is_not():
    assert is_secondary_url("https://es.wikipedia.org/wiki/Marcelo_Ebrard")
    assert not is_secondary_url("https://www.gob.mx/sre/prensa/comunicado-123")
