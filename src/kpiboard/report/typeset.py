"""The child process that runs typst for :mod:`kpiboard.report.pdf` (``python -P typeset.py``), so
that typst's memory is given back when the report is done. It imports nothing of kpiboard's.

It reads one pickled request from standard input, ``(template, payload, standards, root)``, and
writes one pickled outcome to standard output: ``(pdf, None)``, or ``(None, (message,
diagnostic, hints))`` when typst fails. Only :mod:`kpiboard.report.pdf` talks to it.
"""

from __future__ import annotations

import pickle
import sys
from typing import Any, cast

#: The PDF, or typst's (message, diagnostic, hints).
Outcome = tuple[bytes | None, tuple[str, str, list[str]] | None]


def typeset(template: bytes, payload: str, standards: tuple[str, ...], root: str) -> Outcome:
    """Run typst; its failures come back as plain data, so nothing of typst's is pickled."""
    import typst

    try:
        pdf = typst.compile(  # type: ignore[call-overload]  # (typst's stub: root as PathLike)
            template,
            format="pdf",
            sys_inputs={"report": payload},
            root=root,
            pdf_standards=cast(Any, list(standards)),  # names from typst's own list
        )
    except typst.TypstError as exc:
        message = getattr(exc, "message", str(exc))
        hints = list(getattr(exc, "hints", None) or [])
        return None, (message, getattr(exc, "diagnostic", ""), hints)
    except RuntimeError as exc:  # older bindings raise a bare RuntimeError
        return None, (str(exc), "", [])
    if not isinstance(pdf, bytes):  # pragma: no cover - typst returns pages only for images
        return None, (f"typst returned {type(pdf).__name__}, not PDF bytes", "", [])
    return pdf, None


def main() -> None:
    request = pickle.load(sys.stdin.buffer)
    outcome = typeset(*request)
    del request
    pickle.dump(outcome, sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
