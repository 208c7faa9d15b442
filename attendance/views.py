"""Placeholder views; the attendance helper replaces them (issue 2)."""

from django.http import HttpResponse


def my_periods(request):
    return HttpResponse("")


def attendance_list(request):
    return HttpResponse("")
