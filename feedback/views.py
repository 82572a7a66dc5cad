from django.http import HttpResponse

from orgs.access import org_member_view


@org_member_view()
def chat(request, membership):
    return HttpResponse("todo")


@org_member_view()
def workbench(request, membership):
    return HttpResponse("todo")
