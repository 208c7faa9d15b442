"""Placeholder: being written (issue 5)."""

from django.http import Http404


def group_list(request, *args, **kwargs):
    raise Http404


def edit_price(request, *args, **kwargs):
    raise Http404


def price_row(request, *args, **kwargs):
    raise Http404


def group_billing(request, *args, **kwargs):
    raise Http404


def preview(request, *args, **kwargs):
    raise Http404


def generate(request, *args, **kwargs):
    raise Http404


def revenue(request, *args, **kwargs):
    raise Http404
