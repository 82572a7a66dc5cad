"""Text helpers for templates shared by every app."""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()

_BREAK_BEFORE = re.compile(r"(?=[@.])")


@register.filter
def email_breaks(value):
    """An e-mail address that may wrap only before its "@" and its dots, never mid-word (<wbr>)."""
    return mark_safe("<wbr>".join(escape(part) for part in _BREAK_BEFORE.split(str(value))))  # noqa: S308 - each part escaped
