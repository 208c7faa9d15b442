"""Placeholder: being written (issue 6)."""

from django.http import Http404


def student_list(request, *args, **kwargs):
    raise Http404


def credits_dialog(request, *args, **kwargs):
    raise Http404


def set_credits(request, *args, **kwargs):
    raise Http404
