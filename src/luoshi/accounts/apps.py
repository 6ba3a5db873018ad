from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Sign-in, sign-out and passwords: throttling (django-axes), the audit trail of logins,
    the idle timeout and the password change page."""

    name = "luoshi.accounts"
    verbose_name = "账号"

    def ready(self) -> None:
        from luoshi.accounts import signals  # noqa: F401  (connects the login receivers)
