"""Numbered page links that keep the page's other query parameters (filters)."""

from django import template

register = template.Library()


@register.inclusion_tag("orgs/_pagination.html", takes_context=True)
def page_links(context, page_obj):
    """Links to the first, last and nearby pages of page_obj, with … for the pages left out."""
    request = context["request"]
    paginator = page_obj.paginator
    links = []
    for number in paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1):
        if number == paginator.ELLIPSIS:
            links.append({"ellipsis": True})
            continue
        query = request.GET.copy()
        query["page"] = number
        links.append({"number": number, "url": "?" + query.urlencode(), "current": number == page_obj.number})
    return {"page_obj": page_obj, "links": links}
