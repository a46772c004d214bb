"""The child process that runs typst for :mod:`kpiboard.report.pdf` (``python -P typeset.py``), so
that typst's memory is given back when the report (or its part) is done. It imports nothing of
kpiboard's.

It reads one pickled request from standard input, ``(template, payload, standards, output)``, has
typst write the PDF to the file ``output``, and writes one pickled answer to standard output:
``(None, layout)``, or ``((message, diagnostic, hints), None)`` when typst fails. The layout is
what the template records of where its headings fell (``<kpiboard-headings>``: the page count and
each heading's level, title, page, height and printed page number), which the contents and the
join of a report typeset in parts need. It is read with a query of the same compiler, which
finds the layout in typst's cache rather than doing it again. Only :mod:`kpiboard.report.pdf`
talks to it.
"""

from __future__ import annotations

import json
import pickle
import sys
from pathlib import Path
from typing import Any, cast

#: typst's (message, diagnostic, hints) when it fails.
Failure = tuple[str, str, list[str]]
#: The label of the template's record of its headings.
LAYOUT_LABEL = "<kpiboard-headings>"


def typeset(
    template: bytes, payload: str, standards: tuple[str, ...], output: str
) -> tuple[Failure | None, dict[str, Any] | None]:
    """Run typst, which writes the PDF to ``output``; a failure comes back as plain data, so
    nothing of typst's is pickled."""
    import typst

    # The template reads no file: its folder (the output's, a temporary one) is typst's root.
    main = Path(output).with_suffix(".typ")
    main.write_bytes(template)
    try:
        compiler = typst.Compiler(str(main), root=str(main.parent), sys_inputs={"report": payload})
        compiler.compile(
            output=output,
            format="pdf",
            pdf_standards=cast(Any, list(standards)),  # names from typst's own list
        )
        layout = json.loads(compiler.query(LAYOUT_LABEL, field="value", one=True))
    except typst.TypstError as exc:
        message = getattr(exc, "message", str(exc))
        hints = list(getattr(exc, "hints", None) or [])
        return (message, getattr(exc, "diagnostic", ""), hints), None
    except RuntimeError as exc:  # older bindings raise a bare RuntimeError
        return (str(exc), "", []), None
    return None, layout


def main() -> None:
    request = pickle.load(sys.stdin.buffer)
    answer = typeset(*request)
    del request
    pickle.dump(answer, sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
