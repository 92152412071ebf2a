"""Integer lookups that cannot overflow: `pk__in=["9" * 30]` (a 30-digit id
typed in a query string or posted in a multiple-choice field) finds nothing,
as Django's own `exact`, `gt`, `lt` lookups on integers already do, instead of
an OverflowError on SQLite or a DataError on PostgreSQL (HTTP 500). The same
for a foreign key compared with a number (`?plan=9223372036854775808` in an
admin list), and for text that is no number in an `__in` list (the admin's
autocomplete re-renders a posted "abc" as `pk__in=["abc"]`)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db.models import ForeignObject, IntegerField
from django.db.models.fields.related_lookups import (
    RelatedExact,
    RelatedGreaterThan,
    RelatedGreaterThanOrEqual,
    RelatedIn,
    RelatedLessThan,
    RelatedLessThanOrEqual,
)
from django.db.models.lookups import In


def _is_integer_column(field: Any) -> bool:
    return isinstance(getattr(field, "target_field", field), IntegerField)


def _range(field: Any, connection: Any) -> tuple[int | None, int | None]:
    target = getattr(field, "target_field", field)
    try:
        return connection.ops.integer_field_range(target.get_internal_type())
    except KeyError:  # not an integer column (a UUID, a text key): nothing to bound
        return None, None


def _is_integer(value: Any) -> bool:
    try:
        int(value)
    except (TypeError, ValueError):
        return False
    return True


def _within(value: Any, low: int | None, high: int | None) -> bool:
    if not isinstance(value, int) or isinstance(value, bool):
        return True  # not ours to judge (an expression, a model instance)
    return (low is None or value >= low) and (high is None or value <= high)


def _prepared_in(lookup: Any) -> None:
    """Before Django converts each value: text that is no number matches nothing."""
    if (_is_integer_column(lookup.lhs.output_field) and lookup.rhs_is_direct_value()
            and isinstance(lookup.rhs, (list, tuple, set))):
        lookup.rhs = [value for value in lookup.rhs if not isinstance(value, str) or _is_integer(value)]


def _bounded_in(lookup: Any, connection: Any) -> None:
    """Values past the column's range match nothing; none left: no row (EmptyResultSet, as Django's In)."""
    if lookup.rhs_is_direct_value():
        low, high = _range(lookup.lhs.output_field, connection)
        lookup.rhs = [value for value in lookup.rhs if _within(value, low, high)]


class IntegerIn(In):
    def get_prep_lookup(self):
        _prepared_in(self)
        return super().get_prep_lookup()

    def process_rhs(self, compiler, connection):
        _bounded_in(self, connection)
        return super().process_rhs(compiler, connection)


class RelatedIntegerIn(RelatedIn):
    def get_prep_lookup(self):
        _prepared_in(self)
        return super().get_prep_lookup()

    def process_rhs(self, compiler, connection):
        _bounded_in(self, connection)
        return super().process_rhs(compiler, connection)


def _compared(lookup: Any, connection: Any, *, below: type[Exception], above: type[Exception]) -> None:
    """Django's own overflow check for integer columns (IntegerFieldOverflow), for a foreign key."""
    value = lookup.rhs
    if isinstance(value, int) and not isinstance(value, bool):
        low, high = _range(lookup.lhs.output_field, connection)
        if low is not None and value < low:
            raise below
        if high is not None and value > high:
            raise above


class RelatedIntegerExact(RelatedExact):
    def process_rhs(self, compiler, connection):
        _compared(self, connection, below=EmptyResultSet, above=EmptyResultSet)
        return super().process_rhs(compiler, connection)


class RelatedIntegerGreaterThan(RelatedGreaterThan):
    def process_rhs(self, compiler, connection):
        _compared(self, connection, below=FullResultSet, above=EmptyResultSet)
        return super().process_rhs(compiler, connection)


class RelatedIntegerGreaterThanOrEqual(RelatedGreaterThanOrEqual):
    def process_rhs(self, compiler, connection):
        _compared(self, connection, below=FullResultSet, above=EmptyResultSet)
        return super().process_rhs(compiler, connection)


class RelatedIntegerLessThan(RelatedLessThan):
    def process_rhs(self, compiler, connection):
        _compared(self, connection, below=EmptyResultSet, above=FullResultSet)
        return super().process_rhs(compiler, connection)


class RelatedIntegerLessThanOrEqual(RelatedLessThanOrEqual):
    def process_rhs(self, compiler, connection):
        _compared(self, connection, below=EmptyResultSet, above=FullResultSet)
        return super().process_rhs(compiler, connection)


def register() -> None:
    IntegerField.register_lookup(IntegerIn)
    for lookup in (RelatedIntegerIn, RelatedIntegerExact, RelatedIntegerGreaterThan, RelatedIntegerGreaterThanOrEqual,
                   RelatedIntegerLessThan, RelatedIntegerLessThanOrEqual):
        ForeignObject.register_lookup(lookup)
