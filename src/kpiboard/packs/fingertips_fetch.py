"""Downloading Fingertips' CSV data for the mapped indicators, with a time and size limit.

The public API (documented at https://fingertips.phe.org.uk/api) needs no key. One request is
made per mapped indicator, to ``all_data/csv/by_indicator_id`` with our area's type and its
parent's; its answer is the CSV :mod:`.fingertips` reads. Every failure (no network, a refused
connection, an error status, a slow or oversized answer) becomes one :class:`FetchError` sentence
for the command line to print, never a traceback.
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.parse
import urllib.request

from .benchmarks import BenchmarkMapping, IndicatorLink

API_URL = "https://fingertips.phe.org.uk/api"
#: Seconds to wait for a connection and for each read.
TIMEOUT = 60.0
#: An answer larger than this is refused: one indicator for every English local authority over
#: many years is a few megabytes.
MAX_BYTES = 100 * 1024 * 1024
CHUNK = 1024 * 1024


def _seconds(timeout: float) -> str:
    return f"{timeout:g} second{'' if timeout == 1 else 's'}"


class FetchError(Exception):
    """A download that failed, said in one sentence."""


def data_url(api_url: str, mapping: BenchmarkMapping, link: IndicatorLink) -> str:
    query = urllib.parse.urlencode({
        "indicator_ids": link.fingertips_id,
        "child_area_type_id": mapping.area_type,
        "parent_area_type_id": mapping.parent_area_type,
    })  # fmt: skip
    return f"{api_url.rstrip('/')}/all_data/csv/by_indicator_id?{query}"


def download(url: str, *, timeout: float = TIMEOUT, max_bytes: int | None = None) -> str:
    """The text at ``url`` (at most ``max_bytes``, default :data:`MAX_BYTES`); raises
    :class:`FetchError` with the reason."""
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise FetchError(f"{url}: only http and https addresses are fetched")
    request = urllib.request.Request(url, headers={"Accept": "text/csv", "User-Agent": "kpiboard"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            body = bytearray()
            while chunk := answer.read(CHUNK):
                body += chunk
                if len(body) > max_bytes:
                    raise FetchError(f"{url}: the answer is larger than {max_bytes:,} bytes")
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{url}: the server answered {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise FetchError(f"{url}: no answer within {_seconds(timeout)}") from None
        raise FetchError(f"{url}: cannot connect ({reason}); check the network") from None
    except TimeoutError:
        raise FetchError(f"{url}: no answer within {_seconds(timeout)}") from None
    except (OSError, http.client.HTTPException) as exc:  # e.g. IncompleteRead, BadStatusLine
        raise FetchError(f"{url}: the download failed ({exc!r})") from None
    try:
        return bytes(body).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FetchError(f"{url}: the answer is not UTF-8 text (not a Fingertips CSV)") from None
