"""Placeholder: being written (issue 6)."""

from django.http import Http404


def student_credits(request, *args, **kwargs):
    raise Http404


def book(request, *args, **kwargs):
    raise Http404


def complete(request, *args, **kwargs):
    raise Http404


def cancel(request, *args, **kwargs):
    raise Http404


def history(request, *args, **kwargs):
    raise Http404


def my_credits(request, *args, **kwargs):
    raise Http404
