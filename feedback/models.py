"""Feedback reports, stored de-linked from people, organizations and conversations."""

import uuid

from django.db import models
from django.utils import timezone


class Surface(models.TextChoices):
    CHAT = "chat", "Chat"
    WORKBENCH = "workbench", "Workbench"


class Rating(models.TextChoices):
    UP = "up", "Thumbs up"
    DOWN = "down", "Thumbs down"


class Feedback(models.Model):
    """One rated conversation. Deliberately no column refers to a user, org or conversation."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    surface = models.CharField(max_length=16, choices=Surface.choices)
    rating = models.CharField(max_length=8, choices=Rating.choices)
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
        return f"{self.get_rating_display()} on {self.get_surface_display()} ({self.id})"


# Reports of one org on one day are counted on several rows, chosen at random, so that
# concurrent submissions do not queue on a single row lock; readers sum the shards.
COUNT_SHARDS = 16


class DailyFeedbackCount(models.Model):
    """How many reports an organization gave on one day: counts only, for the owners' overview."""

    organization = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    surface = models.CharField(max_length=16, choices=Surface.choices)
    rating = models.CharField(max_length=8, choices=Rating.choices)
    shard = models.PositiveSmallIntegerField(default=0)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "day", "surface", "rating", "shard"], name="one_daily_count_per_shard"
            ),
        ]
        indexes = [models.Index(fields=["day"], name="daily_count_day")]

    def __str__(self):
        return f"{self.organization_id} {self.day} {self.surface} {self.rating}: {self.count}"
