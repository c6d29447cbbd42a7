from decimal import Decimal

import pytest

from inventory.domain.confirmations import ConfirmedQuantity, plan_confirmation
from inventory.domain.errors import BusinessRuleError
from inventory.domain.holds import LineStatus, allocate, confirmed, outcome, refreshed, released
from inventory.domain.releases import ReleaseRequest, plan_release, release_everything

from .builders import NOW, line

D = Decimal


def test_grants_are_shared_first_line_first():
    assert allocate(D(5), [D(3), D(4), D(1)]) == [D(3), D(2), D(0)]
    assert allocate(D(0), [D(1)]) == [D(0)]


@pytest.mark.parametrize(
    ("requested", "reserved", "expected"),
    [([3, 2], [3, 2], "FULL"), ([3, 2], [0, 0], "NONE"), ([3, 2], [3, 0], "PARTIAL"), ([3], [1], "PARTIAL")],
)
def test_outcomes(requested, reserved, expected):
    assert outcome([D(q) for q in requested], [D(q) for q in reserved]) == expected


def test_transitions():
    held = line(1, "a", 5, LineStatus.HELD)
    assert released(held, D(2)).quantity == 3
    assert released(held, D(5)).status is LineStatus.RELEASED
    assert released(held, D(5)).expires_at is None
    assert confirmed(held).status is LineStatus.CONFIRMED
    assert refreshed(held, NOW.replace(year=2029)).expires_at == NOW  # never earlier
    with pytest.raises(ValueError, match="cannot release"):
        released(held, D(6))


def test_releases_by_item_and_line_oldest_first_and_never_more_than_open():
    lines = [line(1, "a", 2), line(2, "a", 3), line(3, "b", 0, LineStatus.RELEASED)]

    plan = plan_release(lines, [ReleaseRequest("a", None, D(4))], strict=True)

    assert [(r.line.line_id, r.quantity) for r in plan] == [(1, D(2)), (2, D(2))]
    with pytest.raises(BusinessRuleError) as error:
        plan_release(lines, [ReleaseRequest("a", 2, D(4))], strict=True)
    assert error.value.code == "RELEASE_EXCEEDS_OPEN"
    assert error.value.errors == ["lines[0]: cannot release 4 of item a (itemLineNo 2): only 3 is open"]
    assert [
        (r.line.line_id, r.quantity)
        for r in plan_release(lines, [ReleaseRequest("a", 2, D(4))], strict=False)
    ] == [(2, D(3))]
    assert [r.line.line_id for r in release_everything(lines)] == [1, 2]


def test_a_confirmation_confirms_trims_releases_and_revives():
    held = line(1, "a", 5, LineStatus.HELD)
    other = line(2, "b", 2, LineStatus.HELD)
    expired = line(3, "c", 0, LineStatus.EXPIRED, expired_quantity=D(4))

    plan = plan_confirmation(
        [held, other, expired], "C", [ConfirmedQuantity("a", 1, D(3)), ConfirmedQuantity("c", 3, D(4))]
    )

    assert [confirmed_line.line_id for confirmed_line in plan.confirm] == [1, 2]
    assert [(r.line.line_id, r.quantity) for r in plan.releases] == [(1, D(2))]
    assert [(r.line.line_id, r.quantity) for r in plan.revivals] == [(3, D(4))]


def test_confirmation_x_releases_every_held_line():
    plan = plan_confirmation([line(1, "a", 5, LineStatus.HELD), line(2, "b", 1)], "X", [])
    assert [(r.line.line_id, r.quantity) for r in plan.releases] == [(1, D(5))]
    assert plan.confirm == []
