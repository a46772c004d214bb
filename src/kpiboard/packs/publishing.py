"""The manifest's ``publishing`` block: the licence and publisher of a pack's open data.

``kpiboard publish`` (and the web's Publish action) print both on every page of the public site
and write them into ``datapackage.json``. The licences are the few that public bodies use for
open data; each has its Open Definition id (what the Data Package standard asks for), its title
and the address of its text.
"""

from __future__ import annotations

from dataclasses import dataclass

from .fields import FieldReader


@dataclass(frozen=True)
class Licence:
    id: str
    title: str
    url: str


#: The licences a pack may publish under, by the id the manifest gives.
LICENCES = {
    licence.id: licence
    for licence in (
        Licence(
            "OGL-UK-3.0",
            "Open Government Licence v3.0",
            "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        ),
        Licence(
            "CC-BY-4.0",
            "Creative Commons Attribution 4.0",
            "https://creativecommons.org/licenses/by/4.0/",
        ),
        Licence(
            "CC0-1.0",
            "Creative Commons CC0 1.0 (public domain dedication)",
            "https://creativecommons.org/publicdomain/zero/1.0/",
        ),
        Licence(
            "ODC-BY-1.0",
            "Open Data Commons Attribution Licence v1.0",
            "https://opendatacommons.org/licenses/by/1-0/",
        ),
        Licence(
            "ODbL-1.0",
            "Open Data Commons Open Database Licence v1.0",
            "https://opendatacommons.org/licenses/odbl/1-0/",
        ),
    )
}
DEFAULT_LICENCE = "OGL-UK-3.0"


@dataclass(frozen=True)
class Publishing:
    """Who publishes a pack's open data, and under which licence."""

    licence: Licence = LICENCES[DEFAULT_LICENCE]
    publisher: str = ""  # "" : the manifest's organisation
    contact: str = ""  # an email address or web address for questions about the data


def read_publishing(reader: FieldReader) -> Publishing:
    """The ``publishing`` block (``reader`` reads it); every problem names its field."""
    reader.check_keys(["licence", "publisher", "contact"])
    licence_id = reader.text("licence", DEFAULT_LICENCE)
    licence = LICENCES.get(licence_id)
    if licence is None:
        reader.problem(
            "licence",
            f"unknown licence {licence_id!r} (use {', '.join(LICENCES)})",
        )
        licence = LICENCES[DEFAULT_LICENCE]
    return Publishing(licence, reader.text("publisher"), reader.text("contact"))
