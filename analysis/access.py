"""Who may change the corpus: one permission check for every write, from any page or path.

A deployment is either read-only (nothing is written, whoever asks) or open to editors,
optionally behind one editor password. A successful login hands out an `EditorKey`
(an opaque token the session keeps instead of the password). Failed logins lock the
door with a back-off that doubles (5 failures -> 30 s, then 60 s, 120 s …), every
attempt is logged, and the comparison takes the same time whatever was typed.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger("policy.access")

MAX_FAILURES = 5  # failures allowed before the first wait
BASE_WAIT = 30.0  # seconds; doubles with every further failure


class AccessDenied(PermissionError):
    """A write was refused; str(exc) is the Chinese reason to show the editor."""


@dataclass(frozen=True)
class EditorKey:
    """Proof of a successful login, kept in the session instead of the password."""

    token: str = field(repr=False)


def _digest(text: str) -> bytes:
    # Both sides hashed first: compare_digest then compares equal lengths, so the time
    # taken says nothing about the password's length either.
    return hashlib.sha256(text.encode("utf-8")).digest()


class Access:
    """The one permission check. `check(key, action)` raises AccessDenied or returns."""

    def __init__(
        self,
        password: str = "",
        *,
        read_only: bool = False,
        store_read_only: Callable[[], bool] = lambda: False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._password = _digest(password) if password else b""
        self._read_only = read_only
        self._store_read_only = store_read_only
        self._clock = clock
        self._lock = threading.Lock()
        self._keys: set[str] = set()
        self._failures = 0
        self._locked_until = 0.0

    # ------------------------------------------------------------ state
    @property
    def read_only(self) -> bool:
        """Read-only deployment, or a store another process holds for writing."""
        return self._read_only or self._store_read_only()

    @property
    def needs_password(self) -> bool:
        return bool(self._password)

    def wait_seconds(self) -> float:
        """How long logins are refused from now (0 when the door is open)."""
        with self._lock:
            return max(0.0, self._locked_until - self._clock())

    # ------------------------------------------------------------ login
    def login(self, password: str, *, who: str = "") -> EditorKey:
        """An EditorKey for the right password; AccessDenied (with the reason) otherwise."""
        if self.read_only:
            raise AccessDenied("当前为只读模式，不能登录编辑。")
        if not self._password:
            return self._issue()
        with self._lock:
            now = self._clock()
            if now < self._locked_until:
                wait = self._locked_until - now
                log.warning("editor login refused (locked for %.0f s more) who=%s", wait, who or "-")
                raise AccessDenied(f"口令错误次数过多，请 {wait:.0f} 秒后再试。")
            ok = hmac.compare_digest(_digest(password or ""), self._password)
            if ok:
                self._failures = 0
                log.info("editor login succeeded who=%s", who or "-")
            else:
                self._failures += 1
                if self._failures >= MAX_FAILURES:
                    wait = BASE_WAIT * 2 ** (self._failures - MAX_FAILURES)
                    self._locked_until = now + wait
                    log.warning(
                        "editor login failed (%d in a row; locked for %.0f s) who=%s",
                        self._failures,
                        wait,
                        who or "-",
                    )
                    raise AccessDenied(f"口令错误次数过多，请 {wait:.0f} 秒后再试。")
                log.warning("editor login failed (%d in a row) who=%s", self._failures, who or "-")
                raise AccessDenied("编辑口令不对。")
        return self._issue()

    def _issue(self) -> EditorKey:
        key = EditorKey(secrets.token_urlsafe(24))
        with self._lock:
            self._keys.add(key.token)
        return key

    def logout(self, key: EditorKey | None) -> None:
        if key is not None:
            with self._lock:
                self._keys.discard(key.token)

    # ------------------------------------------------------------ the check
    def refusal(self, key: EditorKey | None, action: str = "修改") -> str:
        """Why this key may not write ('' when it may)."""
        if self.read_only:
            return f"当前为只读模式，不能{action}。"
        if not self._password:
            return ""
        with self._lock:
            if key is not None and key.token in self._keys:
                return ""
        return f"{action}需要编辑口令：请在左侧栏“编辑口令”处输入。"

    def allowed(self, key: EditorKey | None) -> bool:
        return not self.refusal(key)

    def check(self, key: EditorKey | None, action: str = "修改") -> None:
        reason = self.refusal(key, action)
        if reason:
            log.info("write refused: %s", action)
            raise AccessDenied(reason)
