"""The console's user: the e-mail address is the login name."""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone

from .addresses import MAX_EMAIL_LENGTH, clean_new_email, normalize_email


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        """Find a user by e-mail: the normal form of what was typed, compared exactly with the stored one."""
        return self.get(email=normalize_email(username))

    def create_user(self, email, password=None, **extra_fields):
        """Create a person who signs in with this e-mail address (ValidationError for an address refused)."""
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=clean_new_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra_fields):
        """Create a staff superuser."""
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    # Always the normal form (console.addresses): unique here means one account per person.
    email = models.EmailField("e-mail address", unique=True, max_length=MAX_EMAIL_LENGTH)
    full_name = models.CharField("name", max_length=150, blank=True)
    is_staff = models.BooleanField(
        "staff status", default=False, help_text="Can sign in to the Django admin."
    )
    is_active = models.BooleanField("active", default=True)
    date_joined = models.DateTimeField("date joined", default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = "user"
        verbose_name_plural = "users"
        ordering = ["email"]

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        self.email = normalize_email(self.email)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        self.email = normalize_email(self.email)

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email


class OutboxMessage(models.Model):
    """A mail to send, written in the same transaction as the change it tells of (console.outbox delivers it).

    A broker that is down when the change commits only delays the mail: the row waits here until the
    worker, or the beat's sweep, delivers it once.
    """

    kind = models.CharField(max_length=100, help_text="Which registered sender delivers it.")
    payload = models.JSONField(default=dict, blank=True, help_text="The sender's arguments; emptied once sent.")
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # A delivery under way holds the message until then (longer than a send may take).
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sweep's question: what is due and not yet done.
            models.Index(
                fields=["next_attempt_at"], name="outbox_due",
                condition=models.Q(sent_at__isnull=True, failed_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.kind} #{self.pk}"
