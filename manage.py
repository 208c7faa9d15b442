#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Commands (imports, the task worker, migrations) get the longer database timeouts;
    # the development server answers web requests (docs/operations/production.md).
    serving = len(sys.argv) > 1 and sys.argv[1] == "runserver"
    os.environ.setdefault("ROLLBOOK_DB_TIMEOUTS", "web" if serving else "command")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
