"""The child process that runs typst for :mod:`kpiboard.report.pdf` (``python -P typeset.py``), so
that typst's memory is given back when the report is done. It imports nothing of kpiboard's.

It reads one pickled request from standard input, ``(template, payload, standards, root,
output)``, has typst write the PDF to the file ``output``, and writes one pickled answer to
standard output: ``None``, or ``(message, diagnostic, hints)`` when typst fails. Only
:mod:`kpiboard.report.pdf` talks to it.
"""

from __future__ import annotations

import pickle
import sys
from typing import Any, cast

#: typst's (message, diagnostic, hints) when it fails.
Failure = tuple[str, str, list[str]]


def typeset(
    template: bytes, payload: str, standards: tuple[str, ...], root: str, output: str
) -> Failure | None:
    """Run typst, which writes the PDF to ``output``; a failure comes back as plain data, so
    nothing of typst's is pickled."""
    import typst

    try:
        typst.compile(  # type: ignore[call-overload]  # (typst's stub: root as PathLike)
            template,
            output=output,
            format="pdf",
            sys_inputs={"report": payload},
            root=root,
            pdf_standards=cast(Any, list(standards)),  # names from typst's own list
        )
    except typst.TypstError as exc:
        message = getattr(exc, "message", str(exc))
        hints = list(getattr(exc, "hints", None) or [])
        return message, getattr(exc, "diagnostic", ""), hints
    except RuntimeError as exc:  # older bindings raise a bare RuntimeError
        return str(exc), "", []
    return None


def main() -> None:
    request = pickle.load(sys.stdin.buffer)
    failure = typeset(*request)
    del request
    pickle.dump(failure, sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
