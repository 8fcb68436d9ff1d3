"""Every message about users and signing in, in Swedish and English: the one place the CLI and the dashboard take them from."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Message:
    sv: str
    en: str

    def __str__(self) -> str:
        return f"{self.sv} / {self.en}"


# Signing in (the dashboard shows these)

UNKNOWN_USER = Message(
    "Okänt användarnamn. Kontrollera stavningen, eller be den nationella stödfunktionen om ett konto.",
    "Unknown user name. Check the spelling, or ask the national support function for an account.",
)
WRONG_PASSWORD = Message(
    "Fel lösenord. Försök igen, eller be den nationella stödfunktionen om ett nytt lösenord.",
    "Wrong password. Try again, or ask the national support function for a new password.",
)


def throttled(wait_seconds: float) -> Message:
    seconds = max(1, math.ceil(wait_seconds))
    return Message(
        f"För många misslyckade inloggningar. Försök igen om {seconds} {'sekund' if seconds == 1 else 'sekunder'}.",
        f"Too many failed sign-ins. Try again in {seconds} {'second' if seconds == 1 else 'seconds'}.",
    )


SESSION_EXPIRED = Message(
    "Din session har gått ut och du har loggats ut. Logga in igen.",
    "Your session has expired and you have been signed out. Please sign in again.",
)


# Managing users (the `ips-monitor users` command shows these)


def user_exists(username: str) -> Message:
    return Message(f"användaren {username!r} finns redan", f"user {username!r} already exists")


def no_such_user(username: str) -> Message:
    return Message(f"användaren {username!r} finns inte", f"there is no user {username!r}")


def invalid_username(username: str) -> Message:
    return Message(
        f"ogiltigt användarnamn {username!r}: 1–64 tecken, bokstäver, siffror och . _ @ + -",
        f"invalid user name {username!r}: 1–64 characters, letters, digits and . _ @ + -",
    )


SITE_ID_REQUIRED = Message(
    "en användare med rollen site behöver ett verksamhets-id (--site IPS0001)",
    "a user with the role site needs a site id (--site IPS0001)",
)


def invalid_site_id(site_id: str) -> Message:
    return Message(
        f"ogiltigt verksamhets-id {site_id!r}: IPS och fyra siffror, t.ex. IPS0001",
        f"invalid site id {site_id!r}: IPS and four digits, e.g. IPS0001",
    )


def site_id_forbidden(role: str) -> Message:
    return Message(
        f"bara en användare med rollen site har ett verksamhets-id, inte rollen {role}",
        f"only a user with the role site has a site id, not the role {role}",
    )


PASSWORD_EMPTY = Message("lösenordet är tomt", "the password is empty")


def password_too_short(minimum: int) -> Message:
    return Message(f"lösenordet är för kort: minst {minimum} tecken", f"the password is too short: at least {minimum} characters")


PASSWORDS_DIFFER = Message("lösenorden är inte lika", "the passwords do not match")
NO_PASSWORD_GIVEN = Message("inget lösenord angavs", "no password was given")
PASSWORD_PROMPT = "Lösenord / password: "
PASSWORD_AGAIN_PROMPT = "Samma lösenord igen / the same password again: "
PASSWORD_SHOWN_ONCE = Message(
    "Lösenordet visas bara nu och sparas inte. Ge det till användaren på ett säkert sätt.",
    "The password is shown only now and is not stored. Give it to the user securely.",
)
NO_USERS = Message("inga användare", "no users")
