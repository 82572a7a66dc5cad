"""Cursor pages as the Anthropic Admin API has them: ``limit``, ``after_id`` / ``before_id``; ``data``, ``has_more``,
``first_id``, ``last_id``.

A list is in one fixed order, newest first (its fields ending with the unique ``id``); a page
holds the items strictly after (or before) the cursor item in that order, so a page never repeats
or skips an item that was there when the walk began, however many are written meanwhile: new
items sort before every page already read.
"""

from functools import reduce
from operator import or_

from django.db.models import Q
from ninja import Field, Schema

from .exceptions import ApiError

DEFAULT_LIMIT = 20
MAX_LIMIT = 1000
MAX_ID = 2**63 - 1  # the database's bigint

ERR_BOTH_CURSORS = "Give after_id or before_id, not both."
ERR_NO_CURSOR_ITEM = "There is no item with this id in the list."


class PageQuery(Schema):
    """The query parameters of every list."""

    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"Items per page (1–{MAX_LIMIT}).")
    after_id: int | None = Field(None, ge=1, le=MAX_ID, description="The page after this item (older items): a page's `last_id`.")
    before_id: int | None = Field(None, ge=1, le=MAX_ID, description="The page before this item (newer items): a page's `first_id`.")


def _beyond(fields, values, newer):
    """Q for the rows past the cursor's values in a newest-first order on these fields (older, or newer)."""
    lookup = "gt" if newer else "lt"
    clauses = []
    for index, field in enumerate(fields):
        equal = {name: values[name] for name in fields[:index]}
        clauses.append(Q(**equal, **{f"{field}__{lookup}": values[field]}))
    return reduce(or_, clauses)


def cursor_page(queryset, query, order=("id",)):
    """One page of the queryset, newest first by ``order`` (descending; it must end with "id").

    Returns (items, has_more); raises 400 for both cursors, or a cursor id not in the list.
    """
    if query.after_id is not None and query.before_id is not None:
        raise ApiError(400, "invalid", [{"field": "before_id", "message": ERR_BOTH_CURSORS}])
    field, cursor = ("after_id", query.after_id) if query.after_id is not None else ("before_id", query.before_id)
    newest_first = [f"-{name}" for name in order]
    if cursor is None:
        rows = list(queryset.order_by(*newest_first)[: query.limit + 1])
        return rows[: query.limit], len(rows) > query.limit
    values = {"id": cursor} if order == ("id",) else queryset.filter(pk=cursor).values(*order).first()
    if values is None:
        raise ApiError(400, "invalid", [{"field": field, "message": ERR_NO_CURSOR_ITEM}])
    newer = field == "before_id"
    beyond = queryset.filter(_beyond(order, values, newer))
    if newer:
        # The items just before the cursor, read oldest first from it, then shown newest first.
        rows = list(beyond.order_by(*order)[: query.limit + 1])
        return list(reversed(rows[: query.limit])), len(rows) > query.limit
    rows = list(beyond.order_by(*newest_first)[: query.limit + 1])
    return rows[: query.limit], len(rows) > query.limit


def page_body(items, has_more, item_json):
    """The page's JSON body."""
    data = [item_json(item) for item in items]
    return {
        "data": data,
        "has_more": has_more,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
    }
