"""Forms against someone else's save, one way for every form that carries a base (the
``base_revision`` or ``base_version`` of what it was drawn from; a save whose base is stale is
refused, "changed elsewhere").

Two rules keep that from losing or blocking anyone's work:

- the view reads the base *before* the values it shows, so the base is never newer than what is
  shown: a save landing between the two reads makes this form's save refused, never lets it
  overwrite what its user did not see;
- after "changed elsewhere" the form shown again keeps what the user typed, shows what is saved
  now and carries the base now current (read before it), so a deliberate second save goes
  through, and one more change meanwhile is refused again. After any other refusal the form
  keeps the base it was drawn from.
"""

from __future__ import annotations

from django import forms
from django.http import QueryDict

#: The status of a form shown again because someone else changed what it saves meanwhile.
CHANGED_ELSEWHERE = 409


def carry_base(form: forms.Form, field: str, base: int | str) -> None:
    """Make the bound ``form`` shown again carry ``base`` in its hidden ``field`` (the base now
    current, read before the values the page shows), keeping everything else the user typed."""
    data = form.data.copy() if isinstance(form.data, QueryDict) else dict(form.data)
    data[field] = str(base)
    form.data = data


def base_shown(status: int, posted: str, current: int) -> str:
    """The base a page whose form is not a bound Django form carries: ``current`` (read before
    the values shown) when drawn afresh or after "changed elsewhere"; otherwise the ``posted``
    one, so a form refused for its own values still meets anyone else's save since."""
    return posted if status not in (200, CHANGED_ELSEWHERE) else str(current)


def posted_base(text: str) -> int:
    """The base a form posted; -1 (never a revision, so refused as changed) when not a number."""
    try:
        return int(text)
    except ValueError:
        return -1
