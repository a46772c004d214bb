"""Data entry: the entry form for one indicator and period, and section sign-off (the list of
what is waiting is :mod:`.waiting`).

The views read the form and show the page; every rule about who may change what, approved periods
and concurrent saves lives in :mod:`kpiboard.web.writes`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from ...core.draft import draft_commentary
from ...core.indicators import Indicator as CoreIndicator
from ...core.periods import FinancialCalendar, Period, PeriodError
from ...core.targets import PeriodTarget
from ...core.units import Scale
from ...report.markdown import to_html
from ...report.model import fmt_value
from ..entry_form import EntryForm, base_name, value_name
from ..grid import figure_warnings
from ..models import CommentaryText, Figure, Indicator, Section
from ..permissions import (
    can_approve,
    can_edit,
    can_edit_approved,
    can_submit,
)
from ..signoff import ACTIONS, allowed_actions, set_signoff
from ..store import current_pack
from ..submission import unexplained_gaps
from ..targets import may_set_targets, period_target
from ..urlperiods import period_from_slug, period_slug
from ..writes import (
    THRESHOLD_SERIES,
    ConcurrentEdit,
    Invalid,
    Locked,
    SignoffChanged,
    SignoffRefused,
    approved_lock,
    editable_series,
    locked_message,
    plain_number,
    save_period_entry,
    signoff_state,
    when,
    who,
)
from .conflicts import CHANGED_ELSEWHERE

SERIES_LABELS = {
    "actual": "Actual",
    "target": "Target",
    "floor": "Floor (minimum acceptable)",
    "lower": "Lower threshold of the expected range",
    "upper": "Upper threshold of the expected range",
}
ACTION_LABELS = {
    "submit": "Submit for approval",
    "approve": "Approve",
    "return": "Return to draft",
    "reopen": "Reopen",
}
ACTION_DONE = {
    "submit": "submitted for approval",
    "approve": "approved",
    "return": "returned to draft",
    "reopen": "reopened",
}


def _period_or_404(request, slug: str, calendar: FinancialCalendar) -> Period:
    """The period a URL names, or 404."""
    try:
        return period_from_slug(slug, calendar)
    except PeriodError:
        raise Http404("No such period") from None


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


# --- the entry form ------------------------------------------------------------------------------


@dataclass
class FieldView:
    name: str  # the series
    label: str
    hint: str
    value: str  # as shown in the input
    base: int  # the revision it was rendered from
    prefix: str = ""
    suffix: str = ""
    error: str = ""
    saved: str = ""  # who saved it, when
    warning: bool = False  # the error is a plausibility warning the person may confirm

    @property
    def id(self) -> str:
        return value_name(self.name)


def _series_label(ind: CoreIndicator, series: str) -> str:
    definition = ind.series_def(series)
    if definition is not None:
        return definition.label
    return SERIES_LABELS.get(series, series.replace("_", " ").capitalize())


def _affixes(ind: CoreIndicator, series: str) -> tuple[str, str, str]:
    unit = ind.unit_of(series)
    kind = unit.kind.value
    if kind == "percent":
        return "", "%", "A percentage"
    scaled = unit.scale is not Scale.ONE
    if kind == "currency":
        help_text = f"An amount in {unit.scale.value}" if scaled else "An amount"
        return unit.symbol, unit.scale.suffix, help_text + ", without the currency sign"
    if kind == "count" and scaled:
        return "", unit.scale.suffix, f"A number in {unit.scale.value}"
    if kind == "rate" and unit.per:
        return "", "", f"A rate {unit.per}"
    if kind == "days":
        return "", "days", ""
    return "", "", "A number"


def _current_figures(model: Indicator, label: str) -> dict[str, Figure]:
    return {
        f.series: f
        for f in Figure.objects.filter(indicator=model, period=label, is_current=True)
        .select_related("author")
        .order_by("series")
    }


def _fields(
    user, ind: CoreIndicator, figures: dict[str, Figure], shown: PeriodTarget
) -> list[FieldView]:
    """The inputs, each with its hint: the actual's says the period's target (``shown``)."""
    out = []
    for series in editable_series(ind, user):
        fig = figures.get(series)
        prefix, suffix, hint = _affixes(ind, series)
        if series == "actual" and shown.value is not None:
            hint = f"{hint}. The period's target is {fmt_value(ind, shown.value)}"
        if series == "target" and shown.profiled:
            hint = f"{hint}. Leave it empty to use the target from the annual target"
        if series == "floor":
            hint = f"{hint}. Leave it empty to use the floor the rating rules set"
        saved = ""
        if fig is not None:
            by = f"Saved by {who(fig.author)}" if fig.author else (fig.reason or "Loaded")
            saved = f"{by}, {when(fig.created)}"
        out.append(
            FieldView(
                series, _series_label(ind, series), hint,
                plain_number(fig.value) if fig else "", fig.revision if fig else 0,
                prefix, suffix, saved=saved,
            )
        )  # fmt: skip
    return out


def _target_text(pack, ind: CoreIndicator, shown: PeriodTarget) -> str:
    """The period's target and, when it comes from an annual target, which one and how."""
    if shown.value is None:
        return ""
    text = fmt_value(ind, shown.value)
    annual = shown.annual
    if annual is not None:
        year = pack.calendar.year_label(annual.year)
        text += (
            f" (from the {year} annual target of {fmt_value(ind, annual.value)}, "
            f"profiled {annual.profile.value})"
        )
    return text


def _draft(pack, code: str, period: Period) -> tuple[str, str]:
    """Drafted commentary from the figures saved so far, and the period it speaks of."""
    try:
        analysis = pack.analyse(period)[code]
    except Exception:  # pragma: no cover - a draft is a help, never a reason to fail the page
        return "", ""
    latest = analysis.result.latest
    if latest is None:
        return "", ""
    return draft_commentary(analysis), latest.period.display


@require_http_methods(["GET", "HEAD", "POST"])
def entry_form(request, code: str, period: str):
    model = get_object_or_404(
        Indicator.objects.select_related("section"), code=code, archived=False
    )
    if not can_edit(request.user, model):
        raise PermissionDenied
    pack = current_pack()
    ind = pack.indicators.get(code)
    if ind is None:
        raise Http404("No such indicator")
    the_period = _period_or_404(request, period, pack.calendar)
    if period_slug(the_period.label) != period:
        return redirect("kpiboard:entry_form", code, period_slug(the_period.label))
    label = the_period.label
    user = request.user
    figures = _current_figures(model, label)
    shown = period_target(pack, ind, the_period)
    fields = _fields(user, ind, figures, shown)
    commentary_row = CommentaryText.objects.filter(
        indicator=model, period=label, is_current=True
    ).first()
    commentary = commentary_row.text if commentary_row else ""
    commentary_base = commentary_row.revision if commentary_row else 0
    note_figure = figures.get("actual") or next(
        (figures[f.name] for f in fields if f.name in figures), None
    )
    note = note_figure.note if note_figure else ""
    reason = ""
    errors: dict[str, str] = {}
    conflict_text = None
    conflicted = False
    form_error = ""
    lock = approved_lock(model.section_id, the_period, pack.calendar)
    read_only = lock is not None and not can_edit_approved(user)

    if request.method == "POST":
        if read_only and lock is not None:
            form_error = locked_message(lock, pack.calendar)
        else:
            form = EntryForm(request.POST, indicator=ind, series=[f.name for f in fields])
            valid = form.is_valid()  # only a figure that cannot be read is refused here
            data = form.cleaned_data
            errors.update(form.value_errors())
            for f in fields:
                f.value, f.base = form.typed(f.name), data[base_name(f.name)]
                f.error = errors.get(f.id, "")
            commentary, commentary_base = data["commentary"], data["commentary_base"]
            note, reason = data["note"], data["reason"]
            if valid and not data["confirm"]:
                errors.update(_warn(pack, ind, the_period, fields, form.values(), figures))
            if not errors:
                try:
                    result = save_period_entry(
                        user, code, label, form.values(), form.bases(), commentary,
                        commentary_base, reason, note=note,
                    )  # fmt: skip
                except ConcurrentEdit as exc:
                    conflicted = True
                    for conflict in exc.conflicts:
                        if conflict.field == "commentary":
                            commentary_base = conflict.revision
                            conflict_text = conflict
                            errors["commentary"] = conflict.message()
                            continue
                        for f in fields:
                            if f.name == conflict.field:
                                yours = conflict.yours_shown or "no figure"
                                f.error = errors[f.id] = (
                                    conflict.message(lambda v, s=f.name: fmt_value(ind, v, s))
                                    + f" (you entered {yours}). The figure now saved is shown: "
                                    "check it, then save again"
                                )
                                f.value = conflict.theirs_shown
                                f.base = conflict.revision
                    form_error = exc.errors.get("", "")
                except Locked as exc:
                    read_only = True
                    form_error = exc.errors.get("", "")
                except Invalid as exc:
                    for key, message in exc.errors.items():
                        target = next((f for f in fields if f.name == key), None)
                        if target is not None:
                            target.error = errors[target.id] = message
                        elif key:
                            errors[key] = message
                        else:
                            form_error = message
                else:
                    display = f"{ind.id} for {the_period.display}"
                    if result.nothing_changed:
                        messages.info(request, f"Nothing was changed: {display} is as it was")
                    else:
                        messages.success(request, f"Saved {display}")
                    return redirect("kpiboard:indicator", code)

    state, signoff_row = signoff_state(model.section, label)
    previous = None
    if not commentary_row:
        earlier = pack.commentary_for(code, the_period)
        if earlier is not None and earlier.period != the_period:
            previous = earlier
    draft, draft_period = _draft(pack, code, the_period)
    summary = list(errors.items())  # (field id, message) for the error summary's links
    if form_error and not read_only:
        summary.insert(0, ("entry-form", form_error))
    readonly_rows = [
        (_series_label(ind, s), fmt_value(ind, f.value, s) if f.value is not None else "None")
        for s, f in figures.items()
    ]
    context = {
        "ind": ind,
        "model": model,
        "period": the_period,
        "slug": period_slug(label),
        "fields": fields,
        "note": note,
        "commentary": commentary,
        "commentary_base": commentary_base,
        "conflict_text": conflict_text,
        "reason": reason,
        "errors": errors,
        "summary": summary,
        "form_error": form_error,
        "lock": lock,
        "locked_text": locked_message(lock, pack.calendar) if lock else "",
        "read_only": read_only,
        "readonly_rows": readonly_rows,
        "derived": ind.derive is not None,
        "target_text": _target_text(pack, ind, shown),
        "missing_target": ind.needs_target and shown.value is None,
        "may_set_targets": may_set_targets(user),
        "previous": previous,
        "previous_html": _markdown(previous.text) if previous else "",
        "commentary_html": _markdown(commentary) if read_only else "",
        "conflict_html": _markdown(conflict_text.theirs_shown) if conflict_text else "",
        "draft": draft,
        "draft_period": draft_period,
        "state": state,
        "signoff_row": signoff_row,
        "signoff_by": f"{who(signoff_row.author)}, {when(signoff_row.created)}"
        if signoff_row
        else "",
        "signoff_revision": signoff_row.revision if signoff_row else 0,
        "can_submit": state == "draft" and can_submit(user, model.section),
        "section": model.section,
        "path": request.get_full_path(),
        "warned": any(f.warning for f in fields),
        "may_withdraw": any(f.value is not None for f in figures.values()),
    }
    status = 400 if errors or (form_error and request.method == "POST") else 200
    if conflicted:
        status = 409
    if read_only and request.method == "POST":
        status = 403
    return render(request, "kpiboard/entry_form.html", context, status=status)


def _warn(pack, ind, period, fields, values, figures) -> dict[str, str]:
    """Plausibility warnings on the figures that changed (see :mod:`kpiboard.core.plausibility`):
    each becomes the field's message until the person ticks that the figures are right."""
    out = {}
    for f in fields:
        saved = figures.get(f.name)
        value = values.get(f.name)
        if f.name in THRESHOLD_SERIES or (saved is not None and saved.value == value):
            continue
        found = figure_warnings(pack, ind, period, value, f.name)
        if found:
            f.warning = True
            f.error = out[f.id] = "Check this figure: " + "; ".join(found)
    return out


def _markdown(text: str):
    """Commentary as HTML (raw HTML in the text is escaped by the report's Markdown parser)."""
    return mark_safe(to_html(text or "", heading_offset=3))


def _int(text: str | None) -> int:
    try:
        return max(0, int(text or 0))
    except ValueError:
        return 0


# --- sign-off ------------------------------------------------------------------------------------


@require_POST
def signoff(request, code: str, period: str):
    """Submit, approve, return or reopen a section's period (POST from the waiting list or form)."""
    section = get_object_or_404(Section, code=code)
    user = request.user
    if not (can_submit(user, section) or can_approve(user, section) or can_edit_approved(user)):
        raise PermissionDenied
    calendar = current_pack().calendar
    the_period = _period_or_404(request, period, calendar)
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        raise Http404("No such action")
    fallback = reverse("kpiboard:entry")
    next_url = _safe_next(request, fallback)
    note = request.POST.get("note", "").strip()
    state, row = signoff_state(section, the_period.label)
    needs_reason = action in ("return", "reopen")
    allowed = action in allowed_actions(request.user, section, state)
    if needs_reason and not note and allowed:
        errors = {"note": f"Enter a reason for {_gerund(action)} this period"}
        return _confirm_page(
            request, section, the_period, action, next_url,
            errors=errors if "confirm" in request.POST else {}, note=note,
            base=request.POST.get("base_revision", ""), state=state, row=row,
            status=400 if "confirm" in request.POST else 200,
        )  # fmt: skip
    if action == "submit" and allowed:
        gaps = unexplained_gaps(user, section, the_period)
        if gaps:
            messages.error(request, _gaps_message(gaps, the_period))
            return redirect("kpiboard:check_answers", section.code, period_slug(the_period.label))
    base = request.POST.get("base_revision")
    try:
        set_signoff(
            request.user, section.code, the_period.label, ACTIONS[action], note,
            base_revision=_int(base) if base not in (None, "") else None,
        )  # fmt: skip
    except PermissionDenied:
        if not (can_submit(request.user, section) or can_approve(request.user, section)):
            raise
        messages.error(request, _refusal(request.user, section, action))
    except SignoffRefused as exc:
        if isinstance(exc, SignoffChanged) and needs_reason:  # keep the reason typed
            state, row = signoff_state(section, the_period.label)  # the sign-off saved now
            if action in allowed_actions(request.user, section, state):
                return _confirm_page(
                    request, section, the_period, action, next_url,
                    errors={"saved-now": next(iter(exc.errors.values()))}, note=note,
                    base=str(row.revision if row else 0), state=state, row=row,
                    status=CHANGED_ELSEWHERE,
                )  # fmt: skip
        messages.error(request, next(iter(exc.errors.values())))
    else:
        messages.success(request, f"{section.title} for {the_period.display} {ACTION_DONE[action]}")
    return redirect(next_url)


def _confirm_page(
    request, section, period, action, next_url, *, errors, note, base, state, row, status
):  # fmt: skip
    """The page asking for the reason to return or reopen a period. After someone else moved
    the sign-off (``errors`` under "saved-now") it shows the sign-off saved now and carries its
    revision (read before, never newer), keeping the reason typed (see :mod:`.conflicts`)."""
    context = {
        "section": section, "period": period, "slug": period_slug(period.label),
        "action": action, "action_label": ACTION_LABELS[action], "errors": errors,
        "note": note, "base_revision": base, "next": next_url, "state": state, "row": row,
        "by": f"{who(row.author)}, {when(row.created)}" if row else "",
        "saved_now": errors.get("saved-now", ""),
    }  # fmt: skip
    return render(request, "kpiboard/entry_signoff.html", context, status=status)


def _gaps_message(gaps, period: Period) -> str:
    codes = ", ".join(a.code for a in gaps)
    return (
        f"{codes} {'has' if len(gaps) == 1 else 'have'} gaps for {period.display}: enter the "
        "figures and commentary, or explain why not, before you submit"
    )


def _gerund(action: str) -> str:
    return {"return": "returning", "reopen": "reopening"}.get(action, action)


def _refusal(user, section: Section, action: str) -> str:
    if action == "reopen":
        return "Only an analyst or administrator can reopen an approved period"
    if action in ("approve", "return"):
        return f"Only an approver of {section.title} can {action} this period"
    return f"Only an owner of {section.title}'s indicators can submit this period"
