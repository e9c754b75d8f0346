"""Accounts of the advisors' area: users and their roles, sessions, API tokens, log-in failures and
the audit log.

Passwords are hashed with Argon2id (argon2-cffi). Session and API tokens are random and long, so a
SHA-256 of them is enough to keep: the database alone signs no one in, and a row can be revoked.
The methods are synchronous: async callers run them in a thread.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from records.database import build_engine
from records.errors import KeyedError
from records.migrations import upgrade
from records.models import ROLES, ApiTokenRow, AuditRow, LoginFailureRow, SessionRow, UserRow, utcnow

NAME = re.compile(r"^[\w.@+-]{1,64}$")
MIN_PASSWORD = 10
TOKEN_PREFIX = "adv_"


class AccountError(KeyedError):
    """A request on accounts that cannot be done; ``key`` names the message (curation.messages)."""


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    disabled: bool
    created_at: str | None

    @property
    def is_advisor(self) -> bool:
        """Advisors and admins curate documents and review answers."""
        return self.role in ("advisor", "admin") and not self.disabled


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def aware(value: datetime) -> datetime:
    """SQLite gives naive datetimes back; they were stored as UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def iso(value: datetime | None) -> str | None:
    return aware(value).isoformat() if value is not None else None


def _user(row: UserRow) -> User:
    return User(row.id, row.name, row.role, row.disabled, iso(row.created_at))


class Accounts:
    """Users, sessions, tokens and the audit log; knows nothing about HTTP."""

    def __init__(self, engine: Engine, *, hasher: PasswordHasher | None = None) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._hasher = hasher or PasswordHasher()  # argon2id with the library's current parameters
        # Verifying against this when the name is unknown keeps the answer as slow as for a known name.
        self._dummy = self._hasher.hash(secrets.token_urlsafe(16))

    @classmethod
    def from_url(cls, url: str) -> Accounts:
        engine = build_engine(url)
        upgrade(engine)
        return cls(engine)

    def dispose(self) -> None:
        self.engine.dispose()

    # --- users ----------------------------------------------------------------------------------

    def add_user(self, name: str, role: str, password: str) -> User:
        if not NAME.match(name):
            raise AccountError("account_bad_name")
        if role not in ROLES:
            raise AccountError("account_bad_role", roles=", ".join(ROLES))
        if len(password) < MIN_PASSWORD:
            raise AccountError("account_short_password", minimum=MIN_PASSWORD)
        with self._sessions.begin() as session:
            if session.scalar(select(UserRow).where(UserRow.name == name)) is not None:
                raise AccountError("account_exists", name=name)
            row = UserRow(name=name, role=role, password_hash=self._hasher.hash(password), disabled=False)
            session.add(row)
            session.flush()
            return _user(row)

    def users(self) -> list[User]:
        with self._sessions() as session:
            return [_user(r) for r in session.scalars(select(UserRow).order_by(UserRow.name))]

    def user(self, name: str) -> User | None:
        with self._sessions() as session:
            row = session.scalar(select(UserRow).where(UserRow.name == name))
            return _user(row) if row is not None else None

    def set_disabled(self, name: str, disabled: bool = True) -> User:
        """Disable (or re-enable) a user; a disabled user's sessions end at once."""
        with self._sessions.begin() as session:
            row = self._named(session, name)
            row.disabled = disabled
            if disabled:
                for s in session.scalars(select(SessionRow).where(SessionRow.user_id == row.id)):
                    s.revoked_at = s.revoked_at or utcnow()
            return _user(row)

    def authenticate(self, name: str, password: str) -> User | None:
        """The enabled user with this name and password, or None."""
        with self._sessions.begin() as session:
            row = session.scalar(select(UserRow).where(UserRow.name == name))
            try:
                self._hasher.verify(row.password_hash if row else self._dummy, password)
            except (VerificationError, InvalidHashError):
                return None
            if row is None or row.disabled:
                return None
            if self._hasher.check_needs_rehash(row.password_hash):
                row.password_hash = self._hasher.hash(password)
            return _user(row)

    @staticmethod
    def _named(session: Session, name: str) -> UserRow:
        row = session.scalar(select(UserRow).where(UserRow.name == name))
        if row is None:
            raise AccountError("account_not_found", name=name)
        return row

    # --- API tokens -----------------------------------------------------------------------------

    def create_token(self, name: str) -> str:
        """A new API token for ``name``: returned once, only its hash is kept."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self._sessions.begin() as session:
            row = self._named(session, name)
            session.add(ApiTokenRow(token_hash=token_hash(token), prefix=token[:12], user_id=row.id))
        return token

    def token_user(self, token: str) -> User | None:
        """The user a token belongs to (disabled or not), or None for an unknown or revoked token."""
        with self._sessions.begin() as session:
            row = session.scalar(select(ApiTokenRow).where(ApiTokenRow.token_hash == token_hash(token)))
            if row is None or row.revoked_at is not None:
                return None
            row.last_used_at = utcnow()
            user = session.get(UserRow, row.user_id)
            return _user(user) if user is not None else None

    def tokens(self, name: str) -> list[dict[str, Any]]:
        with self._sessions() as session:
            user = self._named(session, name)
            rows = session.scalars(
                select(ApiTokenRow).where(ApiTokenRow.user_id == user.id).order_by(ApiTokenRow.id)
            )
            return [
                {
                    "id": r.id,
                    "prefix": r.prefix,
                    "created_at": iso(r.created_at),
                    "last_used_at": iso(r.last_used_at),
                    "revoked": r.revoked_at is not None,
                }
                for r in rows
            ]

    def revoke_token(self, name: str, token_id: int) -> bool:
        with self._sessions.begin() as session:
            user = self._named(session, name)
            row = session.get(ApiTokenRow, token_id)
            if row is None or row.user_id != user.id:
                return False
            row.revoked_at = row.revoked_at or utcnow()
            return True

    # --- sessions -------------------------------------------------------------------------------

    def create_session(self, user_id: int, lifetime: timedelta) -> str:
        token = secrets.token_urlsafe(32)
        with self._sessions.begin() as session:
            session.add(
                SessionRow(token_hash=token_hash(token), user_id=user_id, expires_at=utcnow() + lifetime)
            )
        return token

    def session_user(self, token: str) -> User | None:
        """The user of a live session, or None when it is unknown, revoked or expired."""
        with self._sessions() as session:
            row = session.scalar(select(SessionRow).where(SessionRow.token_hash == token_hash(token)))
            if row is None or row.revoked_at is not None or aware(row.expires_at) <= utcnow():
                return None
            user = session.get(UserRow, row.user_id)
            return _user(user) if user is not None else None

    def revoke_session(self, token: str) -> None:
        with self._sessions.begin() as session:
            row = session.scalar(select(SessionRow).where(SessionRow.token_hash == token_hash(token)))
            if row is not None:
                row.revoked_at = row.revoked_at or utcnow()

    # --- log-in failures ------------------------------------------------------------------------

    def record_failure(self, *keys: str) -> None:
        with self._sessions.begin() as session:
            session.add_all(LoginFailureRow(key=key[:128]) for key in keys)

    def recent_failures(self, key: str, window: timedelta) -> int:
        since = utcnow() - window
        with self._sessions.begin() as session:
            # Older failures are of no use to anyone: drop them while counting.
            session.execute(delete(LoginFailureRow).where(LoginFailureRow.at < since))
            count = session.scalar(
                select(func.count()).select_from(LoginFailureRow).where(LoginFailureRow.key == key[:128])
            )
            return int(count or 0)

    def clear_failures(self, key: str) -> None:
        with self._sessions.begin() as session:
            session.execute(delete(LoginFailureRow).where(LoginFailureRow.key == key[:128]))

    # --- audit log ------------------------------------------------------------------------------

    def audit(
        self,
        actor: str,
        action: str,
        target: str | None = None,
        comment: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        with self._sessions.begin() as session:
            session.add(AuditRow(actor=actor, action=action, target=target, comment=comment, details=details))

    def audit_log(self, limit: int = 200, action: str | None = None) -> list[dict[str, Any]]:
        """The latest actions, newest first."""
        query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
        if action:
            query = query.where(AuditRow.action == action)
        with self._sessions() as session:
            return [
                {
                    "at": iso(r.at),
                    "actor": r.actor,
                    "action": r.action,
                    "target": r.target,
                    "comment": r.comment,
                    "details": r.details,
                }
                for r in session.scalars(query)
            ]
