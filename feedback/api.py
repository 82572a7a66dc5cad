from django.http import JsonResponse


def submit_feedback(request, slug):
    return JsonResponse({}, status=501)


def openapi_document(request):
    return JsonResponse({})


def api_docs(request):
    return JsonResponse({})
