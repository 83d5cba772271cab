"""The log-in audit trail, which is also what the log-in throttle counts."""
from django.db import models


class LoginAttempt(models.Model):
    class Channel(models.TextChoices):
        ADMIN = "admin", "Admin log-in"
        API = "api", "API token"
        SHOP = "shop", "Shop account"

    username = models.CharField(max_length=150, db_index=True)
    address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    succeeded = models.BooleanField(default=False)
    refused_locked = models.BooleanField(default=False, help_text="Refused before checking the password: locked out.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["username", "created_at"]), models.Index(fields=["address", "created_at"])]

    def __str__(self) -> str:
        outcome = "ok" if self.succeeded else ("locked" if self.refused_locked else "failed")
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.channel} {self.username!r} from {self.address}: {outcome}"
