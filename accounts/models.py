from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import cached_property

CLINICIANS_GROUP = "clinicians"
STAFF_PATIENT = (
    "A patient account cannot be staff or a superuser, and a staff account cannot have a "
    "patient profile. Use separate accounts."
)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email=normalize_email(username or ""))


def normalize_email(email: str) -> str:
    # Case-insensitive logins: a phone keyboard that capitalises the first letter
    # must not create a second account.
    return email.strip().lower()


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: a patient (API) or a clinician (admin)."""

    email = models.EmailField(unique=True)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    # Set when the owner proved they read mail at ``email``; until then email is not a
    # channel (notify.services.email_usable), so nobody can register someone else's address
    # and have "see a doctor" mail sent to it.
    email_verified_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.email

    def save(self, *args: object, **kwargs: object) -> None:
        self.email = normalize_email(self.email)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        # The patient API and the selectors treat staff as staff: a patient profile on a
        # staff account would be a patient who sees other patients' data.
        if (self.is_staff or self.is_superuser) and self.pk and hasattr(self, "patient"):
            raise ValidationError(STAFF_PATIENT)

    @cached_property  # once per request: every scoped query and permission check asks
    def is_clinician(self) -> bool:
        return self.is_staff and self.groups.filter(name=CLINICIANS_GROUP).exists()
