"""Records of retention runs: each purge and each invariant check leaves one row."""

from django.db import models


class RunKind(models.TextChoices):
    PURGE = "purge", "Purge"
    INVARIANT_CHECK = "invariant_check", "Invariant check"


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped (another purge held the lock)"


class RetentionRun(models.Model):
    """One purge or invariant check: when it ran, what it found or deleted, and how it ended."""

    kind = models.CharField(max_length=16, choices=RunKind.choices, default=RunKind.PURGE)
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.RUNNING)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    retention_years = models.PositiveSmallIntegerField()
    cutoff = models.DateTimeField(help_text="Reports submitted before this instant were due for deletion "
                                            "(invariant check: were past the period plus one purge interval).")
    batch_size = models.PositiveIntegerField(null=True, blank=True)
    batches = models.PositiveIntegerField(default=0)
    rows_deleted = models.PositiveBigIntegerField(default=0, help_text="Feedback reports deleted.")
    partitions_dropped = models.PositiveIntegerField(
        default=0, db_default=0, help_text="Days of reports dropped whole (their partition detached and dropped)."
    )
    daily_counts_deleted = models.PositiveBigIntegerField(default=0)
    overdue_reports = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Invariant check: reports older than the cutoff plus one purge interval."
    )
    stray_reports = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Invariant check: reports stored outside any daily partition."
    )
    identifying_columns = models.JSONField(
        default=list, blank=True, help_text="Invariant check: feedback columns outside the allowed set."
    )
    task_id = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["kind", "-started_at"], name="retention_run_kind_started"),
            models.Index(fields=["-started_at"], name="retention_run_started"),  # the staff list, newest first
        ]
        permissions = [("run_purge", "Can start a retention purge now")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.started_at:%Y-%m-%d %H:%M:%S} ({self.status})"

    @property
    def duration(self):
        """How long the run took, or None while it runs."""
        return self.finished_at - self.started_at if self.finished_at else None

    @property
    def rows_per_second(self):
        """Reports deleted per second of run time, or None when not measurable."""
        seconds = self.duration.total_seconds() if self.duration else 0
        return self.rows_deleted / seconds if seconds > 0 else None
