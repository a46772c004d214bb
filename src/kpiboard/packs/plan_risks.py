"""The risk matrix and risk scores of ``plan/risks.yaml``, read with file:line problems."""

from __future__ import annotations

from ..core.risks import DEFAULT_BANDS, Band, RiskMatrix, Score
from .fields import FieldReader
from .yamlsource import Mapping

#: The colours a band may take in reports, least to most severe.
BAND_COLOURS = ("green", "yellow", "amber", "red")


def _bands(r: FieldReader) -> tuple[Band, ...]:
    seq = r.sequence_at("bands")
    if seq is None:
        return DEFAULT_BANDS
    bands = []
    for i, item in enumerate(seq):
        if not isinstance(item, Mapping):
            r.problems.report(
                r.file, seq.line_of(i), f"{r.name('bands')}[{i}]", "must be a mapping"
            )
            continue
        br = FieldReader(r.problems, r.file, item, f"{r.name('bands')}[{i}].")
        br.check_keys(["name", "up_to", "colour"], required=["name", "up_to", "colour"])
        up_to = br.integer("up_to", None, 1, 100)
        colour = br.choice("colour", BAND_COLOURS, "")
        if up_to is not None and colour:
            bands.append(Band(br.text("name"), up_to, colour))
    return tuple(bands)


def read_matrix(r: FieldReader | None) -> RiskMatrix:
    """The ``matrix:`` block of the risks file, or the default 5 x 5 matrix."""
    block = r.mapping_at("matrix") if r is not None else None
    if r is None or block is None:
        return RiskMatrix()
    mr = FieldReader(r.problems, r.file, block, "matrix.")
    mr.check_keys(["likelihood", "impact", "bands", "appetite"])
    default = RiskMatrix()
    likelihood = tuple(mr.text_list("likelihood")) or default.likelihood
    impact = tuple(mr.text_list("impact")) or default.impact
    bands = _bands(mr)
    appetite = mr.integer("appetite", default.appetite, 1, 100)
    try:
        return RiskMatrix(likelihood, impact, bands, appetite or default.appetite)
    except ValueError as exc:
        mr.problem("bands" if "band" in str(exc) else "appetite", str(exc))
        if "levels" in str(exc):
            return RiskMatrix()
        top = len(likelihood) * len(impact)
        return RiskMatrix(likelihood, impact, (Band("All", top, "red"),), top)


def read_score(r: FieldReader, key: str | None, matrix: RiskMatrix) -> Score | None:
    """A ``{likelihood: 3, impact: 4}`` mapping at ``key`` (or the keys of ``r`` itself)."""
    if key is not None:
        block = r.mapping_at(key)
        if block is None:
            return None
        r = FieldReader(r.problems, r.file, block, r.name(f"{key}."))
        r.check_keys(["likelihood", "impact"], required=["likelihood", "impact"])
    likelihood = r.integer("likelihood", None, 1, len(matrix.likelihood))
    impact = r.integer("impact", None, 1, len(matrix.impact))
    if likelihood is None or impact is None:
        return None
    return Score(likelihood, impact)
