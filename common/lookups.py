"""Integer lookups that cannot overflow: `pk__in=["9" * 30]` (a 30-digit id
typed in a query string or posted in a multiple-choice field) finds nothing,
as Django's own `exact`, `gt`, `lt` lookups on integers already do, instead of
an OverflowError on SQLite or a DataError on PostgreSQL (HTTP 500)."""

from __future__ import annotations

from django.db.models import ForeignObject, IntegerField
from django.db.models.fields.related_lookups import (
    RelatedExact,
    RelatedGreaterThan,
    RelatedGreaterThanOrEqual,
    RelatedIn,
    RelatedLessThan,
    RelatedLessThanOrEqual,
)
from django.db.models.lookups import FullResultSet, In, IntegerFieldOverflow


def _range(field, connection) -> tuple[int | None, int | None]:
    target = getattr(field, "target_field", field)
    if connection is None:  # only asking whether the column is an integer
        return (0, 0) if isinstance(target, IntegerField) else (None, None)
    try:
        return connection.ops.integer_field_range(target.get_internal_type())
    except KeyError:  # not an integer column (a UUID, a text key): nothing to bound
        return None, None


def _is_integer(value) -> bool:
    try:
        int(value)
    except (TypeError, ValueError):
        return False
    return True


class _InRange:
    def get_prep_lookup(self):
        # Text that is no number cannot equal an integer key: the admin's
        # autocomplete re-renders a posted "abc" with `pk__in=["abc"]`.
        low, high = _range(self.lhs.output_field, None)  # type: ignore[attr-defined]
        if (low, high) != (None, None) and self.rhs_is_direct_value() and isinstance(self.rhs, (list, tuple, set)):  # type: ignore[attr-defined]
            self.rhs = [value for value in self.rhs  # type: ignore[attr-defined]
                        if not isinstance(value, str) or _is_integer(value)]
        return super().get_prep_lookup()  # type: ignore[misc]

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():  # type: ignore[attr-defined]
            low, high = _range(self.lhs.output_field, connection)  # type: ignore[attr-defined]
            if low is not None or high is not None:
                self.rhs = [  # type: ignore[attr-defined]
                    value for value in self.rhs  # type: ignore[attr-defined]
                    if not isinstance(value, int) or isinstance(value, bool)
                    or ((low is None or value >= low) and (high is None or value <= high))
                ]
        return super().process_rhs(compiler, connection)  # type: ignore[misc]


class IntegerIn(_InRange, In):
    pass


class RelatedIntegerIn(_InRange, RelatedIn):
    pass


class _RelatedOverflow(IntegerFieldOverflow):
    """Django's own overflow check for integer columns, for a foreign key
    compared with a number (`?plan=9223372036854775808` in an admin list)."""

    def process_rhs(self, compiler, connection):
        rhs = self.rhs  # type: ignore[attr-defined]
        if isinstance(rhs, int) and not isinstance(rhs, bool):
            low, high = _range(self.lhs.output_field, connection)  # type: ignore[attr-defined]
            if low is not None and rhs < low:
                raise self.underflow_exception
            if high is not None and rhs > high:
                raise self.overflow_exception
        return super(IntegerFieldOverflow, self).process_rhs(compiler, connection)  # type: ignore[misc]


class RelatedIntegerExact(_RelatedOverflow, RelatedExact):
    pass


class RelatedIntegerGreaterThan(_RelatedOverflow, RelatedGreaterThan):
    underflow_exception = FullResultSet


class RelatedIntegerGreaterThanOrEqual(_RelatedOverflow, RelatedGreaterThanOrEqual):
    underflow_exception = FullResultSet


class RelatedIntegerLessThan(_RelatedOverflow, RelatedLessThan):
    overflow_exception = FullResultSet


class RelatedIntegerLessThanOrEqual(_RelatedOverflow, RelatedLessThanOrEqual):
    overflow_exception = FullResultSet


def register() -> None:
    IntegerField.register_lookup(IntegerIn)
    ForeignObject.register_lookup(RelatedIntegerIn)
    for lookup in (RelatedIntegerExact, RelatedIntegerGreaterThan, RelatedIntegerGreaterThanOrEqual,
                   RelatedIntegerLessThan, RelatedIntegerLessThanOrEqual):
        ForeignObject.register_lookup(lookup)
