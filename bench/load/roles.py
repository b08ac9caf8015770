"""Which demo person each simulated user is: the n-th user (from 0) plays ``ROLES[n % len(ROLES)]``, so a
run with at least five users has every role, and more users add mostly requisitioners."""

from __future__ import annotations

ROLES = (
    "requisitioner",
    "approver",
    "coordinator",
    "ap_clerk",
    "supplier_user",
    "requisitioner",
    "requisitioner",
    "ap_clerk",
    "supplier_user",
    "requisitioner",
)


def role_of(n: int) -> tuple[str, int]:
    """The role of the n-th user and its place among the users of that role (0, 1, …)."""
    role = ROLES[n % len(ROLES)]
    place = sum(1 for k in range(n) if ROLES[k % len(ROLES)] == role)
    return role, place


def role_counts(users: int) -> dict[str, int]:
    counts = dict.fromkeys(ROLES, 0)
    for n in range(users):
        counts[role_of(n)[0]] += 1
    return counts
