"""Feedback reports, stored de-linked from people, organizations and conversations."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

ERR_STAFF_ACCESS_APPEND_ONLY = "Staff-access records are never changed or deleted."


class Surface(models.TextChoices):
    CHAT = "chat", "Chat"
    WORKBENCH = "workbench", "Workbench"
    CODE = "code", "Claude Code"


class Kind(models.TextChoices):
    RATING = "rating", "Rating"
    BUG = "bug", "Bug report"


class Rating(models.TextChoices):
    UP = "up", "Thumbs up"
    DOWN = "down", "Thumbs down"


class Feedback(models.Model):
    """One reported conversation: rated, or reported as a bug. Deliberately no column refers to a user, org or conversation."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    surface = models.CharField(max_length=16, choices=Surface.choices)
    # db_default: rows written by SQL that predates bug reports (benchmarks, other tools) are ratings.
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.RATING, db_default=Kind.RATING)
    # Null on a bug report, which has no rating.
    rating = models.CharField(max_length=8, choices=Rating.choices, null=True, blank=True)
    # A bug report's description (never blank); a rating's optional comment.
    comment = models.TextField(blank=True)
    conversation = models.JSONField()
    # Index in conversation["messages"] of the assistant message rated; null for reports stored before it was recorded.
    message_index = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "feedback report"
        verbose_name_plural = "feedback reports"
        ordering = ["-created_at"]

    def __str__(self):
        what = self.get_rating_display() if self.kind == Kind.RATING else self.get_kind_display()
        return f"{what} on {self.get_surface_display()} ({self.id})"


# Reports of one org on one day are counted on several rows, chosen at random, so that
# concurrent submissions do not queue on a single row lock; readers sum the shards.
COUNT_SHARDS = 16


class DailyFeedbackCount(models.Model):
    """How many reports an organization gave on one day: counts only, for the owners' overview."""

    organization = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    surface = models.CharField(max_length=16, choices=Surface.choices)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.RATING, db_default=Kind.RATING)
    # "" on bug reports' rows: a unique constraint never matches NULLs, and the count upserts on it.
    rating = models.CharField(max_length=8, choices=Rating.choices, blank=True)
    shard = models.PositiveSmallIntegerField(default=0)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "day", "surface", "kind", "rating", "shard"], name="one_daily_count_per_kind_shard"
            ),
        ]
        indexes = [models.Index(fields=["day"], name="daily_count_day")]

    def __str__(self):
        return f"{self.organization_id} {self.day} {self.surface} {self.kind} {self.rating}: {self.count}"


class StaffAccess(models.Model):
    """One read of reports by staff: a report opened in the admin, or an export of a date range.

    Append-only: written by feedback.services, never changed or deleted (see save/delete). It names
    the staff member and the report, never a customer; report ids are kept as values, not keys,
    so the record outlives the report's purge.
    """

    class Kind(models.TextChoices):
        VIEWED = "report.viewed", "Report opened in the admin"
        EXPORTED = "reports.exported", "Reports exported"

    kind = models.CharField(max_length=32, choices=Kind.choices)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # Kept as written, so the record still names the person after their account is gone.
    staff_email = models.EmailField()
    feedback_id = models.UUIDField(null=True, blank=True)
    since = models.DateTimeField(null=True, blank=True)
    until = models.DateTimeField(null=True, blank=True)
    report_count = models.PositiveIntegerField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # Where the read happened: "admin", or the export command with the host it ran on.
    origin = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "staff access to reports"
        verbose_name_plural = "staff accesses to reports"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.staff_email} {self.get_kind_display().lower()} at {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError(ERR_STAFF_ACCESS_APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(ERR_STAFF_ACCESS_APPEND_ONLY)
