"""Create an instructor (or make an existing user one): a user with the study-session permission."""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Create a user who may run study sessions, or give an existing user that permission. "
        "The password comes from --password-env VAR (non-interactive) or a prompt."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password-env",
            metavar="VAR",
            help="read the password from this environment variable (never from the command line)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        users = get_user_model()
        permission = Permission.objects.get(
            content_type__app_label="patterns", codename="run_study_sessions"
        )
        user = users.objects.filter(username=options["username"]).first()
        if user is None:
            password = self._password(options["password_env"], options["username"])
            user = users.objects.create_user(
                options["username"], email=options["email"], password=password
            )
            verb = "Created"
        else:
            verb = "Updated"
        user.user_permissions.add(permission)
        self.stdout.write(f"{verb} instructor {user.get_username()!r}.")

    def _password(self, env_name: str | None, username: str) -> str:
        if env_name:
            password = os.environ.get(env_name, "")
            if not password:
                raise CommandError(f"--password-env {env_name}: the variable is empty or unset")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("the two passwords differ")
        users = get_user_model()
        try:
            validate_password(password, users(username=username))
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        return password
