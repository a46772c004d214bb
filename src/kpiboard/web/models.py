"""The web application's data: the indicator register and everything entered against it.

Figures, commentary, overrides, definitions and sign-offs are append-only: a change adds a
revision (who, when, why, the value) and marks it current; earlier revisions stay for the history.
Nothing is deleted: indicators are archived. A partial unique index keeps one current revision per
key, so two concurrent saves cannot both win.
"""

from __future__ import annotations

import json
import uuid
from typing import Any, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from ..core.due_dates import REMINDER_LABELS, ReminderKind
from ..core.plan_cycle import PlanTaskKind

#: The reminders ``kpiboard remind`` sends, with the words the messages page shows.
REMINDER_CHOICES = [(kind.value, REMINDER_LABELS[kind]) for kind in ReminderKind]
#: The business plan's kinds of task, with the words the messages page shows.
PLAN_TASK_CHOICES = [(kind.value, kind.words) for kind in PlanTaskKind]


class OrderedJSONField(models.TextField):
    """JSON stored as text. PostgreSQL's jsonb re-sorts object keys, and here key order carries
    meaning (metadata and notes print in the order the pack gives), so it must survive."""

    # django-stubs: the attribute holds decoded JSON (a dict, list, ...), not the column's text.
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def from_db_value(self, value, expression, connection):
        return None if value is None else json.loads(value)

    def to_python(self, value):
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value

    def get_prep_value(self, value):
        return None if value is None else json.dumps(value, ensure_ascii=False)


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", "Administrator"
    ANALYST = "analyst", "Analyst"
    OWNER = "owner", "Indicator owner"
    APPROVER = "approver", "Approver"
    VIEWER = "viewer", "Viewer"


#: What each role may do, as the people pages explain it (the rules are in web/permissions.py).
ROLE_HINTS = {
    Role.ADMINISTRATOR: "Everything, including managing people and reading the sign-in records.",
    Role.ANALYST: "Everything except managing people: enters and imports data for every "
    "indicator and changes approved periods.",
    Role.OWNER: "Enters figures and commentary for their indicators and sections, and submits "
    "them for approval.",
    Role.APPROVER: "Signs off their sections' periods.",
    Role.VIEWER: "Reads the dashboard, indicators and reports.",
}


class Profile(models.Model):
    """A person's role and what they own or approve."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kpi_profile"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VIEWER)
    sections: models.ManyToManyField[Section, Any] = models.ManyToManyField(
        "Section", blank=True, related_name="people"
    )
    indicators: models.ManyToManyField[Indicator, Any] = models.ManyToManyField(
        "Indicator", blank=True, related_name="owners"
    )

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.get_role_display()})"


class Site(models.Model):
    """The one pack the site holds: its manifest, and a version bumped by every change."""

    manifest = OrderedJSONField(default=dict)
    #: The pack's benchmarks.yaml as written, or None when it has none: kept as text, not
    #: JSON, so its messages name the file's own lines and an export gives it back as it was.
    benchmarks = models.TextField(null=True, blank=True)
    version = models.BigIntegerField(default=0)
    loaded_at = models.DateTimeField(null=True, blank=True)

    @classmethod
    def get(cls) -> Site:
        site, _ = cls.objects.get_or_create(pk=1)
        return site


class DataChange(models.Model):
    """Which indicators one data version changed, written in the same transaction as the bump.

    A worker holding the pack of an older version reads these rows to rebuild only the
    indicators touched since (see web/incremental.py). ``indicators`` is null when the change
    may reach beyond any one indicator's figures and commentary (definitions, the manifest,
    sections, the reporting month, a pack load): the pack is then built again in full.
    """

    version = models.BigIntegerField(unique=True)
    indicators = models.JSONField(null=True, blank=True)  # indicator codes, or null: everything

    def __str__(self) -> str:
        return f"version {self.version}"


class Section(models.Model):
    code = models.SlugField(max_length=60, unique=True)
    title = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)
    definition = OrderedJSONField(default=dict)  # the manifest's entry for the section

    class Meta:
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.title


class Indicator(models.Model):
    code = models.CharField(max_length=60, unique=True)
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="indicators")
    title = models.CharField(max_length=400)
    position = models.PositiveIntegerField(default=0)
    archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["section__position", "position", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


_R = TypeVar("_R", bound="Revision")


class RevisionQuerySet(models.QuerySet[_R]):
    """The append-only step, in one place for every kind of revision."""

    def current_for_update(self, **key: Any) -> _R | None:
        """The key's current revision, locked until the transaction ends (None: none yet)."""
        return self.select_for_update().filter(is_current=True, **key).first()

    def append(self, current: _R | None, **fields: Any) -> _R:
        """Retire ``current`` (the key's current revision, read in this transaction; None when
        there is none) and add the next revision with ``fields`` (the key included). The old
        row stays for the history; the partial unique index on ``is_current`` turns a second
        writer that slipped past the lock into an ``IntegrityError``."""
        if current is not None:
            current.is_current = False
            current.save(update_fields=["is_current"])
        row = self.following(current, **fields)
        row.save(force_insert=True, using=self.db)
        return row

    def following(self, current: _R | None, **fields: Any) -> _R:
        """The (unsaved) revision after ``current``; bulk loads retire and insert in batches."""
        return self.model(revision=current.revision + 1 if current else 1, **fields)


RevisionManager = models.Manager.from_queryset(RevisionQuerySet)


class Revision(models.Model):
    """Fields every append-only record has; ``objects.append`` writes the next revision."""

    revision = models.PositiveIntegerField()
    is_current = models.BooleanField(default=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Indexed: Recent changes reads the newest revisions of every kind first (views/changes.py).
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    reason = models.CharField(max_length=500, blank=True)

    objects = RevisionManager()

    class Meta:
        abstract = True


class Definition(Revision):
    """An indicator's definition (the pack's indicator YAML as JSON), rules included."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="definitions")
    body = OrderedJSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["indicator", "revision"], name="definition_revision"),
            models.UniqueConstraint(
                fields=["indicator"], condition=Q(is_current=True), name="definition_current"
            ),
        ]


class Figure(Revision):
    """One value of one series of an indicator for one period; value None withdraws a figure."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="figures")
    period = models.CharField(max_length=20)  # canonical label, e.g. 2013-09 or 2013/14 Q2
    series = models.CharField(max_length=60)
    value = models.FloatField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    api_token = models.ForeignKey(  # the token an API write came through; None for the web
        "ApiToken", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    #: The file ``kpiboard benchmarks fetch`` owns (data/fingertips.csv) that a pack load read
    #: this revision from; blank for any other pack file, the web, the API and imports. An
    #: export writes the figure back there only while this is set, so a fetch that rewrites the
    #: file whole never takes a figure someone keyed in or corrected (web.pack_benchmarks).
    #: Blank in the database too, for rows written without it (by a server not yet upgraded).
    fetched_file = models.CharField(max_length=40, blank=True, default="", db_default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period", "series", "revision"], name="figure_revision"
            ),
            models.UniqueConstraint(
                fields=["indicator", "period", "series"],
                condition=Q(is_current=True),
                name="figure_current",
            ),
        ]
        indexes = [models.Index(fields=["is_current", "indicator"], name="figure_current_idx")]


class CommentaryText(Revision):
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="commentary")
    period = models.CharField(max_length=20)
    text = models.TextField(blank=True)
    api_token = models.ForeignKey(  # the token an API write came through; None for the web
        "ApiToken", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period", "revision"], name="commentary_revision"
            ),
            models.UniqueConstraint(
                fields=["indicator", "period"],
                condition=Q(is_current=True),
                name="commentary_current",
            ),
        ]


class Narrative(Revision):
    name = models.CharField(max_length=120)  # the pack's narrative/NAME.md
    text = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "revision"], name="narrative_revision"),
            models.UniqueConstraint(
                fields=["name"], condition=Q(is_current=True), name="narrative_current"
            ),
        ]


class PlanFile(Revision):
    """One business plan file of the pack (``plan/actions.yaml`` ...), its YAML as JSON."""

    name = models.CharField(max_length=120)  # the pack's plan/NAME.yaml
    body = OrderedJSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "revision"], name="planfile_revision"),
            models.UniqueConstraint(
                fields=["name"], condition=Q(is_current=True), name="planfile_current"
            ),
        ]


class SignoffState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"


class Signoff(Revision):
    """Where a section's period stands: draft, submitted for approval, or approved (locked)."""

    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="signoffs")
    period = models.CharField(max_length=20)
    state = models.CharField(max_length=20, choices=SignoffState.choices)
    site_version = models.BigIntegerField(default=0)  # the data version approved

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["section", "period", "revision"], name="signoff_revision"
            ),
            models.UniqueConstraint(
                fields=["section", "period"], condition=Q(is_current=True), name="signoff_current"
            ),
        ]


class MonthMove(models.TextChoices):
    """Why the site's reporting month is what it is; the labels are the words its page shows."""

    LOADED = "loaded", "Pack loaded"
    APPROVED = "approved", "Period approved"
    MOVED = "moved", "Moved by hand"


class ReportingMonth(Revision):
    """The site's reporting month: the month the dashboard, indicator pages, override lists and
    reports show unless someone asks for an earlier one (see :mod:`kpiboard.web.reporting_month`).
    One current revision for the whole site; each move adds a revision with who, why and how."""

    period = models.CharField(max_length=20)  # a month's canonical label, e.g. 2013-10
    move = models.CharField(max_length=20, choices=MonthMove.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["revision"], name="reporting_month_revision"),
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="reporting_month_current"
            ),
        ]


class GapExplanation(Revision):
    """Why an indicator has no figure or commentary for a period when its section is submitted
    (see :mod:`kpiboard.web.submission`); an empty text withdraws the explanation."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="gaps")
    period = models.CharField(max_length=20)
    text = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period", "revision"], name="gap_revision"
            ),
            models.UniqueConstraint(
                fields=["indicator", "period"], condition=Q(is_current=True), name="gap_current"
            ),
        ]


class PeerValue(models.Model):
    """Another organisation's figure, for ranking (reference data loaded from a pack)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="peers")
    period = models.CharField(max_length=20)
    organisation = models.CharField(max_length=60)
    value = models.FloatField()
    #: As on :class:`Figure`: peers/fingertips.csv when the last load read it from there.
    fetched_file = models.CharField(max_length=40, blank=True, default="", db_default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period", "organisation"], name="peer_value"
            )
        ]


class SignInThrottle(models.Model):
    """Failed sign-ins of one username from one address (see :mod:`kpiboard.web.throttle`)."""

    address = models.CharField(max_length=64)
    username = models.CharField(max_length=150)
    failures = models.PositiveIntegerField(default=0)
    last_failure = models.DateTimeField(null=True)
    blocked_until = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["address", "username"], name="sign_in_throttle")
        ]


class SecurityEventKind(models.TextChoices):
    """What a :class:`SecurityEvent` records; the labels are the words the events page shows."""

    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    THROTTLED = "throttled", "Sign-in refused: too many failures"
    SIGN_OUT = "sign_out", "Signed out"
    PERSON_ADDED = "person_added", "Person added"
    TWO_FACTOR_SET_UP = "2fa_set_up", "Two-factor authentication set up"
    TWO_FACTOR_OFF = "2fa_off", "Two-factor authentication turned off"
    TWO_FACTOR_RESET = "2fa_reset", "Two-factor authentication reset"
    TWO_FACTOR_VERIFIED = "2fa_verified", "Two-factor code accepted"
    TWO_FACTOR_FAILED = "2fa_failed", "Two-factor code refused"
    RECOVERY_CODE_USED = "2fa_recovery_used", "Recovery code used"
    RECOVERY_CODES_NEW = "2fa_recovery_new", "New recovery codes made"
    SSO_REFUSED = "sso_refused", "Single sign-on refused"
    SSO_FAILED = "sso_failed", "Single sign-on did not finish"
    EMAIL_CHANGED = "email_changed", "Email address changed"
    NAME_CHANGED = "name_changed", "Name changed"
    ROLE_CHANGED = "role_changed", "Role changed"
    SCOPE_CHANGED = "scope_changed", "Sections or indicators changed"
    DEACTIVATED = "deactivated", "Person deactivated"
    REACTIVATED = "reactivated", "Person reactivated"
    INVITED = "invited", "Set-password email sent"
    RESET_REQUESTED = "reset_requested", "Password reset requested"
    RESET_COMPLETED = "reset_completed", "Password reset completed"
    TOKEN_CREATED = "token_created", "API token created"
    TOKEN_REVOKED = "token_revoked", "API token revoked"
    TOKEN_USED = "token_used", "API token used (first use that day)"
    TOKEN_WRITE = "token_write", "API token wrote data"


class SecurityEvent(models.Model):
    """One sign-in, failure, throttled attempt, sign-out, or change to a person (see
    :mod:`kpiboard.web.security_log`): ``user`` is whom it is about, ``actor`` who made a change
    to someone (an administrator; none for the person's own doing or the command line), and
    ``detail`` what changed, before → after. Append-only: a row is never changed or deleted, so
    the trail cannot be tidied up after the fact. No password or other secret is ever kept."""

    created = models.DateTimeField(auto_now_add=True, db_index=True)
    kind = models.CharField(max_length=20, choices=SecurityEventKind.choices)
    username = models.CharField(max_length=150)  # as typed, normalised; may name nobody
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    address = models.CharField(max_length=64, blank=True)  # as the sign-in throttle sees it
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "-created"], name="security_event_kind")]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("security events are append-only: a recorded one is never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("security events are append-only: a recorded one is never deleted")


class SentReminder(models.Model):
    """One reminder sent to one person about one indicator's period, or one business plan task
    (an action's update, a risk's review) of a period. Unique per person, indicator or plan
    item, period and kind, so a second run of ``kpiboard remind`` sends nothing again."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kpi_reminders"
    )
    address = models.CharField(max_length=254)  # where it went, as it was then
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="reminders", null=True, blank=True
    )
    plan_task = models.CharField(max_length=20, choices=PLAN_TASK_CHOICES, blank=True)
    plan_item = models.CharField(max_length=120, blank=True)  # the action's or risk's id
    period = models.CharField(max_length=20)
    kind = models.CharField(max_length=20, choices=REMINDER_CHOICES)
    due = models.DateField()
    subject = models.CharField(max_length=300)
    sent = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "indicator", "period", "kind"], name="sent_reminder"
            ),
            models.UniqueConstraint(
                fields=["user", "plan_task", "plan_item", "period", "kind"],
                condition=Q(indicator__isnull=True),
                name="sent_plan_reminder",
            ),
            models.CheckConstraint(  # about an indicator, or about a plan task: one of the two
                condition=Q(indicator__isnull=False, plan_item="")
                | Q(indicator__isnull=True, plan_item__gt="", plan_task__gt=""),
                name="sent_reminder_subject",
            ),
        ]


class JobKind(models.TextChoices):
    """What a background :class:`Job` does; the labels are the words its page shows."""

    IMPORT = "import", "Import"
    REPORT = "report", "Report"
    PUBLISH = "publish", "Publication"


class JobOutcome(models.TextChoices):
    """How a job ended; empty while it waits or runs."""

    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class Job(models.Model):
    """A large import or report run by a worker (see :mod:`kpiboard.web.jobs`): who started it,
    for what, and how it ended. Its progress while it runs is kept in a small file beside it,
    not here, since an import writes progress while its own long transaction is open."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=10, choices=JobKind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kpi_jobs"
    )
    title = models.CharField(max_length=300)  # e.g. "Import of figures.csv"
    params = OrderedJSONField(default=dict)  # the upload's token, or the report's choices
    task_id = models.CharField(max_length=64, blank=True)  # the django-tasks result
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=JobOutcome.choices, blank=True)
    message = models.TextField(blank=True)  # what it did, or why it failed
    result_file = models.CharField(max_length=200, blank=True)  # a file to download, if any

    class Meta:
        indexes = [models.Index(fields=["owner", "-created"], name="job_owner_created")]


class Publication(models.Model):
    """One publication of the approved figures as open data (see :mod:`kpiboard.web.publishing`):
    who published, when, and which period of each section, as whose approval. Append-only, like
    the security events: the record of what went public is never changed or removed."""

    created = models.DateTimeField(auto_now_add=True, db_index=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    file_name = models.CharField(max_length=200)  # the zip the publisher downloaded
    #: One entry per section published: its code and title, the period published up to, who
    #: approved that period and when, and the periods left out as not approved.
    periods = OrderedJSONField(default=list)

    class Meta:
        ordering = ["-created"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("publications are append-only: a recorded one is never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("publications are append-only: a recorded one is never deleted")


class ApiScope(models.TextChoices):
    """What a personal API token may do: read everything its owner may read, or also write
    figures and commentary as its owner may (see :mod:`kpiboard.web.api_tokens`)."""

    READ = "read", "Read"
    WRITE = "write", "Read and write"


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 hash of the secret is kept (the secret is shown once,
    when it is made); ``prefix`` is its first characters, shown so that people can tell their
    tokens apart. A revoked token stays, so writes made with it still name it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kpi_api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16)
    digest = models.CharField(max_length=64, unique=True)
    scope = models.CharField(max_length=10, choices=ApiScope.choices)
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires = models.DateTimeField()
    revoked = models.DateTimeField(null=True, blank=True)
    last_used = models.DateField(null=True, blank=True)  # the day it was last used
    window_start = models.DateTimeField(null=True, blank=True)  # the rate limit's minute
    window_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"


class ApiIdempotency(models.Model):
    """The answer to an API write made with an ``Idempotency-Key``: a retry with the same key
    and the same body gets this answer again and writes nothing; written in the transaction of
    the write, so a write that failed leaves no key behind."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    request_digest = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    body = OrderedJSONField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "key"], name="api_idempotency")]
