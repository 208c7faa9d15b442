"""Placeholder: being written (issue 5)."""

from django.http import Http404


def calculate(request, *args, **kwargs):
    raise Http404


def generate_payments(request, *args, **kwargs):
    raise Http404


def group_revenue(request, *args, **kwargs):
    raise Http404
