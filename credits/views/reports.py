"""Placeholder: being written (issue 6)."""

from django.http import Http404


def dashboard(request, *args, **kwargs):
    raise Http404


def export_csv(request, *args, **kwargs):
    raise Http404


def clear_tutor(request, *args, **kwargs):
    raise Http404
