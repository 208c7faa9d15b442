"""Placeholder: being written (issue 5)."""

from django.http import Http404


def bill_list(request, *args, **kwargs):
    raise Http404


def export_bills(request, *args, **kwargs):
    raise Http404


def bill_detail(request, *args, **kwargs):
    raise Http404


def record_payment_view(request, *args, **kwargs):
    raise Http404


def recalculate(request, *args, **kwargs):
    raise Http404


def invoice(request, *args, **kwargs):
    raise Http404


def my_bills(request, *args, **kwargs):
    raise Http404
